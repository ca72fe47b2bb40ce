"""Each formula as a table of cases: parameters, shares, facts → amount, reason, a key step."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from plans.rules import (
    FORMULAS,
    ClaimFacts,
    ReasonCode,
    UnknownFormula,
    get_formula,
    validate_formula,
)
from plans.rules.formulas import FormulaContext, compute_formula
from plans.seed_plans import DISABILITY_SCHEDULE

D = Decimal
DAY = date(2026, 6, 1)

SX_CRITICAL = {
    "base": "self_paid",
    "unit": "10000.00",
    "per_unit": "2000.00",
    "min_base": "10000.00",
    "min_base_inclusive": True,
    "cap": "30000.00",
}
SX_STAY = {
    "base": "self_paid",
    "bands": [
        {
            "lower": "3000",
            "lower_inclusive": True,
            "upper": "10000",
            "upper_inclusive": True,
            "amount": "2000.00",
        }
    ],
}
PROGRESSIVE = {
    "bands": [
        {"upper": "2000", "upper_inclusive": False, "ratio": "0.8"},
        {"lower": "2000", "upper": "10000", "ratio": "0.7"},
        {"lower": "10000", "lower_inclusive": False, "ratio": "0.5"},
    ],
    "cap": "50000.00",
}
WHOLE = {**PROGRESSIVE, "banding": "whole"}

# (kind, params, shares, facts, amount, reason, step fragment)
CASES = [
    (
        "fixed_per_share",
        {"amount": "15000.00"},
        3,
        {},
        "45000.00",
        None,
        "3 份 × ¥15,000.00 = ¥45,000.00",
    ),
    ("fixed_per_share", {"amount": "3000.00"}, 1, {}, "3000.00", None, "1 份 × ¥3,000.00"),
    ("fixed", {"amount": "20000.00"}, 4, {}, "20000.00", None, "定额给付 ¥20,000.00"),
    # 绍兴 重大疾病: 以上 includes 10,000; whole units only; cap 30,000.
    (
        "per_unit_of_amount",
        SX_CRITICAL,
        1,
        {"self_paid": "9999.99"},
        "0.00",
        ReasonCode.BELOW_THRESHOLD,
        "未达到起付标准",
    ),
    (
        "per_unit_of_amount",
        SX_CRITICAL,
        1,
        {"self_paid": "10000"},
        "2000.00",
        None,
        "取整 = 1 个单位",
    ),
    (
        "per_unit_of_amount",
        SX_CRITICAL,
        1,
        {"self_paid": "19999.99"},
        "2000.00",
        None,
        "1 × ¥2,000.00",
    ),
    (
        "per_unit_of_amount",
        SX_CRITICAL,
        1,
        {"self_paid": "35000"},
        "6000.00",
        None,
        "3 × ¥2,000.00 = ¥6,000.00",
    ),
    (
        "per_unit_of_amount",
        SX_CRITICAL,
        1,
        {"self_paid": "100000"},
        "20000.00",
        None,
        "10 × ¥2,000.00",
    ),
    (
        "per_unit_of_amount",
        SX_CRITICAL,
        1,
        {"self_paid": "100000.01"},
        "20000.00",
        None,
        "10 个单位",
    ),
    (
        "per_unit_of_amount",
        SX_CRITICAL,
        1,
        {"self_paid": "150000"},
        "30000.00",
        None,
        "15 × ¥2,000.00",
    ),
    (
        "per_unit_of_amount",
        SX_CRITICAL,
        1,
        {"self_paid": "200000"},
        "30000.00",
        ReasonCode.CAP_REACHED,
        "按封顶金额",
    ),
    (
        "per_unit_of_amount",
        {**SX_CRITICAL, "min_base_inclusive": False},
        1,
        {"self_paid": "10000"},
        "0.00",
        ReasonCode.BELOW_THRESHOLD,
        "超过10,000元",
    ),
    (
        "per_unit_of_amount",
        {**SX_CRITICAL, "per_share": True},
        2,
        {"self_paid": "200000"},
        "60000.00",
        ReasonCode.CAP_REACHED,
        "封顶金额 ¥60,000.00",
    ),
    (
        "per_unit_of_amount",
        SX_CRITICAL,
        1,
        {},
        "0.00",
        ReasonCode.MISSING_FACT,
        "缺少个人自付医疗费用",
    ),
    # 绍兴 其它疾病住院: 3000 以上 10000 以下.
    (
        "band_lump_sum",
        SX_STAY,
        1,
        {"self_paid": "2999.99"},
        "0.00",
        ReasonCode.BELOW_THRESHOLD,
        "未达到给付区间",
    ),
    (
        "band_lump_sum",
        SX_STAY,
        1,
        {"self_paid": "3000"},
        "2000.00",
        None,
        "在「3,000元以上、10,000元以下」区间内",
    ),
    ("band_lump_sum", SX_STAY, 1, {"self_paid": "10000"}, "2000.00", None, "给付 ¥2,000.00"),
    (
        "band_lump_sum",
        SX_STAY,
        1,
        {"self_paid": "10000.01"},
        "0.00",
        ReasonCode.NOT_COVERED,
        "不在任何给付区间内",
    ),
    (
        "band_lump_sum",
        {**SX_STAY, "per_share": True},
        3,
        {"self_paid": "5000"},
        "6000.00",
        None,
        "3 份 × ¥2,000.00",
    ),
    (
        "band_lump_sum",
        {"base": "hospital_days", "bands": [{"lower": "15", "amount": "500"}]},
        1,
        {"hospital_days": 15},
        "500.00",
        None,
        "住院天数 15天",
    ),
    # 伤残 schedule.
    (
        "schedule_percent",
        {"schedule": DISABILITY_SCHEDULE, "sum": "20000.00"},
        1,
        {"disability_grade": 1},
        "20000.00",
        None,
        "¥20,000.00 × 100%",
    ),
    (
        "schedule_percent",
        {"schedule": DISABILITY_SCHEDULE, "sum": "20000.00"},
        1,
        {"disability_grade": 10},
        "2000.00",
        None,
        "给付比例 10%",
    ),
    (
        "schedule_percent",
        {"schedule": DISABILITY_SCHEDULE, "sum": "12000.00", "per_share": True},
        3,
        {"disability_grade": 3},
        "28800.00",
        None,
        "3 份 × ¥12,000.00 × 80% = ¥28,800.00",
    ),
    (
        "schedule_percent",
        {"schedule": DISABILITY_SCHEDULE, "sum": "20000.00"},
        1,
        {"disability_grade": 11},
        "0.00",
        ReasonCode.NOT_COVERED,
        "不在给付比例表中",
    ),
    (
        "schedule_percent",
        {"schedule": DISABILITY_SCHEDULE, "sum": "20000.00"},
        1,
        {},
        "0.00",
        ReasonCode.MISSING_FACT,
        "缺少伤残等级",
    ),
    # 住院津贴.
    (
        "per_day",
        {"daily_amount": "50.00", "deductible_days": 3, "max_days": 180, "per_share": True},
        2,
        {"hospital_days": 10},
        "700.00",
        None,
        "7 天 × ¥50.00 × 2 份 = ¥700.00",
    ),
    (
        "per_day",
        {"daily_amount": "50.00", "deductible_days": 3},
        1,
        {"hospital_days": 3},
        "0.00",
        ReasonCode.BELOW_THRESHOLD,
        "没有超过免赔天数",
    ),
    (
        "per_day",
        {"daily_amount": "50.00", "max_days": 180},
        1,
        {"hospital_days": 200},
        "9000.00",
        ReasonCode.CAP_REACHED,
        "按 180 天计算",
    ),
    # 比例给付.
    (
        "ratio_of_amount",
        {"ratio": "0.8", "deductible": "500.00"},
        1,
        {"self_paid": "1500"},
        "800.00",
        None,
        "¥1,000.00 × 80% = ¥800.00",
    ),
    (
        "ratio_of_amount",
        {"ratio": "0.8", "deductible": "500.00"},
        1,
        {"self_paid": "500"},
        "0.00",
        ReasonCode.BELOW_THRESHOLD,
        "未超过起付金额",
    ),
    (
        "ratio_of_amount",
        {"ratio": "1", "cap_per_share": "12000.00"},
        2,
        {"self_paid": "30000"},
        "24000.00",
        ReasonCode.CAP_REACHED,
        "每份封顶 ¥12,000.00 × 2 份",
    ),
    (
        "ratio_of_amount",
        {"ratio": "1", "cost_ceiling": "5000.00"},
        1,
        {"self_paid": "8000"},
        "5000.00",
        None,
        "超过费用封顶线",
    ),
    (
        "ratio_of_amount",
        {"ratio": "0.5", "base": "eligible_cost"},
        1,
        {"eligible_cost": "101"},
        "50.50",
        None,
        "",
    ),
    (
        "ratio_of_amount",
        {"ratio": "0.5"},
        1,
        {"self_paid": "0.01"},
        "0.01",
        None,
        "",
    ),  # 0.005 rounds half-up
    # progressive: 2000 × 80% + 8000 × 70% + 2000 × 50% = 1600 + 5600 + 1000
    (
        "ratio_of_amount",
        PROGRESSIVE,
        1,
        {"self_paid": "12000"},
        "8200.00",
        None,
        "¥1,600.00 + ¥5,600.00 + ¥1,000.00",
    ),
    ("ratio_of_amount", PROGRESSIVE, 1, {"self_paid": "1999.99"}, "1599.99", None, "不满2,000元"),
    (
        "ratio_of_amount",
        PROGRESSIVE,
        1,
        {"self_paid": "200000"},
        "50000.00",
        ReasonCode.CAP_REACHED,
        "封顶金额",
    ),
    # whole: the band the cost falls in fixes the ratio for all of it
    ("ratio_of_amount", WHOLE, 1, {"self_paid": "2000"}, "1400.00", None, "比例 70%"),
    ("ratio_of_amount", WHOLE, 1, {"self_paid": "1999.99"}, "1599.99", None, "比例 80%"),
    (
        "ratio_of_amount",
        WHOLE,
        1,
        {"self_paid": "10000.01"},
        "5000.01",
        None,
        "比例 50%",
    ),  # 5000.005 → .01
    # 生活补助.
    (
        "monthly_allowance",
        {"monthly_amount": "2490.00", "max_months": 3},
        1,
        {"months": 2},
        "4980.00",
        None,
        "2 个月 × ¥2,490.00 = ¥4,980.00",
    ),
    (
        "monthly_allowance",
        {"monthly_amount": "2490.00", "max_months": 3},
        1,
        {"months": 3},
        "7470.00",
        None,
        "",
    ),
    (
        "monthly_allowance",
        {"monthly_amount": "2490.00", "max_months": 3},
        1,
        {"months": 5},
        "7470.00",
        ReasonCode.CAP_REACHED,
        "最长给付 3 个月",
    ),
    # 管委会决定.
    (
        "discretionary",
        {},
        1,
        {"decided_amount": "8000.00"},
        "8000.00",
        None,
        "管委会决定金额 ¥8,000.00",
    ),
    (
        "discretionary",
        {"cap": "5000.00"},
        1,
        {"decided_amount": "8000.00"},
        "5000.00",
        ReasonCode.CAP_REACHED,
        "超过最高补助金额",
    ),
    (
        "discretionary",
        {"cap": "5000.00"},
        1,
        {},
        "0.00",
        ReasonCode.MISSING_FACT,
        "待管委会研究决定金额",
    ),
]


def _facts(values: dict) -> ClaimFacts:
    typed = {k: (D(v) if isinstance(v, str) else v) for k, v in values.items()}
    return ClaimFacts("illness", DAY, **typed)


@pytest.mark.parametrize("kind, params, shares, facts, amount, reason, step", CASES)
def test_formula_table(kind, params, shares, facts, amount, reason, step) -> None:
    assert validate_formula(kind, params) == []
    result = compute_formula(kind, params, FormulaContext(shares, _facts(facts)))
    assert result.amount == D(amount)
    assert result.amount.as_tuple().exponent == -2
    assert result.reason == reason
    assert step in "\n".join(result.steps), result.steps


def test_every_formula_is_covered_by_the_table() -> None:
    assert {c[0] for c in CASES} == set(FORMULAS)


def test_discretionary_always_needs_four_eyes() -> None:
    for facts in ({"decided_amount": "1.00"}, {}):
        assert compute_formula(
            "discretionary", {}, FormulaContext(1, _facts(facts))
        ).needs_four_eyes


def test_unknown_formula() -> None:
    assert validate_formula("lottery", {}) == ["未知的给付公式: lottery"]
    with pytest.raises(UnknownFormula, match="未知的给付公式: lottery"):
        get_formula("lottery")


def test_negative_fact_is_not_computed() -> None:
    result = compute_formula(
        "ratio_of_amount", {"ratio": "1"}, FormulaContext(1, _facts({"self_paid": "-5"}))
    )
    assert result.amount == 0 and result.reason == ReasonCode.MISSING_FACT
    assert "不能为负数" in result.steps[0]


def test_float_facts_are_refused() -> None:
    with pytest.raises(TypeError):
        compute_formula(
            "ratio_of_amount",
            {"ratio": "1"},
            FormulaContext(1, ClaimFacts("illness", DAY, self_paid=1.5)),
        )
