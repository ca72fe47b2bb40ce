"""Dashboard pages, their .xlsx downloads and the blank-spot list, as the personas see them."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from mutualaid.jobs.models import Job
from tests.stats.conftest import EXPECTED

pytestmark = pytest.mark.django_db


def _card(html: str, name: str) -> str:
    match = re.search(rf'data-testid="card-{name}">(.*?)</div>', html, re.S)
    assert match, name
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def _sheet(response):
    data = b"".join(response.streaming_content)
    book = load_workbook(io.BytesIO(data), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def test_office_dashboard_shows_the_figures(stats_world, login):
    client = login(stats_world.w.office_admin)
    response = client.get(reverse("stats:dashboard", args=[stats_world.w.office.pk]) + "?year=2026")
    assert response.status_code == 200
    html = response.content.decode()
    assert _card(html, "largest") == "¥25,000.00"
    assert _card(html, "large") == "3"
    assert _card(html, "amount-paid") == "¥59,999.99"
    assert _card(html, "average") == "¥12,000.00"
    assert _card(html, "on-time") == "80.0%"
    assert _card(html, "premium") == "¥1,060.00"
    assert _card(html, "coverage-rate") == "24.0%"
    assert _card(html, "units-enrolled") == "3 / 4"
    # Every chart has its table under it; every table downloads.
    assert html.count('data-testid="chart"') >= 2
    for key in ("plan_year", "monthly"):
        assert f'data-testid="table-{key}"' in html
        assert f'data-testid="xlsx-{key}"' in html
    assert "<script" not in html.split("</head>")[1]  # charts are server-side SVG, no script


def test_county_cadre_dashboard_counts_only_its_subtree(stats_world, login):
    w = stats_world.w
    client = login(w.county_cadre)
    html = client.get(reverse("stats:claims", args=[w.county.pk]) + "?year=2026").content.decode()
    assert _card(html, "amount-paid") == "¥47,999.99"
    assert _card(html, "large") == "2"
    assert _card(html, "on-time") == "75.0%"
    assert "乙县电厂工会" not in html and "乙县总工会" not in html
    # Above its node, and in another tenant: not found.
    assert client.get(reverse("stats:dashboard", args=[w.office.pk])).status_code == 404
    assert client.get(reverse("stats:dashboard", args=[w.city.pk])).status_code == 404
    assert client.get(reverse("stats:coverage", args=[w.other_office.pk])).status_code == 404
    assert client.get(reverse("stats:index")).url == reverse("stats:dashboard", args=[w.county.pk])


def test_coverage_page_and_its_xlsx(stats_world, login):
    w = stats_world.w
    client = login(w.office_admin)
    html = client.get(reverse("stats:coverage", args=[w.office.pk])).content.decode()
    assert _card(html, "blank-spots") == "1"
    assert 'data-testid="table-coverage_by_ownership"' in html
    response = client.get(reverse("stats:table_xlsx", args=[w.office.pk, "coverage_by_ownership"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _sheet(response)
    assert rows[0][0].startswith("按所有制") or rows[0][0].startswith("Coverage by ownership")
    body = {row[0]: row for row in rows[2:]}
    state = [row for label, row in body.items() if label in ("国有", "State-owned")][0]
    assert state[4:7] == [10, 3, 30.0]
    total = rows[-1]
    assert total[1:8] == [4, 3, 1, 25, 6, 24.0, 7]


def test_claims_xlsx_of_a_year(stats_world, login):
    w = stats_world
    client = login(w.w.office_admin)
    response = client.get(
        reverse("stats:table_xlsx", args=[w.w.office.pk, "claims_by_plan"]) + "?year=2026"
    )
    rows = _sheet(response)
    total = rows[-1]
    # received, paid, amount, average, largest, ¥10,000 and more, on time (%)
    assert total[1:] == [8, 5, 59999.99, 12000.0, 25000.0, 3, 80.0]
    assert (
        client.get(reverse("stats:table_xlsx", args=[w.w.office.pk, "nonsense"])).status_code == 404
    )


def test_plan_year_xlsx_matches_the_table(stats_world, login):
    w = stats_world
    rows = _sheet(
        login(w.w.office_admin).get(
            reverse("stats:table_xlsx", args=[w.w.office.pk, "plan_year"]) + "?year=2026"
        )
    )
    assert rows[1][1:] == ["2025", "2026"]
    assert rows[2:] == [[w.p1.display_name, 2, 4], [w.p2.display_name, 0, 3], [rows[4][0], 2, 7]]


def test_blank_spot_list_and_download(stats_world, login):
    w = stats_world.w
    client = login(w.county_cadre)
    html = client.get(reverse("stats:blank_spots", args=[w.county.pk])).content.decode()
    assert "甲县丙厂工会" in html
    response = client.get(reverse("stats:blank_spots_xlsx", args=[w.county.pk]))
    rows = _sheet(response)
    assert rows[2][:2] == ["甲县丙厂工会", "甲县总工会"]
    assert rows[2][5] == 6 and rows[2][6] == 2
    assert len(rows) == 3
    # The sibling unit's agent: its own unit only, which is enrolled.
    sibling = login(w.sibling_agent)
    assert (
        "甲县丙厂工会"
        not in sibling.get(reverse("stats:blank_spots", args=[w.sibling_unit.pk])).content.decode()
    )


def test_agent_sees_the_unit_dashboard(stats_world, login):
    w = stats_world.w
    client = login(w.agent)
    html = client.get(reverse("stats:dashboard", args=[w.unit.pk]) + "?year=2026").content.decode()
    assert _card(html, "largest") == "¥25,000.00"
    assert _card(html, "coverage-rate") == "30.0%"
    assert client.get(reverse("stats:dashboard", args=[w.sibling_unit.pk])).status_code == 404


# Queries of every page: session, user, the tenant scope (set, and restored at the end),
# staff (the actor), the node (access), the header's
# node chain (context processor), the stats breadcrumbs' chain, the node's children, and
# the refresh row; then per page:
# - overview: years, the year's totals, coverage total, plan×year, year totals, plan names,
#   months (17 in all);
# - claims: years, totals, by plan, plan names, by child, the children's names (16);
# - coverage: the GROUPING SETS scan of the units, the children's names (12);
# - blank spots: the page of units, their parents' names, the coverage total (13).
# None of them grows with the number of units, members, policies or claims.
PINNED = {"stats:dashboard": 17, "stats:claims": 16, "stats:coverage": 12, "stats:blank_spots": 13}


@pytest.mark.parametrize("page", list(PINNED))
def test_query_counts_do_not_grow_with_rows(stats_world, login, page):
    w = stats_world.w
    client = login(w.office_admin)
    url = reverse(page, args=[w.office.pk])
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    assert len(ctx) == PINNED[page], [q["sql"][:90] for q in ctx.captured_queries]


def test_refresh_now_is_a_job_for_office_admins(stats_world, login, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    w = stats_world.w
    assert login(w.county_cadre).post(reverse("stats:refresh")).status_code == 403
    client = login(w.office_admin)
    response = client.post(reverse("stats:refresh"))
    assert response.status_code == 302
    job = Job.objects.get(kind="stats.refresh")
    assert response.url == reverse("jobs:status", args=[job.pk])
    assert client.get(reverse("stats:refresh")).status_code == 405
    # The worker's side: the job rebuilds the summaries and says so.
    from mutualaid.jobs.tasks import run_job

    assert run_job(str(job.pk)) == "succeeded"
    job.refresh_from_db()
    assert job.status == "succeeded" and job.result["as_of"]
    assert run_job(str(job.pk)) == "already claimed"  # a redelivered task does nothing


def test_no_figures_yet(world, login):
    html = (
        login(world.office_admin)
        .get(reverse("stats:dashboard", args=[world.office.pk]))
        .content.decode()
    )
    assert 'data-testid="no-figures"' in html


def test_api_node_figures(stats_world, login):
    w = stats_world.w
    client = login(w.county_cadre)
    data = client.get(reverse("api-stats-node", args=[w.county.pk]) + "?year=2026").json()
    assert data["totals"]["amount_paid"] == "47999.99"
    assert data["totals"]["large_payouts"] == 2
    assert data["coverage"]["rate"] == "20.0"
    assert {g["key"] for g in data["coverage_by_ownership"]} == {
        "state_owned",
        "non_public",
        "public_sector",
    }
    assert client.get(reverse("api-stats-node", args=[w.office.pk])).status_code == 404
    assert Decimal(data["totals"]["average_payout"]) == EXPECTED.county_2026["average_payout"]
