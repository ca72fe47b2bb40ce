"""The six demo plans (SPEC §13) are valid, storable as JSON, and carry the seeds' numbers."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from plans.rules import PlanTerms, validate_version_terms
from plans.seed_plans import PLANS, plan_by_key

KEYS = [p["key"] for p in PLANS]


def test_six_plans_in_two_tenants() -> None:
    assert KEYS == [
        "gx_comprehensive",
        "gx_designated_disease",
        "gx_migrant_workers",
        "gx_female_workers",
        "gx_group_accident",
        "sx_union_cadres",
    ]
    assert {p["tenant"] for p in PLANS} == {"guangxi", "shaoxing"}


@pytest.mark.parametrize("key", KEYS)
def test_terms_validate_and_parse(key: str) -> None:
    terms = plan_by_key(key)["version"]["terms"]
    assert validate_version_terms(terms) == {}
    PlanTerms.from_dict(terms)


@pytest.mark.parametrize("key", KEYS)
def test_plain_json_round_trip(key: str) -> None:
    plan = plan_by_key(key)
    assert (
        json.loads(json.dumps(plan, ensure_ascii=False)) == plan
    )  # no Decimal, date or tuple inside


@pytest.mark.parametrize("key", KEYS)
def test_every_plan_records_its_assumptions(key: str) -> None:
    notes = plan_by_key(key)["version"]["terms"]["notes"]
    assert any("假定" in n for n in notes)


# key, premium, max_shares, uniform, mixed cap, renewal keeps, exclusive group, waiting days
SHARE_RULES = [
    ("gx_comprehensive", "60.00", 5, True, None, False, "gx_core", 120),
    ("gx_designated_disease", "40.00", 5, False, 3, True, "gx_core", 120),
    ("gx_migrant_workers", "20.00", 5, False, 3, True, "gx_core", 120),
    ("gx_female_workers", "25.00", 5, False, 3, True, None, 120),
    ("gx_group_accident", "20.00", 5, True, None, False, None, 0),
    ("sx_union_cadres", "120.00", 1, True, None, False, None, 30),
]


@pytest.mark.parametrize(
    "key, premium, max_shares, uniform, mixed, keeps, group, wait", SHARE_RULES
)
def test_share_rules_from_the_seeds(
    key, premium, max_shares, uniform, mixed, keeps, group, wait
) -> None:
    t = PlanTerms.from_dict(plan_by_key(key)["version"]["terms"])
    assert (t.premium_per_share, t.max_shares, t.uniform_shares, t.max_shares_if_not_uniform) == (
        Decimal(premium),
        max_shares,
        uniform,
        mixed,
    )
    assert (t.renewal_keeps_previous_shares, t.exclusive_group, t.waiting_period.days) == (
        keeps,
        group,
        wait,
    )


def test_covered_condition_lists() -> None:
    assert (
        len(
            PlanTerms.from_dict(
                plan_by_key("gx_designated_disease")["version"]["terms"]
            ).covered_conditions
        )
        == 15
    )
    assert (
        len(
            PlanTerms.from_dict(
                plan_by_key("gx_female_workers")["version"]["terms"]
            ).covered_conditions
        )
        == 6
    )
    assert (
        len(
            PlanTerms.from_dict(
                plan_by_key("sx_union_cadres")["version"]["terms"]
            ).covered_conditions
        )
        == 11
    )


def test_report_deadlines_and_shaoxing_specifics() -> None:
    gx = PlanTerms.from_dict(plan_by_key("gx_comprehensive")["version"]["terms"])
    assert gx.report_deadline_days_for("accident") == 3
    assert gx.report_deadline_days_for("death", "accident") == 3
    assert gx.report_deadline_days_for("illness") == 10
    sx = PlanTerms.from_dict(plan_by_key("sx_union_cadres")["version"]["terms"])
    assert sx.report_deadline_days_for("accident") == 10
    assert sx.raw["renewal"] == {"deadline_days_before_end": 20}
    assert sx.resignation_ends_cover
    assert [a["share"] for a in sx.raw["surplus_allocation"]] == ["0.80", "0.20"]


def test_plan_by_key_returns_a_copy() -> None:
    plan_by_key("gx_comprehensive")["version"]["terms"]["premium_per_share"] = "0"
    assert plan_by_key("gx_comprehensive")["version"]["terms"]["premium_per_share"] == "60.00"
