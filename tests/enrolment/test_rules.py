"""The enrolment rules as pure functions: tables of candidates, no database."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from django.utils import translation

from enrolment.policies import Period
from enrolment.rules import (
    Candidate,
    CoverRow,
    EnrolmentRules,
    Report,
    age_on,
    check_batch,
    participation_problems,
)
from plans.rules import PlanTerms
from plans.seed_plans import plan_by_key
from tests.factories import plan_terms

PERIOD = Period(dt.date(2026, 3, 16), dt.date(2027, 3, 15))


def rules(key: str | None = None, *, kind: str = "new", **overrides) -> EnrolmentRules:
    if key is not None:
        raw = plan_by_key(key)["version"]["terms"]
        raw.update(overrides)
    else:
        raw = plan_terms(**overrides)
    return EnrolmentRules.build(
        PlanTerms.from_dict(raw), kind=kind, period=PERIOD, plan_id="this", plan_name="本计划"
    )


def cand(i: int, shares: int | None = 1, **fields) -> Candidate:
    defaults = {
        "row": i + 2,
        "id_number": f"ID{i}",
        "member_id": f"m{i}",
        "sex": "female",
        "birth_date": dt.date(1980, 1, 1),
        "category": "worker",
    }
    return Candidate(index=i, shares=shares, **{**defaults, **fields})


def found(report) -> dict[int, set[str]]:
    return {i: {e.code for e in errs} for i, errs in report.by_index.items()}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# --- Shares ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key, counts, refused",
    [
        ("gx_designated_disease", [5] * 10, {}),  # E1
        ("gx_designated_disease", [2, 4], {1: "mixed_cap"}),  # E2
        ("gx_designated_disease", [2, 3], {}),  # E3
        ("gx_comprehensive", [2, 3, 2], {1: "shares_not_uniform"}),  # E6
        ("gx_comprehensive", [3, 3, 3], {}),
        ("gx_comprehensive", [1, 2, 2], {0: "shares_not_uniform"}),  # the majority sets it
        ("gx_designated_disease", [6], {0: "shares_max"}),
        ("gx_designated_disease", [0], {0: "shares_min"}),
        ("gx_designated_disease", [None], {0: "shares_required"}),
    ],
)
def test_share_rules(key, counts, refused):
    report = check_batch(rules(key), [cand(i, s) for i, s in enumerate(counts)])
    assert found(report) == {i: {code} for i, code in refused.items()}


def test_e7_a_renewal_keeps_last_years_count_above_the_mixed_cap():
    renewal = rules("gx_designated_disease", kind="renewal")
    kept, new = cand(0, 5, previous_shares=5), cand(1, 2)
    assert found(check_batch(renewal, [kept, new])) == {}
    # Raising to 4 is not "keeping", and a new enrolment may not do it at all.
    assert found(check_batch(renewal, [cand(0, 4, previous_shares=5), cand(1, 2)])) == {
        0: {"mixed_cap"}
    }
    fresh = rules("gx_designated_disease")
    assert found(check_batch(fresh, [cand(0, 5, previous_shares=5), cand(1, 2)])) == {
        0: {"mixed_cap"}
    }


def test_the_roster_already_there_counts_for_the_share_rules():
    designated = rules("gx_designated_disease")
    # Ten members hold 5 on the roster: a new line with 2 would make it mixed.
    report = check_batch(designated, [cand(0, 2)], existing_shares=Counter({(5, False): 10}))
    assert found(report) == {0: {"mixed_cap_existing"}}
    assert "10 members" in report.errors()[0].message
    assert (
        found(check_batch(designated, [cand(0, 5)], existing_shares=Counter({(5, False): 10})))
        == {}
    )
    # Kept renewal counts above the cap do not make a new small count wrong.
    assert (
        found(
            check_batch(
                rules("gx_designated_disease", kind="renewal"),
                [cand(0, 2)],
                existing_shares=Counter({(5, True): 3}),
            )
        )
        == {}
    )
    comprehensive = rules("gx_comprehensive")
    assert found(
        check_batch(comprehensive, [cand(0, 3)], existing_shares=Counter({(2, False): 4}))
    ) == {0: {"shares_not_uniform"}}


def test_a_line_refused_for_its_own_sake_does_not_make_the_counts_mixed():
    # Row 0 has a bad ID (already refused): the others are judged without it.
    first = cand(0, 2, id_number="", member_id=None)
    report = Report()
    report.add(first, "id_number", "id_number_checksum", "bad")
    report = check_batch(
        rules("gx_designated_disease"), [first, cand(1, 5), cand(2, 5)], report=report
    )
    assert found(report) == {0: {"id_number_checksum"}}


def test_tiers():
    tiered = plan_terms(
        sale_mode="tiers",
        premium_per_share=None,
        max_shares=None,
        uniform_shares=False,
        renewal_keeps_previous_shares=None,
        tiers=[
            {"code": "t26", "name": "26元档", "premium": "26.00"},
            {"code": "t50", "name": "50元档", "premium": "50.00"},
        ],
    )
    r = EnrolmentRules.build(
        PlanTerms.from_dict(tiered), kind="new", period=PERIOD, plan_id="p", plan_name="意外"
    )
    assert r.tiers == {"t26": Decimal("26.00"), "t50": Decimal("50.00")}
    report = check_batch(r, [cand(0, 1, tier="t26"), cand(1, 1, tier="t74")])
    assert found(report) == {1: {"tier_invalid"}}


# --- Eligibility -------------------------------------------------------------------------------


def test_e5_a_womens_plan_refuses_a_man():
    report = check_batch(rules("gx_female_workers"), [cand(0, sex="male"), cand(1, sex="female")])
    assert found(report) == {0: {"sex_not_eligible"}}
    assert report.errors()[0].field == "id_number"


@pytest.mark.parametrize(
    "birth, refused",
    [
        (dt.date(2008, 3, 16), None),  # 18 on the start day (以上 includes it)
        (dt.date(2008, 3, 17), "age_below_minimum"),  # 18 the day after
        (dt.date(1966, 3, 17), None),  # 59 on the start day, 60 the next: 以下 includes 60
        (dt.date(1965, 3, 16), "age_above_maximum"),  # 61 on the start day
    ],
)
def test_age_range_at_the_start_date(birth, refused):
    r = rules(eligibility={"min_age": 18, "max_age": 60})
    report = check_batch(r, [cand(0, birth_date=birth)])
    assert found(report) == ({0: {refused}} if refused else {})


def test_age_on_a_leap_day_birthday():
    assert age_on(dt.date(2008, 2, 29), dt.date(2026, 2, 28)) == 17
    assert age_on(dt.date(2008, 2, 29), dt.date(2026, 3, 1)) == 18


def test_category_and_in_service():
    migrant = rules("gx_migrant_workers")
    report = check_batch(
        migrant,
        [
            cand(0, category="migrant_worker"),
            cand(1, category="worker"),
            cand(2, category="migrant_worker", employment_status="retired"),
        ],
    )
    assert found(report) == {1: {"category_not_eligible"}, 2: {"not_in_service"}}
    assert "农民工" in report.by_index[1][0].message


# --- Duplicates and cover ----------------------------------------------------------------------


def test_e11_duplicates_name_every_row():
    rows = [cand(0), cand(1, id_number="SAME"), cand(2), cand(3, id_number="SAME", member_id="x")]
    report = check_batch(rules(), rows)
    assert found(report) == {1: {"duplicate_in_roster"}, 3: {"duplicate_in_roster"}}
    assert all("rows 3, 5" in e.message for e in report.errors())


def test_already_on_the_roster():
    report = check_batch(rules(), [cand(0), cand(1)], on_roster={"ID1"})
    assert found(report) == {1: {"already_on_roster"}}


@pytest.mark.parametrize(
    "row, refused",
    [
        # E4: the member holds another plan of the group over overlapping days.
        (
            CoverRow(
                "m0",
                "other",
                "职工指定疾病(手术)",
                "gx_core",
                dt.date(2026, 1, 1),
                dt.date(2026, 12, 31),
                True,
            ),
            "exclusive_group",
        ),
        # The same plan over overlapping days.
        (
            CoverRow(
                "m0", "this", "本计划", "gx_core", dt.date(2026, 1, 1), dt.date(2026, 12, 31), True
            ),
            "overlapping_cover",
        ),
        (
            CoverRow(
                "m0", "this", "本计划", "gx_core", dt.date(2026, 1, 1), dt.date(2026, 12, 31), False
            ),
            "already_enrolled",
        ),
        # Ended the day before this period starts: no overlap.
        (
            CoverRow(
                "m0",
                "other",
                "职工指定疾病(手术)",
                "gx_core",
                dt.date(2025, 3, 16),
                dt.date(2026, 3, 15),
                True,
            ),
            None,
        ),
        # Another group, or no group: no conflict.
        (
            CoverRow(
                "m0", "other", "团体意外", "", dt.date(2026, 1, 1), dt.date(2026, 12, 31), True
            ),
            None,
        ),
    ],
)
def test_cover_rules(row, refused):
    r = rules("gx_comprehensive")
    report = check_batch(r, [cand(0)], cover={"m0": [row]})
    assert found(report) == ({0: {refused}} if refused else {})
    if refused == "exclusive_group":
        assert "职工指定疾病(手术)" in report.errors()[0].message


# --- Participation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "participation, eligible, enrolled, refused",
    [
        ({"min_ratio": "0.8", "all_below_headcount": 30}, 20, 19, "participation_all"),
        ({"min_ratio": "0.8", "all_below_headcount": 30}, 20, 20, None),
        ({"min_ratio": "0.8", "all_below_headcount": 30}, 100, 79, "participation_ratio"),
        ({"min_ratio": "0.8", "all_below_headcount": 30}, 100, 80, None),
        ({"min_ratio": None, "all_below_headcount": None}, 100, 1, None),
        ({"min_ratio": "0.75", "all_below_headcount": None}, 0, 0, None),
    ],
)
def test_participation(participation, eligible, enrolled, refused):
    problems = participation_problems(
        rules(participation=participation), eligible=eligible, enrolled=enrolled
    )
    assert [p.code for p in problems] == ([refused] if refused else [])
    if refused == "participation_ratio":
        assert "80%" in problems[0].message
