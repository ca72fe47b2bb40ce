"""Plan-version validation: refused terms come back with Chinese messages per field."""

from __future__ import annotations

import pytest

from plans.rules import InvalidTerms, PlanTerms, validate_version_terms

from .support import item, minimal_terms

STAY_BANDS = [
    {"lower": "3000", "upper": "10000", "amount": "2000.00"},
    {"lower": "8000", "upper": "20000", "amount": "3000.00"},
]

# (case id, overrides of minimal_terms, field, message fragment)
REFUSED = [
    ("negative premium", {"premium_per_share": "-1.00"}, "premium_per_share", "保费不能为负数"),
    ("float premium", {"premium_per_share": 40.5}, "premium_per_share", "必须是金额数字"),
    (
        "premium with 3 decimals",
        {"premium_per_share": "40.005"},
        "premium_per_share",
        "最多保留两位小数",
    ),
    ("no shares allowed", {"max_shares": 0}, "max_shares", "每人最多份数不能小于1"),
    (
        "uniform with a mixed cap",
        {"uniform_shares": True, "max_shares_if_not_uniform": 3},
        "max_shares_if_not_uniform",
        "已规定同一单位参保份数必须一致",
    ),
    (
        "mixed cap above max",
        {"uniform_shares": False, "max_shares_if_not_uniform": 6},
        "max_shares_if_not_uniform",
        "不能超过每人最多份数",
    ),
    (
        "negative wait",
        {"waiting_period": {"days": -1}},
        "waiting_period.days",
        "免责期天数不能为负数",
    ),
    ("term of 0 months", {"term_months": 0}, "term_months", "保障期限(月)不能小于1"),
    (
        "unknown formula",
        {"benefit_items": [item("x", "lottery", {})]},
        "benefit_items[0].formula",
        "未知的给付公式: lottery",
    ),
    (
        "cap below threshold",
        {
            "benefit_items": [
                item(
                    "x",
                    "per_unit_of_amount",
                    {"unit": "10000", "per_unit": "2000", "min_base": "10000", "cap": "5000"},
                )
            ]
        },
        "benefit_items[0].params",
        "封顶金额不能低于起付金额",
    ),
    (
        "ratio cap below deductible",
        {
            "benefit_items": [
                item("x", "ratio_of_amount", {"ratio": "0.8", "deductible": "1000", "cap": "500"})
            ]
        },
        "benefit_items[0].params",
        "封顶金额不能低于起付金额",
    ),
    (
        "overlapping bands",
        {"benefit_items": [item("x", "band_lump_sum", {"bands": STAY_BANDS})]},
        "benefit_items[0].params",
        "金额区间重叠: 「3,000元以上、10,000元以下」与「8,000元以上、20,000元以下」",
    ),
    (
        "bands touching at an included end",
        {
            "benefit_items": [
                item(
                    "x",
                    "band_lump_sum",
                    {
                        "bands": [
                            {"upper": "3000", "amount": "0"},
                            {"lower": "3000", "amount": "2000"},
                        ]
                    },
                )
            ]
        },
        "benefit_items[0].params",
        "金额区间重叠",
    ),
    (
        "band upside down",
        {
            "benefit_items": [
                item(
                    "x",
                    "band_lump_sum",
                    {"bands": [{"lower": "10000", "upper": "3000", "amount": "1"}]},
                )
            ]
        },
        "benefit_items[0].params",
        "下限不能高于上限",
    ),
    (
        "ratio and bands both",
        {"benefit_items": [item("x", "ratio_of_amount", {"ratio": "0.5", "bands": []})]},
        "benefit_items[0].params",
        "必须且只能填写一种",
    ),
    (
        "ratio above 1",
        {"benefit_items": [item("x", "ratio_of_amount", {"ratio": "80"})]},
        "benefit_items[0].params",
        "给付比例必须在0到1之间",
    ),
    (
        "percent above 100",
        {
            "benefit_items": [
                item("x", "schedule_percent", {"schedule": {"1": "120"}, "sum": "1000"})
            ]
        },
        "benefit_items[0].params",
        "给付比例(百分数)必须在0到100之间",
    ),
    (
        "misspelt parameter",
        {"benefit_items": [item("x", "fixed", {"amout": "1"})]},
        "benefit_items[0].params",
        "未知参数: amout",
    ),
    (
        "negative benefit",
        {"benefit_items": [item("x", "fixed", {"amount": "-5"})]},
        "benefit_items[0].params",
        "给付金额不能为负数",
    ),
    (
        "unknown event",
        {"benefit_items": [item("x", "fixed", {"amount": "1"}, events=["birthday"])]},
        "benefit_items[0].events",
        "未知的事件类别: birthday",
    ),
    (
        "condition not in the plan's list",
        {"benefit_items": [item("x", "fixed", {"amount": "1"}, conditions=["flu"])]},
        "benefit_items[0].conditions",
        "未知的疾病代码",
    ),
    (
        "duplicate item codes",
        {
            "benefit_items": [
                item("x", "fixed", {"amount": "1"}),
                item("x", "fixed", {"amount": "2"}),
            ]
        },
        "benefit_items[1]",
        "给付项目代码重复: x",
    ),
    (
        "lonely exclusive group",
        {"benefit_items": [item("x", "fixed", {"amount": "1"}, exclusive_group="g")]},
        "benefit_items",
        "互斥组「g」只有一个给付项目",
    ),
    ("no items", {"benefit_items": []}, "benefit_items", "至少需要一个给付项目"),
    (
        "stages not reaching the end of the wait",
        {"waiting_period": {"days": 60, "stages": [{"until_day": 30, "benefit": "none"}]}},
        "waiting_period.stages",
        "最后一段必须截止于免责期最后一天(第60天)",
    ),
    (
        "consolation stage without amount",
        {"waiting_period": {"days": 30, "stages": [{"until_day": 30, "benefit": "consolation"}]}},
        "waiting_period.stages[0]",
        "请填写第1段慰问金金额",
    ),
    (
        "negative consolation",
        {"consolations": {"waiting_period": {"amount": "-500"}}},
        "consolations.waiting_period",
        "免责期内慰问金金额不能为负数",
    ),
    (
        "two renewal rules",
        {"renewal": {"deadline_days_before_end": 20, "grace_days_after_end": 30}},
        "renewal",
        "续保规则只能选一种",
    ),
    (
        "no default report deadline",
        {"report_deadline_days": {"accident": 3}},
        "report_deadline_days",
        "至少需要默认期限",
    ),
    (
        "unknown mid-term rule",
        {"mid_term_addition": "whatever"},
        "mid_term_addition",
        "期中增员规则只能是",
    ),
    (
        "age range upside down",
        {"eligibility": {"min_age": 60, "max_age": 18}},
        "eligibility.max_age",
        "最高年龄不能低于最低年龄",
    ),
    (
        "unknown member category",
        {"eligibility": {"member_categories": ["pensioner"]}},
        "eligibility.member_categories",
        "未知的类别: pensioner",
    ),
    (
        "participation ratio above 1",
        {"participation": {"min_ratio": "75"}},
        "participation.min_ratio",
        "最低参保比例必须在0到1之间",
    ),
    (
        "surplus not adding up",
        {"surplus_allocation": [{"purpose": "a", "label": "疗休养", "share": "0.8"}]},
        "surplus_allocation",
        "结余分配比例合计必须为1",
    ),
    (
        "misspelt top-level key",
        {"premium_per_shares": "40.00"},
        "__all__",
        "未知字段: premium_per_shares",
    ),
    (
        "tiers on a share plan",
        {"tiers": [{"code": "a", "name": "A", "premium": "1"}]},
        "tiers",
        "按份销售的计划不能设置档次",
    ),
]


