"""Properties that hold for every input, checked with Hypothesis.

- amounts are never negative and always have two places; the total is the sum of
  the lines;
- caps hold whatever the cost or the earlier payouts;
- more shares never pay less (per-share formulas), more self-paid cost never pays
  less (where the formula is monotone: per-unit, progressive ratio);
- the same input gives the same output.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from plans.rules import CAUSES, EVENT_KINDS, ClaimFacts, EarlierPayout, assess
from plans.rules.formulas import FormulaContext, compute_formula
from plans.seed_plans import PLANS

from .support import item, minimal_terms, seed_policy, terms_with_items

START = date(2026, 3, 16)
PLAN_KEYS = [p["key"] for p in PLANS]
ALL_CONDITIONS = sorted(
    {c["code"] for p in PLANS for c in p["version"]["terms"]["covered_conditions"]}
)

money = st.decimals(
    min_value=0, max_value=Decimal("1000000"), places=2, allow_nan=False, allow_infinity=False
)
optional_money = st.none() | money
small_count = st.none() | st.integers(min_value=0, max_value=400)


@st.composite
def claims(draw: st.DrawFn) -> tuple[str, int, ClaimFacts, tuple[EarlierPayout, ...]]:
    key = draw(st.sampled_from(PLAN_KEYS))
    plan = next(p for p in PLANS if p["key"] == key)
    shares = draw(st.integers(min_value=1, max_value=plan["version"]["terms"]["max_shares"]))
    items = [i["code"] for i in plan["version"]["terms"]["benefit_items"]]
    payouts = tuple(
        EarlierPayout(
            draw(st.sampled_from(items)), draw(money), draw(st.sampled_from([None, "E1", "E2"]))
        )
        for _ in range(draw(st.integers(min_value=0, max_value=3)))
    )
    facts = ClaimFacts(
        event_kind=draw(st.sampled_from(sorted(EVENT_KINDS))),
        event_date=START + timedelta(days=draw(st.integers(min_value=-30, max_value=400))),
        condition=draw(st.none() | st.sampled_from(ALL_CONDITIONS)),
        cause=draw(st.none() | st.sampled_from(sorted(CAUSES))),
        self_paid=draw(optional_money),
        eligible_cost=draw(optional_money),
        hospital_days=draw(small_count),
        disability_grade=draw(st.none() | st.integers(min_value=1, max_value=12)),
        months=draw(st.none() | st.integers(min_value=0, max_value=12)),
        decided_amount=draw(optional_money),
        died_within_days=draw(small_count),
        event_ref=draw(st.sampled_from([None, "E1", "E2"])),
    )
    return key, shares, facts, payouts


@given(claims())
def test_amounts_never_negative_and_add_up(claim) -> None:
    key, shares, facts, payouts = claim
    result = assess(seed_policy(key, shares=shares, earlier_payouts=payouts), facts)
    assert result.total >= 0
    assert all(line.amount >= 0 for line in result.lines)
    assert result.total == sum((line.amount for line in result.lines), Decimal("0.00"))
    assert result.total.as_tuple().exponent == -2
    assert result.explanation[-1].startswith("合计应给付") or "合计应给付" in " ".join(
        result.explanation
    )


@given(claims())
def test_same_input_same_output(claim) -> None:
    key, shares, facts, payouts = claim
    first = assess(seed_policy(key, shares=shares, earlier_payouts=payouts), facts)
    again = assess(seed_policy(key, shares=shares, earlier_payouts=payouts), facts)
    assert first == again
    assert first.to_dict() == again.to_dict()


# -- caps -----------------------------------------------------------------------------


@given(money)
def test_shaoxing_critical_illness_never_above_30000(self_paid: Decimal) -> None:
    policy = seed_policy("sx_union_cadres", start=date(2026, 1, 10))
    result = assess(
        policy,
        ClaimFacts("illness", date(2026, 6, 1), condition="malignant_tumour", self_paid=self_paid),
    )
    assert result.total <= Decimal("30000.00")


@given(st.integers(min_value=1, max_value=5), money, money)
def test_accident_medical_never_above_its_yearly_cap(
    shares: int, self_paid: Decimal, earlier: Decimal
) -> None:
    payouts = (EarlierPayout("accident_medical", earlier),)
    policy = seed_policy("gx_group_accident", shares=shares, earlier_payouts=payouts)
    result = assess(policy, ClaimFacts("accident", date(2026, 6, 1), self_paid=self_paid))
    assert result.total <= max(Decimal(12000) * shares - earlier, Decimal(0))


@given(money, money, st.decimals(min_value=0, max_value=Decimal(200000), places=2))
def test_plan_cap_holds_with_earlier_payouts(
    claim: Decimal, earlier: Decimal, cap: Decimal
) -> None:
    terms = terms_with_items(
        item("medical", "ratio_of_amount", {"ratio": "1"}, events=["hospital_stay"]),
        annual_cap={"amount": str(max(cap, Decimal("0.01"))), "per_share": False},
    )
    from plans.rules import new_policy_snapshot

    policy = new_policy_snapshot(
        terms=terms,
        start=START,
        end=START + timedelta(days=364),
        earlier_payouts=(EarlierPayout("medical", earlier),),
    )
    result = assess(policy, ClaimFacts("hospital_stay", date(2026, 6, 1), self_paid=claim))
    assert result.total <= max(max(cap, Decimal("0.01")) - earlier, Decimal(0))


@given(money, st.one_of(st.none(), money))
def test_discretionary_never_above_its_cap(decided: Decimal, cap: Decimal | None) -> None:
    params = {} if cap is None else {"cap": str(cap)}
    result = compute_formula(
        "discretionary",
        params,
        FormulaContext(1, ClaimFacts("disaster", START, decided_amount=decided)),
    )
    assert result.amount <= (decided if cap is None else min(decided, cap))
    assert result.needs_four_eyes


# -- monotonicity ----------------------------------------------------------------------


@given(
    st.sampled_from(
        ["gx_comprehensive", "gx_designated_disease", "gx_migrant_workers", "gx_female_workers"]
    ),
    st.integers(min_value=1, max_value=5),
    st.integers(min_value=1, max_value=5),
    st.sampled_from(["malignant_tumour", "coronary_stent", "breast_cancer"]),
)
def test_more_shares_never_pay_less(key: str, a: int, b: int, condition: str) -> None:
    low, high = sorted((a, b))
    facts = ClaimFacts("illness", date(2026, 9, 1), condition=condition)
    assert (
        assess(seed_policy(key, shares=low), facts).total
        <= assess(seed_policy(key, shares=high), facts).total
    )


@given(
    st.integers(min_value=1, max_value=5),
    st.integers(min_value=1, max_value=5),
    st.integers(min_value=1, max_value=10),
)
def test_more_shares_never_pay_less_for_accidents(a: int, b: int, grade: int) -> None:
    low, high = sorted((a, b))
    for facts in (
        ClaimFacts("death", date(2026, 9, 1), cause="accident"),
        ClaimFacts("disability", date(2026, 9, 1), cause="accident", disability_grade=grade),
    ):
        low_total = assess(seed_policy("gx_group_accident", shares=low), facts).total
        assert low_total <= assess(seed_policy("gx_group_accident", shares=high), facts).total


@given(money, money)
def test_more_self_paid_never_pays_less_shaoxing(a: Decimal, b: Decimal) -> None:
    low, high = sorted((a, b))
    policy = seed_policy("sx_union_cadres", start=date(2026, 1, 10))

    def pay(x: Decimal) -> Decimal:
        return assess(
            policy,
            ClaimFacts("illness", date(2026, 6, 1), condition="malignant_tumour", self_paid=x),
        ).total

    assert pay(low) <= pay(high)


PROGRESSIVE = {
    "deductible": "500.00",
    "bands": [
        {"upper": "2000", "upper_inclusive": False, "ratio": "0.8"},
        {"lower": "2000", "upper": "10000", "ratio": "0.7"},
        {"lower": "10000", "lower_inclusive": False, "ratio": "0.5"},
    ],
    "cap_per_share": "50000.00",
}


@given(money, money, st.integers(min_value=1, max_value=5))
def test_more_cost_never_pays_less_progressive_ratio(a: Decimal, b: Decimal, shares: int) -> None:
    low, high = sorted((a, b))

    def pay(x: Decimal) -> Decimal:
        ctx = FormulaContext(shares, ClaimFacts("hospital_stay", START, self_paid=x))
        return compute_formula("ratio_of_amount", PROGRESSIVE, ctx).amount

    assert pay(low) <= pay(high) <= Decimal(50000) * shares


def test_minimal_terms_helper_is_valid() -> None:
    from plans.rules import validate_version_terms

    assert validate_version_terms(minimal_terms()) == {}
