"""The audit log page: who reads it, what it shows, filters, keyset paging; the admin's view."""

from __future__ import annotations

import datetime as dt
import re
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from mutualaid.audit.models import AuditEvent
from mutualaid.tenancy.models import Role, User
from tests import factories

URL = "/audit/"
SHANGHAI = ZoneInfo("Asia/Shanghai")
OLDER = re.compile(r'<a class="btn secondary" href="\?([^"]*)">')


@pytest.fixture
def as_user(login):
    def _as(user):
        client = login(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return _as


def _at(when: dt.datetime):
    """Events created inside this block are stamped ``when`` (``at`` is auto_now_add)."""
    return mock.patch("django.utils.timezone.now", return_value=when)


def _ids(response) -> list[int]:
    return [event.pk for event in response.context["page"].rows]


# --- Who reads it ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("office_admin", 200),
        ("auditor", 200),
        ("agent", 403),
        ("county_cadre", 403),
        ("reviewer", 403),
        ("finance", 403),
    ],
)
def test_auditors_and_office_admins_only(world, as_user, who, status):
    assert as_user(getattr(world, who)).get(URL).status_code == status


def test_events_show_who_what_where_before_and_after(world, as_user):
    factories.make_audit_event(
        world.unit,
        actor_user=world.office_admin,
        action="organisation.update",
        object_repr="甲县医院工会",
        before={"name": "旧名"},
        after={"name": "新名"},
    )
    page = as_user(world.auditor).get(URL).content.decode()
    for text in ("Administrator", "甲县医院工会", "旧名 → 新名"):
        assert text in page
    assert "organisation.update" not in page  # a sentence, not the code


def test_system_events_say_system(world, as_user):
    factories.make_audit_event(world.unit, actor_user=None, action="renewal.prepare")
    assert "system" in as_user(world.auditor).get(URL).content.decode()


def test_a_city_auditor_sees_only_its_subtree(world, as_user):
    city_auditor = factories.make_staff(world.city, Role.AUDITOR, username="city_auditor")
    below = [
        factories.make_audit_event(node, action="test.below")
        for node in (world.city, world.county, world.unit, world.other_county_unit)
    ]
    factories.make_audit_event(world.office, action="test.above")
    factories.make_audit_event(world.other_unit, action="test.other_tenant")
    response = as_user(city_auditor).get(URL)
    assert sorted(_ids(response)) == sorted(e.pk for e in below)


def test_an_office_auditor_sees_the_tenant_but_not_the_other_tenant(world, as_user):
    mine = factories.make_audit_event(world.unit)
    factories.make_audit_event(world.other_unit)
    assert _ids(as_user(world.auditor).get(URL)) == [mine.pk]


# --- Filters -------------------------------------------------------------------------------


@pytest.fixture
def events(world):
    cadre = User.objects.get(username="county_cadre")
    cadre.display_name = "莫干事"
    cadre.save(update_fields=["display_name"])
    made = {}
    with _at(dt.datetime(2026, 3, 14, 23, 30, tzinfo=SHANGHAI)):
        made["march14"] = factories.make_audit_event(
            world.unit,
            actor_user=world.office_admin,
            action="organisation.create",
            object_repr="甲县医院工会",
        )
    with _at(dt.datetime(2026, 3, 15, 0, 30, tzinfo=SHANGHAI)):  # 16:30 UTC on the 14th
        made["march15"] = factories.make_audit_event(
            world.county, actor_user=cadre, action="staff.create", object_repr="jx_agent2"
        )
    with _at(dt.datetime(2026, 3, 20, 9, 0, tzinfo=SHANGHAI)):
        made["march20"] = factories.make_audit_event(
            world.sibling_unit, actor_user=cadre, action="staff.update", object_repr="sibling_agent"
        )
    return made


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["march20", "march15", "march14"]),
        ({"action": "staff."}, ["march20", "march15"]),
        ({"action": "organisation.create"}, ["march14"]),
        ({"action": "create"}, []),  # a prefix, not a substring
        ({"who": "county_cad"}, ["march20", "march15"]),
        ({"who": "莫干事"}, ["march20", "march15"]),  # the display name works too
        ({"who": "OFFICE"}, ["march14"]),
        ({"obj": "医院"}, ["march14"]),
        ({"obj": "SIBLING"}, ["march20"]),
        # Dates are the office's calendar days (Asia/Shanghai), not UTC days.
        ({"date_from": "2026-03-15"}, ["march20", "march15"]),
        ({"date_to": "2026-03-14"}, ["march14"]),
        ({"date_from": "2026-03-15", "date_to": "2026-03-15"}, ["march15"]),
        ({"date_from": "2026-03-16", "action": "staff."}, ["march20"]),
        ({"date_from": "not-a-date"}, ["march20", "march15", "march14"]),
    ],
)
def test_filters(world, as_user, events, params, expected):
    response = as_user(world.auditor).get(URL, params)
    assert response.status_code == 200
    assert _ids(response) == [events[name].pk for name in expected]


def test_filter_by_object_id(world, as_user, events):
    response = as_user(world.auditor).get(URL, {"obj": str(world.county.pk)})
    assert _ids(response) == [events["march15"].pk]


