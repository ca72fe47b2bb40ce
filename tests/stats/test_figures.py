"""Every dashboard figure against the hand-computed data set of ``conftest.py``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from stats import selectors
from stats.models import NodeFigures, PlanYearReserve, SummaryRefresh, UnitFigures
from stats.refresh import summaries_refresh
from tests.stats.conftest import AS_OF, EXPECTED

pytestmark = pytest.mark.django_db


def _check(totals: selectors.Totals, expected: dict) -> None:
    for name, value in expected.items():
        assert getattr(totals, name) == value, f"{name}: {getattr(totals, name)} != {value}"


def test_office_figures_of_2026(stats_world):
    _check(selectors.node_totals(node=stats_world.w.office, year=2026), EXPECTED.office_2026)


def test_office_figures_of_2025(stats_world):
    _check(selectors.node_totals(node=stats_world.w.office, year=2025), EXPECTED.office_2025)


def test_a_payout_of_exactly_ten_thousand_counts_as_ten_thousand_and_more(stats_world):
    """以上 includes the number: c1 (¥10,000.00) counts, c2 (¥9,999.99) does not."""
    unit = selectors.node_totals(node=stats_world.w.unit, year=2026)  # A1: c1, c2, c3
    assert unit.claims_paid == 3
    assert unit.large_payouts == 2
    assert unit.largest_payout == Decimal("25000.00")
    assert unit.on_time_rate == Decimal("66.7")  # c1 and c3 (paid on its pay-by day) of 3


def test_county_cadre_counts_only_its_subtree(stats_world):
    """County A: units A1–A3; B1's claim c5 (¥12,000) and b1/b2's cover are not counted."""
    totals = selectors.node_totals(node=stats_world.w.county, year=2026)
    _check(totals, EXPECTED.county_2026)
    cov = selectors.coverage(node=stats_world.w.county)
    for name, value in EXPECTED.county_coverage.items():
        assert getattr(cov.total, name) == value, name
    assert [g.label for g in cov.by_node] == ["甲县医院工会", "甲县中学工会", "甲县丙厂工会"]
    assert "collective" not in [g.key for g in cov.by_ownership]


def test_the_other_tenant_is_never_counted(stats_world):
    """Tenant B's ¥50,000 payout and ¥99,999 premium appear nowhere in tenant A."""
    office = selectors.node_totals(node=stats_world.w.office, year=2026)
    assert office.largest_payout == Decimal("25000.00")
    assert office.premium_income == Decimal("1060.00")
    other = selectors.node_totals(node=stats_world.w.other_office, year=2026)
    assert (other.largest_payout, other.premium_income, other.claims_paid) == (
        Decimal("50000.00"),
        Decimal("99999.00"),
        1,
    )
    assert not NodeFigures.objects.filter(
        tenant=stats_world.w.tenant, plan__tenant=stats_world.w.other_tenant
    ).exists()
    assert not UnitFigures.objects.filter(
        tenant=stats_world.w.tenant, unit__tenant=stats_world.w.other_tenant
    ).exists()


def test_coverage_rate_by_ownership_type(stats_world):
    cov = selectors.coverage(node=stats_world.w.office)
    got = {
        g.key: (g.coverage.union_members_covered, g.coverage.union_members, g.coverage.rate)
        for g in cov.by_ownership
    }
    assert got == EXPECTED.coverage_by_ownership
    for name, value in EXPECTED.office_coverage.items():
        assert getattr(cov.total, name) == value, name


def test_coverage_by_industry_and_by_node(stats_world):
    cov = selectors.coverage(node=stats_world.w.office)
    industry = {
        g.key: (g.coverage.union_members_covered, g.coverage.union_members) for g in cov.by_industry
    }
    assert industry == {"D": (2, 5), "P": (1, 4), "Q": (3, 10), "-": (0, 6)}
    # The office's children: the city only (everything is below it).
    assert [(g.label, g.coverage.units, g.coverage.rate) for g in cov.by_node] == [
        ("甲市总工会", 4, Decimal("24.0"))
    ]
    city = selectors.coverage(node=stats_world.w.city)
    assert [
        (g.label, g.coverage.union_members_covered, g.coverage.union_members, g.coverage.rate)
        for g in city.by_node
    ] == [("甲县总工会", 4, 20, Decimal("20.0")), ("乙县总工会", 2, 5, Decimal("40.0"))]


