"""The benefit engine: plan terms as data, assessments as pure functions.

No Django, no ORM, no I/O: Decimal in, Decimal out. The Django layer stores plan
terms as plain data (a JSON-able dict per plan version), validates them here, builds
the two input dataclasses from its rows, calls ``assess`` and stores
``Assessment.to_dict()`` with the claim.

Public API (import from ``plans.rules``)
=======================================

Terms (per plan version)
    ``validate_version_terms(terms: Mapping) -> dict[str, list[str]]``
        Field path → Chinese messages ({} when valid); never raises. Paths:
        ``premium_per_share``, ``waiting_period.days``, ``benefit_items[2].params`` …
        Use it in forms, serializers, the admin and ``seed_demo``.
    ``validate_formula(kind: str, params: Mapping) -> list[str]``
        One benefit item's formula; unknown kind → ["未知的给付公式: xxx"].
    ``PlanTerms.from_dict(terms) -> PlanTerms``
        Validated, typed terms; raises ``InvalidTerms`` (``.errors`` as above).
    ``FORMULA_LABELS`` kind → Chinese label (choices for the item form);
    ``FORMULA_PARAMS`` kind → its parameter declarations (``formulas/spec.py``),
    from which the item pages build each formula's form;
    ``EVENT_KINDS``, ``CAUSES``, ``FACTS``, ``MEMBER_CATEGORIES``,
    ``MID_TERM_ADDITION_RULES`` code → Chinese label.

Input
    ``PolicySnapshot(terms, start, end, tranches, tier=None, cover_ended_on=None,
    earlier_payouts=(), plan_name="")`` — coverage period (both days covered),
    ``ShareTranche(shares, start, waiting_end)`` per block of shares
    (``waiting_end`` = first covered day; == start when there is no wait),
    ``EarlierPayout(item_code, amount, event_ref=None)`` for this period.
    ``new_policy_snapshot(terms=, start=, end=, shares=, previous_shares=0,
    renewed_in_time=False, …)`` builds one with tranches from the terms' wait.
    ``build_tranches(...)``, ``waiting_period_end(effective, days) -> date``.

    ``ClaimFacts(event_kind, event_date, condition=None, cause=None,
    self_paid=None, eligible_cost=None, hospital_days=None, disability_grade=None,
    months=None, decided_amount=None, died_within_days=None, event_ref=None,
    exclusions=())`` — money as Decimal; ``exclusions`` are exclusion codes the
    reviewer found to apply; ``event_ref`` identifies the incident (used to
    deduct earlier payouts of mutually exclusive items for the same event).

Assessment
    ``assess(policy, facts, *, four_eyes_threshold=Decimal("10000.00")) -> Assessment``
    ``Assessment(total, lines, reasons, needs_four_eyes, ends_cover, explanation)``
    with ``AssessmentLine(item_code, item_name, amount, steps, reasons, kind,
    ends_cover, needs_four_eyes)``; ``kind`` is "benefit" or "consolation";
    amounts are Decimal quantised to 0.01 (ROUND_HALF_UP), never negative;
    ``reasons`` are ``ReasonCode`` values (NO_POLICY_IN_FORCE, IN_WAITING_PERIOD,
    EXCLUDED, NOT_COVERED, BELOW_THRESHOLD, CAP_REACHED, LIMIT_REACHED,
    ALREADY_PAID, EXCLUSIVE_WITH_OTHER, MISSING_FACT); ``REASON_LABELS`` gives
    the Chinese text. ``Assessment.to_dict()`` is JSON-ready.

Bands (民法典 第一千二百五十九条: 以上/以下/以内/届满 include, 不满/超过/以外 exclude)
    ``Band.from_terms(lower=(3000, "以上"), upper=(10000, "以下"))``,
    ``Band.from_dict / to_dict / contains / overlaps / describe``.

Money helpers: ``to_decimal``, ``quantize_money``, ``fmt_money``.
"""

from __future__ import annotations

from .assessment import LINE_BENEFIT, LINE_CONSOLATION, Assessment, AssessmentLine
from .bounds import LOWER_TERMS, UPPER_TERMS, Band, Bound
from .engine import DEFAULT_FOUR_EYES_THRESHOLD, assess
from .errors import InvalidTerms, RulesError, UnknownFormula
from .formulas import FORMULA_LABELS, FORMULA_PARAMS, FORMULAS, get_formula, validate_formula
from .money import fmt_money, quantize_money, to_decimal
from .policy import (
    ClaimFacts,
    EarlierPayout,
    PolicySnapshot,
    ShareTranche,
    build_tranches,
    new_policy_snapshot,
    waiting_period_end,
)
from .terms import BenefitItem, Cap, Consolation, PlanTerms, Tier, WaitingPeriod, WaitingStage
from .validation import validate_version_terms
from .vocab import (
    CAUSES,
    EVENT_KINDS,
    FACTS,
    MEMBER_CATEGORIES,
    MID_TERM_ADDITION_RULES,
    REASON_LABELS,
    ReasonCode,
)

__all__ = [
    "CAUSES",
    "DEFAULT_FOUR_EYES_THRESHOLD",
    "EVENT_KINDS",
    "FACTS",
    "FORMULAS",
    "FORMULA_LABELS",
    "FORMULA_PARAMS",
    "LINE_BENEFIT",
    "LINE_CONSOLATION",
    "LOWER_TERMS",
    "MEMBER_CATEGORIES",
    "MID_TERM_ADDITION_RULES",
    "REASON_LABELS",
    "UPPER_TERMS",
    "Assessment",
    "AssessmentLine",
    "Band",
    "BenefitItem",
    "Bound",
    "Cap",
    "ClaimFacts",
    "Consolation",
    "EarlierPayout",
    "InvalidTerms",
    "PlanTerms",
    "PolicySnapshot",
    "ReasonCode",
    "RulesError",
    "ShareTranche",
    "Tier",
    "UnknownFormula",
    "WaitingPeriod",
    "WaitingStage",
    "assess",
    "build_tranches",
    "fmt_money",
    "get_formula",
    "new_policy_snapshot",
    "quantize_money",
    "to_decimal",
    "validate_formula",
    "validate_version_terms",
    "waiting_period_end",
]