def test_no_match_says_so(world, as_user, events):
    assert (
        "No events match." in as_user(world.auditor).get(URL, {"action": "claim."}).content.decode()
    )


# --- Keyset paging through the "Older events" link --------------------------------------------


def _follow_older_links(client, first_params):
    pages, response = [], client.get(URL, first_params)
    while True:
        pages.append(_ids(response))
        link = OLDER.search(response.content.decode())
        if not link:
            return pages
        query = link.group(1).replace("&amp;", "&")
        response = client.get(f"{URL}?{query}")
        assert len(pages) < 50


def test_older_events_link_pages_through_ties_without_repeats_or_gaps(world, as_user):
    # 120 events stamped with the very same instant: only the id breaks the tie.
    with _at(dt.datetime(2026, 5, 1, 10, 0, tzinfo=SHANGHAI)):
        made = [factories.make_audit_event(world.unit, action="test.tie") for _ in range(120)]
    pages = _follow_older_links(as_user(world.auditor), {})
    assert [len(p) for p in pages] == [50, 50, 20]
    assert [pk for page in pages for pk in page] == sorted((e.pk for e in made), reverse=True)


def test_older_events_link_keeps_the_filters(world, as_user):
    with _at(dt.datetime(2026, 5, 1, 10, 0, tzinfo=SHANGHAI)):
        wanted = [factories.make_audit_event(world.unit, action="staff.update") for _ in range(60)]
        for _ in range(60):
            factories.make_audit_event(world.unit, action="organisation.update")
    pages = _follow_older_links(as_user(world.auditor), {"action": "staff."})
    assert [pk for page in pages for pk in page] == sorted((e.pk for e in wanted), reverse=True)


def test_no_older_link_on_the_last_page(world, as_user):
    factories.make_audit_event(world.unit)
    assert not OLDER.search(as_user(world.auditor).get(URL).content.decode())


@pytest.mark.parametrize("cursor", ["garbage", "W251bGwsIG51bGxd", "WyJ4IiwgInkiXQ", "e30"])
def test_a_forged_cursor_is_a_400_that_says_so(world, as_user, cursor):
    # Not a silent first page (issue 12): the link is refused, with a way back.
    factories.make_audit_event(world.unit)
    response = as_user(world.auditor).get(URL, {"after": cursor})
    assert response.status_code == 400
    assert "This page link is out of date or damaged" in response.content.decode()


# --- Query count -------------------------------------------------------------------------------


def test_audit_page_query_count_does_not_grow(world, as_user, django_assert_num_queries):
    # 1 session, 2 user, 3 actor (staff + tenant + node), 4 the page of events with
    # their actor and node joined, 5 the header's org chain.
    client = as_user(world.auditor)
    for _ in range(5):
        factories.make_audit_event(world.unit, actor_user=world.office_admin)
    with django_assert_num_queries(7):
        assert len(_ids(client.get(URL))) == 5
    for n in range(30):
        node = factories.make_node(world.county, "unit", f"新单位{n}")
        factories.make_audit_event(node, actor_user=factories.make_staff(node, Role.AGENT))
    with django_assert_num_queries(7):
        assert len(_ids(client.get(URL))) == 35


# --- The Django admin offers no change or delete --------------------------------------------------


@pytest.fixture
def operator_client(client, world):
    """The strongest account that reads audit events in the admin: tenant A's office admin
    as a superuser (a platform operator without a tenant sees no tenant rows there)."""
    User.objects.filter(pk=world.office_admin.pk).update(is_superuser=True, is_staff=True)
    client.force_login(User.objects.get(pk=world.office_admin.pk))
    return client


def test_a_platform_operator_gets_no_tenant_rows_in_the_admin(client, world):
    factories.make_audit_event(world.unit, action="organisation.update")
    operator = User.objects.create_superuser("operator", password="Operator-2026x")
    client.force_login(operator)
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 403
    assert client.get(reverse("admin:members_member_changelist")).status_code == 403
    assert client.get(reverse("admin:tenancy_tenant_changelist")).status_code == 200


def test_admin_lists_events_but_cannot_add_change_or_delete(operator_client, world):
    event = factories.make_audit_event(
        world.unit, action="organisation.update", after={"name": "新名"}
    )
    changelist = operator_client.get(reverse("admin:audit_auditevent_changelist"))
    assert changelist.status_code == 200
    assert "organisation.update" in changelist.content.decode()

    change_url = reverse("admin:audit_auditevent_change", args=[event.pk])
    page = operator_client.get(change_url)
    assert page.status_code == 200  # read-only view
    html = page.content.decode()
    assert (
        'name="_save"' not in html
        and reverse("admin:audit_auditevent_delete", args=[event.pk]) not in html
    )

    assert operator_client.post(change_url, {"action": "rewritten"}).status_code == 403
    delete_url = reverse("admin:audit_auditevent_delete", args=[event.pk])
    assert operator_client.get(delete_url).status_code == 403
    assert operator_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert operator_client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    bulk = operator_client.post(
        reverse("admin:audit_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk]},
    )
    assert bulk.status_code in (200, 302, 403)
    assert AuditEvent.objects.get(pk=event.pk).action == "organisation.update"
