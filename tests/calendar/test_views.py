"""The calendar pages: who reads, who edits, and what each tenant sees."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from mutualaid.audit.models import AuditEvent
from mutualaid.calendar.models import CalendarDay, CalendarYear, DayKind
from mutualaid.calendar.package import package_years

D = dt.date
YEAR_URL = "/calendar/2026/"


def _cell(response, date: str) -> str:
    """The grid cell of ``date`` as HTML text (class and title included)."""
    html = response.content.decode()
    marker = f'data-date="{date}"'
    end = html.index(marker)
    return html[html.rindex("<td", 0, end) : html.index("</td>", end)]


def test_admin_sees_the_year_with_rest_and_make_up_days(seeded, login):
    response = login(seeded.office_admin).get("/calendar/?year=2026")
    assert response.status_code == 200
    assert 'class="rest"' in _cell(response, "2026-10-01") and "国庆节" in _cell(
        response, "2026-10-01"
    )
    assert 'class="makeup"' in _cell(response, "2026-09-20")
    assert 'class="muted"' in _cell(response, "2026-09-19")  # an ordinary Saturday
    assert "class=" not in _cell(response, "2026-09-21")  # an ordinary Monday
    body = response.content.decode()
    assert 'data-testid="day-form"' in body and 'data-testid="load-package"' in body
    assert 'data-testid="provisional-banner"' not in body
    assert body.count("<caption>") == 12


def test_current_year_is_the_default(seeded, login):
    response = login(seeded.office_admin).get("/calendar/")
    assert response.context["year"] == timezone.localdate().year
    assert (
        login(seeded.office_admin).get("/calendar/?year=abc").context["year"]
        == timezone.localdate().year
    )


def test_year_outside_the_range_is_404(seeded, login):
    client = login(seeded.office_admin)
    assert client.get("/calendar/1999/").status_code == 404
    assert client.get("/calendar/?year=99999").status_code == 404


def test_year_without_data_shows_the_provisional_banner(seeded, login):
    response = login(seeded.office_admin).get("/calendar/2031/")
    body = response.content.decode()
    assert 'data-testid="provisional-banner"' in body
    assert 'data-testid="load-package"' not in body  # the package has no 2031
    assert 2031 not in package_years()


def test_admin_adds_changes_and_removes_a_day(seeded, login):
    client = login(seeded.office_admin)
    response = client.post(
        f"{YEAR_URL}days/", {"date": "2026-06-01", "kind": "rest", "name": "特别休息日"}
    )
    assert response.status_code == 302 and response.url == YEAR_URL
    assert 'class="rest"' in _cell(client.get(YEAR_URL), "2026-06-01")

    response = client.post(
        f"{YEAR_URL}days/", {"date": "2026-06-06", "kind": "workday", "name": "调休"}
    )
    assert response.status_code == 302
    assert 'class="makeup"' in _cell(client.get(YEAR_URL), "2026-06-06")

    # The calculator shows the effect: 05-29 + 3 days lands on the new rest day → 06-02.
    response = client.get(YEAR_URL, {"start": "2026-05-29", "days": "3"})
    assert response.context["deadlines"]["calendar_days"].date == D(2026, 6, 2)

    response = client.post(f"{YEAR_URL}days/remove/", {"date": "2026-06-01"})
    assert response.status_code == 302
    assert not CalendarDay.objects.for_tenant(seeded.tenant).filter(date=D(2026, 6, 1)).exists()
    actions = set(
        AuditEvent.objects.filter(tenant=seeded.tenant, actor=seeded.office_admin).values_list(
            "action", flat=True
        )
    )
    assert actions == {"calendar.day.create", "calendar.day.delete"}


def test_a_rule_break_is_shown_on_the_form(seeded, login):
    client = login(seeded.office_admin)
    response = client.post(
        f"{YEAR_URL}days/", {"date": "2026-06-03", "kind": "workday", "name": "调休"}
    )
    assert response.status_code == 200
    assert response.context["day_form"].errors["kind"]
    assert not CalendarDay.objects.for_tenant(seeded.tenant).filter(date=D(2026, 6, 3)).exists()


def test_change_link_prefills_the_form(seeded, login):
    response = login(seeded.office_admin).get(YEAR_URL, {"edit": "2026-09-20"})
    assert response.context["day_form"].initial == {
        "date": D(2026, 9, 20),
        "kind": DayKind.WORKDAY,
        "name": "国庆节",
    }


def test_load_from_package_and_confirm_by_hand(world, login):
    client = login(world.office_admin)  # tenant A not seeded yet
    assert client.post("/calendar/2026/load/").status_code == 302
    assert CalendarYear.objects.for_tenant(world.tenant).filter(year=2026).exists()
    assert CalendarDay.objects.for_tenant(world.tenant).filter(date__year=2026).exists()
    assert not CalendarDay.objects.for_tenant(world.tenant).filter(date__year=2025).exists()

    client.post("/calendar/2031/days/", {"date": "2031-01-01", "kind": "rest", "name": "元旦"})
    assert client.post("/calendar/2031/confirm/").status_code == 302
    assert 'data-testid="provisional-banner"' not in client.get("/calendar/2031/").content.decode()
    client.post("/calendar/2031/unconfirm/")
    assert 'data-testid="provisional-banner"' in client.get("/calendar/2031/").content.decode()


def test_calculator_flags_provisional_deadlines(seeded, login):
    response = login(seeded.reviewer).get("/calendar/2031/", {"start": "2031-01-01", "days": "3"})
    body = response.content.decode()
    assert 'data-testid="deadline-calendar-days">2031-01-06' in body
    assert "badge warn" in body


@pytest.mark.parametrize("persona", ["reviewer", "auditor"])
def test_reviewers_and_auditors_read_but_do_not_edit(seeded, login, persona):
    client = login(getattr(seeded, persona))
    response = client.get(YEAR_URL)
    assert response.status_code == 200
    assert 'data-testid="day-form"' not in response.content.decode()
    assert (
        client.post(
            f"{YEAR_URL}days/", {"date": "2026-06-01", "kind": "rest", "name": "x"}
        ).status_code
        == 403
    )
    assert client.post(f"{YEAR_URL}load/").status_code == 403


WRITE_POSTS = [
    ("days/", {"date": "2026-06-01", "kind": "rest", "name": "x"}),
    ("days/remove/", {"date": "2026-10-01"}),
    ("load/", {}),
    ("confirm/", {}),
    ("unconfirm/", {}),
]


@pytest.mark.parametrize("persona", ["city_cadre", "county_cadre", "agent", "finance"])
def test_cadres_agents_and_finance_cannot_edit(seeded, login, persona):
    client = login(getattr(seeded, persona))
    for suffix, data in WRITE_POSTS:
        assert client.post(YEAR_URL + suffix, data).status_code == 403, suffix
    assert CalendarDay.objects.for_tenant(seeded.tenant).filter(date=D(2026, 10, 1)).exists()
    assert not CalendarDay.objects.for_tenant(seeded.tenant).filter(date=D(2026, 6, 1)).exists()


def test_anonymous_goes_to_login(seeded, client):
    response = client.get(YEAR_URL)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_another_tenant_never_sees_tenant_a_days(seeded, login):
    login(seeded.office_admin).post(
        f"{YEAR_URL}days/", {"date": "2026-06-01", "kind": "rest", "name": "甲省特别日"}
    )
    other = login(seeded.other_tenant_admin)
    response = other.get(YEAR_URL)
    body = response.content.decode()
    assert "甲省特别日" not in body
    # B was never seeded: no package holiday shows up in B's grid or list of days.
    assert "class=" not in _cell(response, "2026-10-01")
    assert "class=" not in _cell(response, "2026-06-01")
    assert 'data-testid="provisional-banner"' in body
    # B's admin cannot remove A's day: for B it does not exist.
    other.post(f"{YEAR_URL}days/remove/", {"date": "2026-06-01"})
    assert CalendarDay.objects.for_tenant(seeded.tenant).filter(date=D(2026, 6, 1)).exists()


def test_year_page_query_count(seeded, login, django_assert_max_num_queries):
    client = login(seeded.office_admin)
    # 1 session, 2 user, 3 staff + tenant + node (actor), 4 calendar days of the tenant,
    # 5 complete years of the tenant, 6 the node's ancestry (header). The calculator and
    # the twelve month grids are computed in Python from 4 and 5.
    with django_assert_max_num_queries(8):
        response = client.get(YEAR_URL, {"start": "2026-09-28", "days": "3"})
    assert response.status_code == 200
    # More entered days do not add queries.
    CalendarDay.objects.bulk_create(
        CalendarDay(
            tenant=seeded.tenant,
            date=D(2035, 1, 1) + dt.timedelta(days=i),
            kind=DayKind.REST,
            name="x",
        )
        for i in range(300)
    )
    with django_assert_max_num_queries(8):
        assert client.get("/calendar/2035/").status_code == 200
