"""Assessment-level rules: cover in force, exclusions, matching, exclusive items, caps,
limits, consolations, tiers, flags and the stored form."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from plans.rules import (
    ClaimFacts,
    EarlierPayout,
    PlanTerms,
    ReasonCode,
    assess,
    new_policy_snapshot,
)

from .support import item, minimal_terms, one_year_from, seed_policy, terms_with_items

D = Decimal
START = date(2026, 3, 16)
LATER = date(2026, 9, 1)  # after every 120-day wait


def _policy(terms: PlanTerms, shares: int = 1, **kwargs):
    return new_policy_snapshot(
        terms=terms, start=START, end=one_year_from(START), shares=shares, **kwargs
    )


# -- cover in force -------------------------------------------------------------------


@pytest.mark.parametrize(
    "event_date, in_force",
    [
        (date(2026, 3, 15), False),  # the day before cover starts
        (date(2026, 3, 16), True),  # 00:00 of the start day
        (date(2027, 3, 15), True),  # 24:00 of the end day
        (date(2027, 3, 16), False),
    ],
)
def test_coverage_period_bounds(event_date: date, in_force: bool) -> None:
    policy = seed_policy("gx_group_accident", shares=1)
    result = assess(policy, ClaimFacts("death", event_date, cause="accident"))
    assert (result.total == D("12000.00")) is in_force
    assert (ReasonCode.NO_POLICY_IN_FORCE in result.reasons) is not in_force


def test_cover_ended_early() -> None:
    policy = replace(seed_policy("gx_group_accident"), cover_ended_on=date(2026, 6, 30))
    assert assess(policy, ClaimFacts("accident", date(2026, 6, 30), self_paid=D(100))).total == D(
        "100.00"
    )
    late = assess(policy, ClaimFacts("accident", date(2026, 7, 1), self_paid=D(100)))
    assert late.total == 0 and late.reasons == (ReasonCode.NO_POLICY_IN_FORCE,)
    assert any("2026-06-30 终止" in s for s in late.explanation)


# -- exclusions and matching ----------------------------------------------------------


def test_listed_exclusion_refuses_the_claim() -> None:
    policy = seed_policy("sx_union_cadres", start=date(2026, 1, 10))
    result = assess(
        policy,
        ClaimFacts(
            "death", LATER, cause="rights_defence", died_within_days=3, exclusions=("suicide",)
        ),
    )
    assert result.total == 0 and result.reasons == (ReasonCode.EXCLUDED,)
    assert any("自杀" in s for s in result.explanation)


def test_exclusion_the_plan_does_not_list_changes_nothing() -> None:
    policy = seed_policy("gx_group_accident")
    result = assess(policy, ClaimFacts("death", LATER, cause="accident", exclusions=("suicide",)))
    assert result.total == D("12000.00")
    assert any("不是本计划的除外责任" in s for s in result.explanation)


@pytest.mark.parametrize(
    "facts, reason",
    [
        (ClaimFacts("illness", LATER, condition="diabetes"), ReasonCode.NOT_COVERED),
        (ClaimFacts("illness", LATER), ReasonCode.MISSING_FACT),  # which disease?
        (
            ClaimFacts("hospital_stay", LATER, cause="illness", self_paid=D(5000)),
            ReasonCode.NOT_COVERED,
        ),
        (
            ClaimFacts("death", LATER, cause="accident"),
            ReasonCode.NOT_COVERED,
        ),  # only 其它疾病 deaths
        (ClaimFacts("death", LATER), ReasonCode.MISSING_FACT),  # cause decides the consolation
    ],
)
def test_designated_disease_plan_refusals(facts: ClaimFacts, reason: ReasonCode) -> None:
    result = assess(seed_policy("gx_designated_disease", shares=3), facts)
    assert result.total == 0
    assert result.reasons == (reason,)


def test_missing_cause_is_asked_for_not_refused() -> None:
    result = assess(
        seed_policy("gx_group_accident"), ClaimFacts("disability", LATER, disability_grade=3)
    )
    assert result.total == 0 and result.reasons == (ReasonCode.MISSING_FACT,)
    assert any("请填写伤残的原因" in s for s in result.explanation)


def test_migrant_worker_death_consolation_is_260() -> None:
    result = assess(
        seed_policy("gx_migrant_workers", shares=2), ClaimFacts("death", LATER, cause="illness")
    )
    assert result.total == D("260.00")
    assert [line.kind for line in result.lines] == ["consolation"]


def test_shaoxing_hospital_stay_for_a_critical_illness_is_claimed_as_critical_illness() -> None:
    policy = seed_policy("sx_union_cadres", start=date(2026, 1, 10))
    stay = assess(
        policy,
        ClaimFacts(
            "hospital_stay", LATER, cause="illness", condition="leukaemia", self_paid=D(5000)
        ),
    )
    assert stay.total == 0 and stay.reasons == (ReasonCode.NOT_COVERED,)


@pytest.mark.parametrize(
    "died_within_days, total, reason",
    [
        (180, "20000.00", None),
        (181, "0.00", ReasonCode.NOT_COVERED),
        (None, "0.00", ReasonCode.MISSING_FACT),
    ],
)
def test_shaoxing_injury_death_within_180_days(died_within_days, total, reason) -> None:
    policy = seed_policy("sx_union_cadres", start=date(2026, 1, 10))
    result = assess(
        policy,
        ClaimFacts("death", LATER, cause="rights_defence", died_within_days=died_within_days),
    )
    assert result.total == D(total)
    assert result.reasons == ((reason,) if reason else ())


def test_shaoxing_living_subsidy_and_disaster_aid() -> None:
    policy = seed_policy("sx_union_cadres", start=date(2026, 1, 10))
    assert assess(policy, ClaimFacts("rights_infringement", LATER, months=4)).total == D("7470.00")
    aid = assess(policy, ClaimFacts("disaster", LATER, decided_amount=D("3000.00")))
    assert aid.total == D("3000.00") and aid.needs_four_eyes


# -- items that exclude each other ---------------------------------------------------


def test_death_after_disability_from_the_same_accident_pays_the_difference() -> None:
    disability = assess(
        seed_policy("gx_group_accident", shares=2),
        ClaimFacts("disability", LATER, cause="accident", disability_grade=3, event_ref="A-1"),
    )
    assert disability.total == D("19200.00")  # 2 × 12,000 × 80%
    paid = (EarlierPayout("accident_disability", disability.total, event_ref="A-1"),)

    death = assess(
        seed_policy("gx_group_accident", shares=2, earlier_payouts=paid),
        ClaimFacts("death", date(2026, 10, 1), cause="accident", event_ref="A-1"),
    )
    assert death.total == D("4800.00")  # 24,000 − 19,200
    assert ReasonCode.ALREADY_PAID in death.reasons
    assert any("¥24,000.00 − ¥19,200.00 = ¥4,800.00" in s for s in death.explanation)

    other_accident = assess(
        seed_policy("gx_group_accident", shares=2, earlier_payouts=paid),
        ClaimFacts("death", date(2026, 10, 1), cause="accident", event_ref="B-2"),
    )
    assert other_accident.total == D("24000.00")


def test_exclusive_items_in_one_claim_pay_the_larger() -> None:
    terms = terms_with_items(
        item("lump", "fixed", {"amount": "5000.00"}, events=["disability"], exclusive_group="g"),
        item(
            "graded",
            "schedule_percent",
            {"schedule": {"1": "100", "5": "60"}, "sum": "20000.00"},
            events=["disability"],
            exclusive_group="g",
        ),
    )
    result = assess(_policy(terms), ClaimFacts("disability", LATER, disability_grade=5))
    assert result.total == D("12000.00")
    lump = next(line for line in result.lines if line.item_code == "lump")
    assert lump.amount == 0 and lump.reasons == (ReasonCode.EXCLUSIVE_WITH_OTHER,)


def test_more_already_paid_than_due_pays_nothing_not_a_negative() -> None:
    paid = (EarlierPayout("accident_disability", D("24000.00"), event_ref="A-1"),)
    policy = seed_policy("gx_group_accident", shares=1, earlier_payouts=paid)
    result = assess(policy, ClaimFacts("death", LATER, cause="accident", event_ref="A-1"))
    assert result.total == D("0.00")


# -- caps and limits ------------------------------------------------------------------


def test_item_yearly_cap_per_share_counts_earlier_payouts() -> None:
    paid = (EarlierPayout("accident_medical", D("10000.00")),)
    policy = seed_policy("gx_group_accident", shares=1, earlier_payouts=paid)
    result = assess(policy, ClaimFacts("accident", LATER, self_paid=D("5000.00")))
    assert result.total == D("2000.00")
    assert result.reasons == (ReasonCode.CAP_REACHED,)


@pytest.mark.parametrize(
    "earlier, claim, expected, reason",
    [
        ("0.00", "10000.00", "10000.00", None),
        ("15000.00", "10000.00", "5000.00", ReasonCode.CAP_REACHED),
        ("20000.00", "10000.00", "0.00", ReasonCode.CAP_REACHED),
        ("25000.00", "10000.00", "0.00", ReasonCode.CAP_REACHED),
    ],
)
def test_plan_yearly_cap_per_member(earlier, claim, expected, reason) -> None:
    terms = terms_with_items(
        item("medical", "ratio_of_amount", {"ratio": "1"}, events=["hospital_stay"]),
        annual_cap={"amount": "20000.00", "per_share": False},
    )
    payouts = (EarlierPayout("medical", D(earlier)),) if D(earlier) else ()
    result = assess(
        _policy(terms, earlier_payouts=payouts),
        ClaimFacts("hospital_stay", LATER, self_paid=D(claim)),
    )
    assert result.total == D(expected)
    assert result.reasons == ((reason,) if reason else ())


def test_limit_of_stays_per_year() -> None:
    terms = terms_with_items(
        item(
            "allowance",
            "per_day",
            {"daily_amount": "50.00"},
            events=["hospital_stay"],
            max_payouts_per_period=2,
        )
    )
    facts = ClaimFacts("hospital_stay", LATER, hospital_days=4)
    one = (EarlierPayout("allowance", D("100.00")),)
    assert assess(_policy(terms, earlier_payouts=one), facts).total == D("200.00")
    two = one + (EarlierPayout("allowance", D("150.00")),)
    refused = assess(_policy(terms, earlier_payouts=two), facts)
    assert refused.total == 0 and refused.reasons == (ReasonCode.LIMIT_REACHED,)


# -- tiers ----------------------------------------------------------------------------


def test_tier_parameters_replace_the_items_defaults() -> None:
    raw = minimal_terms(
        sale_mode="tiers",
        premium_per_share=None,
        uniform_shares=None,
        max_shares=None,
        tiers=[
            {
                "code": "t26",
                "name": "26元档",
                "premium": "26.00",
                "item_params": {"death": {"amount": "20000.00"}},
            },
            {
                "code": "t50",
                "name": "50元档",
                "premium": "50.00",
                "item_params": {"death": {"amount": "40000.00"}},
            },
        ],
        benefit_items=[
            item(
                "death",
                "fixed",
                {"amount": "20000.00"},
                events=["death"],
                causes=["accident"],
                waiting_applies=False,
            )
        ],
    )
    terms = PlanTerms.from_dict(raw)
    facts = ClaimFacts("death", LATER, cause="accident")
    assert assess(_policy(terms, tier="t26"), facts).total == D("20000.00")
    t50 = assess(_policy(terms, tier="t50"), facts)
    assert t50.total == D("40000.00")
    assert any("50元档" in s for s in t50.explanation)


# -- flags and output -----------------------------------------------------------------


@pytest.mark.parametrize(
    "amount, threshold, four_eyes",
    [
        ("10000.00", D("10000.00"), False),
        ("10000.01", D("10000.00"), True),
        ("50000.00", None, False),
    ],
)
def test_four_eyes_above_threshold(amount, threshold, four_eyes) -> None:
    terms = terms_with_items(item("x", "fixed", {"amount": amount}, conditions=["cancer"]))
    result = assess(
        _policy(terms),
        ClaimFacts("illness", LATER, condition="cancer"),
        four_eyes_threshold=threshold,
    )
    assert result.needs_four_eyes is four_eyes


def test_ends_cover_only_when_such_an_item_is_actually_paid() -> None:
    policy = seed_policy("sx_union_cadres", start=date(2026, 1, 10))
    paid = assess(policy, ClaimFacts("death", LATER, cause="rights_defence", died_within_days=10))
    refused = assess(
        policy, ClaimFacts("death", LATER, cause="rights_defence", died_within_days=200)
    )
    assert paid.ends_cover and not refused.ends_cover


def test_stored_form_is_json_and_explains_with_numbers() -> None:
    result = assess(
        seed_policy("gx_female_workers", shares=2),
        ClaimFacts("illness", LATER, condition="breast_cancer"),
    )
    stored = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert stored["total"] == "24000.00"
    assert stored["lines"][0]["steps"] == ["2 份 × ¥12,000.00 = ¥24,000.00"]
    assert stored["needs_four_eyes"] is True
    assert result.explanation[-2:] == (
        "合计应给付 ¥24,000.00",
        "给付金额超过 ¥10,000.00, 须经两人审批",
    )


def test_comprehensive_plan_pays_designated_disease_and_consoles_in_the_wait() -> None:
    policy = seed_policy("gx_comprehensive", shares=5)
    assert assess(policy, ClaimFacts("illness", LATER, condition="organ_transplant")).total == D(
        "75000.00"
    )
    assert assess(
        policy, ClaimFacts("illness", date(2026, 4, 1), condition="organ_transplant")
    ).total == D("500.00")
    stay = assess(
        policy, ClaimFacts("hospital_stay", LATER, cause="accident", self_paid=D("60000"))
    )
    assert stay.total == D("45000.00")  # 5 × 9,000 yearly


def test_death_inside_the_wait_gets_no_diagnosis_consolation() -> None:
    # 综合: the ¥500 is for a covered disease diagnosed in the wait, not for a death.
    policy = seed_policy("gx_comprehensive", shares=2)
    result = assess(policy, ClaimFacts("death", date(2026, 4, 1), cause="illness"))
    assert result.total == 0 and result.reasons == (ReasonCode.IN_WAITING_PERIOD,)
