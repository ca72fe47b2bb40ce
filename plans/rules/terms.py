"""Typed, validated plan-version terms, parsed from the stored plain-data form.

The stored form (a dict of strings, ints, bools, lists — see ``plans/seed_plans.py``
for six complete examples) is what the database keeps and what admins edit.
``PlanTerms.from_dict`` validates it with ``validate_version_terms`` and raises
``InvalidTerms`` rather than assessing against terms nobody could have saved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from .bounds import Band
from .errors import InvalidTerms
from .money import to_decimal
from .validation import validate_version_terms


@dataclass(frozen=True)
class Cap:
    """A yearly ceiling on payouts, fixed or per share."""

    amount: Decimal
    per_share: bool = False

    def for_shares(self, shares: int) -> Decimal:
        return self.amount * shares if self.per_share else self.amount

    @classmethod
    def parse(cls, raw: Mapping[str, Any] | None) -> Cap | None:
        if raw is None:
            return None
        return cls(to_decimal(raw["amount"]), bool(raw.get("per_share", False)))


@dataclass(frozen=True)
class WaitingStage:
    """Days ``previous until_day + 1`` … ``until_day`` of a staged waiting period."""

    until_day: int
    benefit: str  # "none" | "consolation"
    amount: Decimal = Decimal(0)
    per_share: bool = False
    ends_cover: bool = False


@dataclass(frozen=True)
class WaitingPeriod:
    days: int
    stages: tuple[WaitingStage, ...] = ()

    def stage_for_day(self, day_number: int) -> WaitingStage | None:
        for stage in self.stages:
            if day_number <= stage.until_day:
                return stage
        return None


@dataclass(frozen=True)
class Consolation:
    """A flat (or per-share) consolation payment (慰问金)."""

    amount: Decimal
    per_share: bool = False
    causes: tuple[str, ...] = ()
    ends_cover: bool = False

    @classmethod
    def parse(cls, raw: Mapping[str, Any] | None) -> Consolation | None:
        if raw is None:
            return None
        return cls(
            amount=to_decimal(raw["amount"]),
            per_share=bool(raw.get("per_share", False)),
            causes=tuple(raw.get("causes") or ()),
            ends_cover=bool(raw.get("ends_cover", False)),
        )


@dataclass(frozen=True)
class BenefitItem:
    """One benefit of a plan: which events it answers and how its amount is computed.

    Matching: the event kind must be in ``events``; when ``causes`` is non-empty the
    claim's cause must be one of them; when ``conditions`` is non-empty the diagnosed
    condition must be one of them; ``excluded_conditions`` never match.
    ``fact_limits`` are further conditions on facts (e.g. death within 180 days).
    """

    code: str
    name: str
    events: tuple[str, ...]
    formula: str
    params: Mapping[str, Any]
    causes: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    excluded_conditions: tuple[str, ...] = ()
    waiting_applies: bool = True
    ends_cover: bool = False
    exclusive_group: str | None = None
    annual_cap: Cap | None = None
    max_payouts_per_period: int | None = None
    fact_limits: Mapping[str, Band] = field(default_factory=dict)
    note: str = ""

    def answers_event(self, event_kind: str, cause: str | None) -> bool:
        if event_kind not in self.events:
            return False
        return not self.causes or cause in self.causes

    def answers_condition(self, condition: str | None) -> bool:
        if condition is not None and condition in self.excluded_conditions:
            return False
        return not self.conditions or condition in self.conditions


@dataclass(frozen=True)
class Tier:
    code: str
    name: str
    premium: Decimal
    item_params: Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class PlanTerms:
    """The terms of one plan version, as the engine and the enrolment rules read them."""

    term_months: int
    sale_mode: str
    premium_per_share: Decimal | None
    max_shares: int | None
    uniform_shares: bool
    max_shares_if_not_uniform: int | None
    renewal_keeps_previous_shares: bool
    tiers: Mapping[str, Tier]
    exclusive_group: str | None
    waiting_period: WaitingPeriod
    report_deadline_days: Mapping[str, int]
    claim_expiry_months: int
    payout_limit_working_days: int
    mid_term_addition: str
    resignation_ends_cover: bool
    covered_conditions: Mapping[str, str]
    exclusions: Mapping[str, str]
    items: tuple[BenefitItem, ...]
    waiting_consolation: Consolation | None
    death_consolation: Consolation | None
    annual_cap: Cap | None
    raw: Mapping[str, Any]

    @classmethod
    def from_dict(cls, terms: Mapping[str, Any]) -> PlanTerms:
        """Validate and parse stored terms; raises InvalidTerms with per-field messages."""
        errors = validate_version_terms(terms)
        if errors:
            raise InvalidTerms(errors)
        wp = terms["waiting_period"]
        consolations = terms.get("consolations") or {}
        items = tuple(_parse_item(i) for i in terms["benefit_items"])
        tiers = {
            t["code"]: Tier(
                t["code"],
                t["name"],
                to_decimal(t["premium"]),
                MappingProxyType({k: dict(v) for k, v in (t.get("item_params") or {}).items()}),
            )
            for t in terms.get("tiers") or ()
        }
        return cls(
            term_months=terms["term_months"],
            sale_mode=terms.get("sale_mode", "shares"),
            premium_per_share=(
                to_decimal(terms["premium_per_share"])
                if terms.get("premium_per_share") is not None
                else None
            ),
            max_shares=terms.get("max_shares"),
            uniform_shares=bool(terms.get("uniform_shares", False)),
            max_shares_if_not_uniform=terms.get("max_shares_if_not_uniform"),
            renewal_keeps_previous_shares=bool(terms.get("renewal_keeps_previous_shares", False)),
            tiers=MappingProxyType(tiers),
            exclusive_group=terms.get("exclusive_group"),
            waiting_period=WaitingPeriod(
                days=wp["days"],
                stages=tuple(
                    WaitingStage(
                        until_day=s["until_day"],
                        benefit=s.get("benefit", "none"),
                        amount=to_decimal(s.get("amount") or 0),
                        per_share=bool(s.get("per_share", False)),
                        ends_cover=bool(s.get("ends_cover", False)),
                    )
                    for s in wp.get("stages") or ()
                ),
            ),
            report_deadline_days=MappingProxyType(dict(terms["report_deadline_days"])),
            claim_expiry_months=terms.get("claim_expiry_months", 12),
            payout_limit_working_days=terms.get("payout_limit_working_days", 30),
            mid_term_addition=terms["mid_term_addition"],
            resignation_ends_cover=bool(terms.get("resignation_ends_cover", False)),
            covered_conditions=MappingProxyType(
                {c["code"]: c["name"] for c in terms.get("covered_conditions") or ()}
            ),
            exclusions=MappingProxyType(
                {c["code"]: c["name"] for c in terms.get("exclusions") or ()}
            ),
            items=items,
            waiting_consolation=Consolation.parse(consolations.get("waiting_period")),
            death_consolation=Consolation.parse(consolations.get("death_other_causes")),
            annual_cap=Cap.parse(terms.get("annual_cap")),
            raw=MappingProxyType(dict(terms)),
        )

    def item(self, code: str) -> BenefitItem:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)

    def report_deadline_days_for(self, event_kind: str, cause: str | None = None) -> int:
        """Days to report an incident: by event kind, else by cause, else the default.

        So with ``{"accident": 3, "default": 10}`` an accident and a death caused by an
        accident both get 3 days, an illness 10.
        """
        for key in (event_kind, cause, "default"):
            if key is not None and key in self.report_deadline_days:
                return self.report_deadline_days[key]
        raise KeyError("default")  # unreachable for validated terms


def _parse_item(raw: Mapping[str, Any]) -> BenefitItem:
    return BenefitItem(
        code=raw["code"],
        name=raw["name"],
        events=tuple(raw["events"]),
        formula=raw["formula"],
        params=MappingProxyType(dict(raw.get("params") or {})),
        causes=tuple(raw.get("causes") or ()),
        conditions=tuple(raw.get("conditions") or ()),
        excluded_conditions=tuple(raw.get("excluded_conditions") or ()),
        waiting_applies=bool(raw.get("waiting_applies", True)),
        ends_cover=bool(raw.get("ends_cover", False)),
        exclusive_group=raw.get("exclusive_group"),
        annual_cap=Cap.parse(raw.get("annual_cap")),
        max_payouts_per_period=raw.get("max_payouts_per_period"),
        fact_limits=MappingProxyType(
            {k: Band.from_dict(v) for k, v in (raw.get("fact_limits") or {}).items()}
        ),
        note=raw.get("note") or "",
    )
