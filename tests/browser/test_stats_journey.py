"""Statistics in a real browser: the office admin opens the office dashboard (charts with their
tables, a payout of exactly ¥10,000 counted as "¥10,000 and more"), goes to the blank spots and
downloads the list as .xlsx; the dashboard also fits a phone.

Screenshots go to ``test-artifacts/screenshots/stats-*.png``; the download to
``test-artifacts/stats-blank-spots.xlsx``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from mutualaid.tenancy.models import OrganisationKind
from stats.refresh import summaries_refresh
from tests import factories
from tests.browser.helpers import ARTIFACTS_DIR, horizontal_overflow, log_in, snap

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def figures(world):
    """Unit A1 covered with two payouts (¥10,000.00 exactly and ¥2,500.00); a new unit under
    county A with a union and nobody covered (the blank spot)."""
    plan = factories.make_plan(
        world.office, code="stats_demo", name="测试统计计划", valid_from=dt.date(2020, 1, 1)
    )
    factories.make_unit(world.unit, ownership="state_owned", industry="Q", union_member_count=8)
    people = [factories.make_member(world.unit, name=name) for name in ("韦国庆", "黄秀兰")]
    for person in people:
        factories.make_policy(person, plan, start=dt.date(2026, 3, 16), end=dt.date(2027, 3, 15))
    factories.make_claim(
        people[0], plan, status="paid", amount="10000.00", event_date=dt.date(2026, 5, 1)
    )
    factories.make_claim(
        people[1], plan, status="paid", amount="2500.00", event_date=dt.date(2026, 6, 1)
    )
    blank = factories.make_node(world.county, OrganisationKind.UNIT, "甲县空白点工会")
    factories.make_unit(blank, ownership="non_public", industry="C", union_member_count=12)
    factories.make_member(blank, name="覃建军")
    summaries_refresh(tenant_id=world.tenant.pk, as_of=dt.date(2026, 11, 20))
    return blank


def test_office_dashboard_and_blank_spot_download(world, figures, page, new_context, live_server):
    base = live_server.url
    page.goto("/stats/")
    log_in(page, "office_admin", factories.PASSWORD)
    expect(page).to_have_url(f"{base}/stats/nodes/{world.office.pk}/")
    page.locator("#f-year").select_option("2026")
    page.get_by_role("button", name="显示").or_(page.get_by_role("button", name="Show")).click()
    expect(page.get_by_test_id("card-large")).to_have_text("1")  # ¥10,000.00 exactly counts
    expect(page.get_by_test_id("card-largest")).to_have_text("¥10,000.00")
    expect(page.get_by_test_id("card-claims-paid")).to_have_text("2")
    expect(page.get_by_test_id("card-units-enrolled")).to_contain_text("1 / 2")
    expect(page.get_by_test_id("chart").first).to_be_visible()
    expect(page.get_by_test_id("table-plan_year")).to_contain_text("2")
    snap(page, "stats-01-office-dashboard")

    page.get_by_test_id("stats-tabs").locator("a").nth(3).click()  # Blank spots
    expect(page).to_have_url(f"{base}/stats/nodes/{world.office.pk}/blank-spots/")
    expect(page.get_by_test_id("blank-spot-list")).to_contain_text("甲县空白点工会")
    expect(page.get_by_test_id("blank-spot-list")).not_to_contain_text("甲县医院工会")
    snap(page, "stats-02-blank-spots")
    with page.expect_download() as download_info:
        page.get_by_test_id("blank-spots-xlsx").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    target = ARTIFACTS_DIR / "stats-blank-spots.xlsx"
    download.save_as(str(target))
    rows = [
        list(r)
        for r in load_workbook(target, read_only=True).worksheets[0].iter_rows(values_only=True)
    ]
    assert rows[2][:2] == ["甲县空白点工会", "甲县总工会"]
    assert rows[2][5] == 12
    assert len(rows) == 3

    # A phone: the dashboard fits the screen (wide charts and tables scroll inside their box).
    phone = new_context(phone=True).new_page()
    phone.goto(f"/stats/nodes/{world.office.pk}/?year=2026")
    log_in(phone, "office_admin", factories.PASSWORD)
    expect(phone.get_by_test_id("card-largest")).to_have_text("¥10,000.00")
    overflow = horizontal_overflow(phone)
    assert overflow["scrollWidth"] <= overflow["innerWidth"] + 1, overflow
    snap(phone, "stats-03-office-dashboard-phone")