@pytest.mark.parametrize(
    "overrides, field, message", [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED]
)
def test_refused_with_a_clear_message(overrides, field, message) -> None:
    errors = validate_version_terms(minimal_terms(**overrides))
    assert field in errors, errors
    assert any(message in m for m in errors[field]), errors[field]


def test_valid_terms_have_no_errors() -> None:
    assert validate_version_terms(minimal_terms()) == {}


def test_item_messages_name_the_item() -> None:
    errors = validate_version_terms(
        minimal_terms(
            benefit_items=[
                item("stay", "band_lump_sum", {"bands": STAY_BANDS}, name="其它疾病住院慰问金")
            ]
        )
    )
    assert errors["benefit_items[0].params"][0].startswith("给付项目「其它疾病住院慰问金」: ")


def test_all_problems_at_once() -> None:
    errors = validate_version_terms(
        minimal_terms(premium_per_share="-1", max_shares=0, waiting_period={"days": -3})
    )
    assert {"premium_per_share", "max_shares", "waiting_period.days"} <= set(errors)


def test_plan_terms_refuse_invalid_data() -> None:
    with pytest.raises(InvalidTerms) as info:
        PlanTerms.from_dict(minimal_terms(premium_per_share="-1"))
    assert info.value.errors == {"premium_per_share": ["每份保费不能为负数"]}
    assert "每份保费不能为负数" in str(info.value)


def test_tier_overrides_are_validated_against_the_items_formula() -> None:
    errors = validate_version_terms(
        minimal_terms(
            sale_mode="tiers",
            premium_per_share=None,
            uniform_shares=None,
            max_shares=None,
            tiers=[
                {
                    "code": "t",
                    "name": "26元档",
                    "premium": "26.00",
                    "item_params": {"disease": {"amount": "-1"}, "ghost": {"amount": "1"}},
                }
            ],
        )
    )
    assert any("给付金额不能为负数" in m for m in errors["tiers[0].item_params"])
    assert any("不存在的给付项目: ghost" in m for m in errors["tiers[0].item_params"])


@pytest.mark.parametrize("garbage", [None, "terms", 42, []])
def test_garbage_is_refused_not_raised(garbage) -> None:
    assert "__all__" in validate_version_terms(garbage)
