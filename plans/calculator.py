"""Run a plan version's terms on given facts, storing nothing (calculator page, assess API).

Pages and the API translate their input into ``CalculatorInput``; this module builds
the engine's policy snapshot (shares, or explicit share tranches with their own
waiting periods) and calls ``plans.rules.assess``.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from mutualaid.core.errors import NON_FIELD, DomainError
from plans.models import BenefitItem, PlanVersion
from plans.rules import (
    Assessment,
    ClaimFacts,
    InvalidTerms,
    PlanTerms,
    PolicySnapshot,
    ShareTranche,
    assess,
    new_policy_snapshot,
)


def coverage_end(start: date, months: int) -> date:
    """Last covered day of a term of ``months`` months from ``start`` (both days covered)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day) - timedelta(days=1)


@dataclass(frozen=True)
class CalculatorInput:
    effective_date: date
    facts: ClaimFacts
    shares: int = 1
    previous_shares: int = 0
    renewed_in_time: bool = False
    tranches: tuple[ShareTranche, ...] = field(default_factory=tuple)
    end_date: date | None = None
    tier: str | None = None


def facts_from(data) -> ClaimFacts:
    """Claim facts from the cleaned data of the calculator form or the assess serializer
    (the same field names), so both run the engine on exactly the same input."""
    return ClaimFacts(
        event_kind=data["event_kind"],
        event_date=data["event_date"],
        condition=data["condition"] or None,
        cause=data["cause"] or None,
        self_paid=data["self_paid"],
        eligible_cost=data["eligible_cost"],
        decided_amount=data["decided_amount"],
        hospital_days=data["hospital_days"],
        disability_grade=data["disability_grade"],
        months=data["months"],
        died_within_days=data["died_within_days"],
        event_ref=data.get("event_ref"),
        exclusions=tuple(data["exclusions"]),
    )


def version_terms(version: PlanVersion, items: list[BenefitItem] | None = None) -> PlanTerms:
    """The version's typed terms; a draft that is not complete yet raises DomainError."""
    try:
        return PlanTerms.from_dict(version.engine_terms(items))
    except InvalidTerms as exc:
        messages = [
            f"{path}: {m}" if path != "benefit_items" else m
            for path, msgs in exc.errors.items()
            for m in msgs
        ]
        raise DomainError(
            {
                NON_FIELD: [
                    _(
                        "The terms of this version are not complete, "
                        "so it cannot assess claims yet."
                    ),
                    *messages,
                ]
            }
        ) from None


def policy_for(version: PlanVersion, calc: CalculatorInput, terms: PlanTerms) -> PolicySnapshot:
    end = calc.end_date or coverage_end(calc.effective_date, terms.term_months)
    if end < calc.effective_date:
        raise DomainError({"end_date": [_("The end of cover cannot be before its start.")]})
    if calc.tier is not None and calc.tier not in terms.tiers:
        raise DomainError({"tier": [_("This version has no such tier.")]})
    name = version.plan.name
    if calc.tranches:
        for tranche in calc.tranches:
            if tranche.shares < 1:
                raise DomainError({"tranches": [_("Each tranche holds at least one share.")]})
            if tranche.waiting_end < tranche.start:
                raise DomainError(
                    {"tranches": [_("A tranche's first covered day cannot be before its start.")]}
                )
        return PolicySnapshot(
            terms=terms,
            start=calc.effective_date,
            end=end,
            tranches=calc.tranches,
            tier=calc.tier,
            plan_name=name,
        )
    if calc.shares < 1:
        raise DomainError({"shares": [_("Enter at least one share.")]})
    return new_policy_snapshot(
        terms=terms,
        start=calc.effective_date,
        end=end,
        shares=calc.shares,
        previous_shares=calc.previous_shares,
        renewed_in_time=calc.renewed_in_time,
        tier=calc.tier,
        plan_name=name,
    )


def assess_version(
    *,
    version: PlanVersion,
    calc: CalculatorInput,
    four_eyes_threshold: Decimal | None,
    items: list[BenefitItem] | None = None,
) -> tuple[Assessment, PolicySnapshot]:
    terms = version_terms(version, items)
    policy = policy_for(version, calc, terms)
    return assess(policy, calc.facts, four_eyes_threshold=four_eyes_threshold), policy
