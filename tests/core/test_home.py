"""The home page: where I work, what is in my scope, and what happened lately."""

from __future__ import annotations

import html
import re

import pytest

from mutualaid.tenancy.models import OrganisationKind, Role
from tests import factories


def _testid(response, name: str) -> str:
    match = re.search(rf'data-testid="{name}">(.*?)</', response.content.decode(), re.S)
    assert match, f"no {name} on the page"
    return html.unescape(match.group(1)).strip()


@pytest.fixture
def as_user(login):
    def _as(user):
        client = login(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return _as


@pytest.mark.parametrize(
    ("who", "orgpath", "organisations", "units", "staff"),
    [
        ("office_admin", "甲省办事处", 7, 3, 11),
        ("city_cadre", "甲省办事处 / 甲市总工会", 6, 3, 5),
        ("county_cadre", "甲省办事处 / 甲市总工会 / 甲县总工会", 3, 2, 3),
        ("agent", "甲省办事处 / 甲市总工会 / 甲县总工会 / 甲县医院工会", 1, 1, 1),
        ("other_tenant_admin", "乙省办事处", 3, 1, 2),
    ],
)
def test_header_and_counts_are_the_users_own(
    world, as_user, who, orgpath, organisations, units, staff
):
    response = as_user(getattr(world, who)).get("/")
    assert response.status_code == 200
    assert _testid(response, "orgpath") == orgpath
    counts = [_testid(response, f"count-{name}") for name in ("organisations", "units", "staff")]
    assert counts == [str(organisations), str(units), str(staff)]


def test_recent_activity_for_auditors_and_admins_only(world, as_user):
    factories.make_audit_event(
        world.unit,
        actor_user=world.office_admin,
        action="organisation.update",
        object_repr="甲县医院工会(改名)",
    )
    for who, shown in (
        ("auditor", True),
        ("office_admin", True),
        ("county_cadre", False),
        ("agent", False),
    ):
        page = as_user(getattr(world, who)).get("/").content.decode()
        assert ("Recent activity" in page) is shown, who
        assert ("甲县医院工会(改名)" in page) is shown, who


def test_recent_activity_is_the_newest_eight_in_scope(world, as_user):
    events = [factories.make_audit_event(world.unit, action=f"test.n{n:02d}") for n in range(10)]
    factories.make_audit_event(world.other_unit, action="test.foreign")
    response = as_user(world.auditor).get("/")
    assert [e.pk for e in response.context["recent_events"]] == [e.pk for e in reversed(events)][:8]


def test_anonymous_goes_to_login(client, db):
    response = client.get("/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/")


def test_a_user_without_staff_membership_gets_403(client, db):
    from mutualaid.tenancy.models import User

    client.force_login(User.objects.create_user("loner", password="Zhigong2026ok"))
    assert client.get("/").status_code == 403


# Queries of the home page (the work inbox's sources: tests/notifications/test_inbox_page.py):
#   1 session, 2 user, the tenant scope (set, and restored at the end), 3 actor,
#   4 nodes in scope by kind (one GROUP BY), 5 staff in scope (COUNT),
#   [office admins: the calendar notice's check for next year's calendar]
#   [admins and auditors: the 8 newest events with their actor],
#   [office admins: individual applications to decide (one query when there are none)],
#   last: the header's org chain. Agents: + the member-filed reports and uploads (issue 17).
@pytest.mark.parametrize(("who", "queries"), [("agent", 17), ("auditor", 11), ("office_admin", 13)])
def test_home_query_count_does_not_grow(world, as_user, django_assert_num_queries, who, queries):
    client = as_user(getattr(world, who))
    with django_assert_num_queries(queries):
        client.get("/")
    for n in range(30):
        node = factories.make_node(world.county, OrganisationKind.UNIT, f"新单位{n}")
        factories.make_staff(node, Role.AGENT)
        factories.make_staff(world.unit, Role.AGENT)
        factories.make_audit_event(
            world.unit, actor_user=factories.make_staff(world.unit, Role.AGENT)
        )
    with django_assert_num_queries(queries):
        client.get("/")