def test_members_covered_by_plan_and_year(stats_world):
    w = stats_world
    figures = selectors.totals_by_plan_year(node=w.w.office, years=[2025, 2026])
    assert {(k[0], k[1]): v.policies_started for k, v in figures.items()} == {
        (w.p1.pk, 2025): 2,
        (w.p1.pk, 2026): 4,
        (w.p2.pk, 2026): 3,
    }
    county = selectors.totals_by_plan_year(node=w.w.county, years=[2026])
    assert county[(w.p1.pk, 2026)].policies_started == 3
    assert county[(w.p2.pk, 2026)].policies_started == 2


def test_money_by_month(stats_world):
    months = selectors.totals_by_month(node=stats_world.w.office, year=2026)
    assert months[3].premium_income == Decimal("800.00")  # 480 + 120 + 200
    assert months[4].premium_income == Decimal("-40.00")  # the refund
    assert months[5].premium_income == Decimal("300.00")
    assert months[5].amount_paid == Decimal("10000.00")
    assert months[7].amount_paid == Decimal("25000.00")
    assert sum(1 for m in months.values() if m.claims_paid) == 5


def test_claims_by_plan_and_by_child(stats_world):
    w = stats_world
    by_plan = selectors.totals_by_plan(node=w.w.office, year=2026)
    assert by_plan[w.p1.pk].amount_paid == Decimal("34999.99")
    assert by_plan[w.p1.pk].large_payouts == 2  # c1 and c5
    assert by_plan[w.p2.pk].largest_payout == Decimal("25000.00")
    children = selectors.totals_by_child(node=w.w.city, year=2026)
    assert [(g.label, g.totals.claims_paid, g.totals.amount_paid) for g in children] == [
        ("甲县总工会", 4, Decimal("47999.99")),
        ("乙县总工会", 1, Decimal("12000.00")),
    ]


def test_blank_spots(stats_world):
    w = stats_world
    page = selectors.blank_spot_page(node=w.w.office, after=None)
    assert [
        (row.unit.organisation.name, row.parent_name, row.union_members) for row in page.rows
    ] == [("甲县丙厂工会", "甲县总工会", 6)]
    assert list(selectors.blank_spot_rows(node=w.w.office))[0][:2] == ("甲县丙厂工会", "甲县总工会")
    # The sibling unit is enrolled, so its own list is empty.
    assert selectors.blank_spot_page(node=w.w.sibling_unit, after=None).rows == []


def test_reserves_for_the_fund(stats_world):
    w = stats_world
    reserves = {r.year: r for r in PlanYearReserve.objects.filter(plan=w.p1)}
    # End of 2025: m1's 2025 premium ¥100, 74 of its 365 days still to run.
    assert reserves[2025].unearned_premium == Decimal("20.27")
    assert reserves[2025].outstanding_payouts == Decimal("0.00")
    # 2026 runs to the reference day: ¥800 of cover with 115 of 365 days left; c6 unpaid.
    assert reserves[2026].measured_on == AS_OF
    assert reserves[2026].unearned_premium == Decimal("252.05")
    assert reserves[2026].outstanding_payouts == Decimal("5000.00")


def test_refresh_replaces_the_rows_and_can_run_twice(stats_world):
    w = stats_world
    before = NodeFigures.objects.filter(tenant=w.w.tenant).count()
    result = summaries_refresh(tenant_id=w.w.tenant.pk, as_of=AS_OF)
    assert NodeFigures.objects.filter(tenant=w.w.tenant).count() == before == result.node_rows
    assert UnitFigures.objects.filter(tenant=w.w.tenant).count() == 4
    assert SummaryRefresh.objects.get(tenant=w.w.tenant).as_of == AS_OF
    # Another day: m1's and m2's 2026 cover has ended by 2027-04-01 (m3's and m5's too? m3 runs to
    # 2027-05-31, so A1 still has one union member covered).
    summaries_refresh(tenant_id=w.w.tenant.pk, as_of=dt.date(2027, 4, 1))
    a1 = UnitFigures.objects.get(unit_id=w.w.unit.pk)
    assert (a1.union_members_covered, a1.members_covered) == (1, 1)
