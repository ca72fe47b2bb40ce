"""The enrolment API: the same rules and scoping as the pages (E2, E4, E5, E11 through it)."""

from __future__ import annotations

import datetime as dt

import pytest

from enrolment.models import Enrolment, EnrolmentLine, EnrolmentStatus
from enrolment.services.lines import line_add, lines_import
from members.models import Member
from tests import factories
from tests.enrolment.support import new_enrolment, roster

D = dt.date


@pytest.fixture
def designated(plans):
    return plans["gx_designated_disease"]


@pytest.fixture
def draft(actors, units, designated):
    return new_enrolment(actors.agent, units.a1, designated)


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_create_and_read(world, units, designated, as_user):
    client = as_user(world.agent)
    response = _post(
        client,
        "/api/v1/enrolments/",
        {
            "unit": str(units.a1.pk),
            "plan": str(designated.pk),
            "start_date": "2026-03-16",
            "funding_mode": "union",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["start_date"], body["end_date"]) == (
        "draft",
        "2026-03-16",
        "2027-03-15",
    )
    assert body["allowed_steps"] == ["submit", "cancel"]
    detail = client.get(f"/api/v1/enrolments/{body['id']}/").json()
    assert detail["plan_name"] == "职工指定疾病(手术)"
    refused = _post(
        client, "/api/v1/enrolments/", {"unit": str(units.a1.pk), "plan": str(designated.pk)}
    )
    assert refused.status_code == 400 and "start_date" in refused.json()


def test_e2_mixed_counts_through_the_api(world, draft, as_user):
    client = as_user(world.agent, language="en")
    url = f"/api/v1/enrolments/{draft.pk}/lines/"
    first, second = roster(2, 4)
    assert _post(client, url, first).status_code == 201
    refused = _post(client, url, second)
    assert refused.status_code == 400
    assert refused.json() == {
        "shares": [
            "When members hold different numbers of shares, each may hold at most 3 "
            "(a renewal may keep last year's count)."
        ]
    }
    report = _post(client, url + "import/", {"rows": roster(2, 4), "preview": True}).json()
    assert [e["code"] for e in report["errors"]] == ["mixed_cap"]


def test_e4_exclusive_group_through_the_api(world, actors, units, plans, flow, as_user):
    member = factories.make_member(units.a1)
    holding = new_enrolment(actors.agent, units.a1, plans["gx_designated_disease"])
    line_add(actor=actors.agent, enrolment=holding, member=member, shares=1)
    flow(holding)
    comprehensive = new_enrolment(actors.agent, units.a1, plans["gx_comprehensive"])
    client = as_user(world.agent, language="en")
    refused = _post(
        client,
        f"/api/v1/enrolments/{comprehensive.pk}/lines/",
        {"member": str(member.pk), "shares": "1"},
    )
    assert refused.status_code == 400
    [message] = refused.json()["id_number"]
    assert "职工指定疾病(手术)" in message and "cannot be held over the same period" in message


def test_e5_womens_plan_through_the_api(world, actors, units, plans, as_user):
    female = new_enrolment(actors.agent, units.a1, plans["gx_female_workers"])
    [row] = roster(1, male=True)
    refused = _post(
        as_user(world.agent, language="en"), f"/api/v1/enrolments/{female.pk}/lines/", row
    )
    assert refused.status_code == 400
    assert refused.json() == {
        "id_number": ["This plan is for women only; the ID number shows a man."]
    }
    assert not Member.objects.filter(id_number=row["id_number"]).exists()


def test_e11_duplicates_through_the_import_api(world, draft, as_user):
    rows = roster(1, 1, 1, 1, 1, 1)
    rows[5]["id_number"] = rows[1]["id_number"]
    client = as_user(world.agent, language="en")
    response = _post(client, f"/api/v1/enrolments/{draft.pk}/lines/import/", {"rows": rows})
    assert response.status_code == 400
    report = response.json()
    assert (report["valid"], report["invalid"], report["written"]) == (4, 2, False)
    duplicates = [e for e in report["errors"] if e["code"] == "duplicate_in_roster"]
    assert [e["row"] for e in duplicates] == [3, 7]
    assert all(e["text"].startswith(f"Row {e['row']}, ID number:") for e in duplicates)
    assert EnrolmentLine.objects.count() == 0
    written = _post(
        client, f"/api/v1/enrolments/{draft.pk}/lines/import/", {"rows": rows, "only_valid": True}
    ).json()
    assert (written["written"], written["lines_written"]) == (True, 4)


def test_lines_list_masks_id_numbers_unless_asked(world, draft, as_user):
    lines_import(actor=world.actor(world.agent), enrolment=draft, rows=roster(1))
    client = as_user(world.agent)
    [line] = client.get(f"/api/v1/enrolments/{draft.pk}/lines/").json()["results"]
    assert "**********" in line["id_number"]
    [line] = client.get(f"/api/v1/enrolments/{draft.pk}/lines/?full_id_number=1").json()["results"]
    assert "*" not in line["id_number"]
    cadre = as_user(world.county_cadre)
    [line] = cadre.get(f"/api/v1/enrolments/{draft.pk}/lines/?full_id_number=1").json()["results"]
    assert "**********" in line["id_number"]


def test_line_patch_and_delete(world, units, draft, as_user):
    member = factories.make_member(units.a1)
    client = as_user(world.agent)
    _post(client, f"/api/v1/enrolments/{draft.pk}/lines/", {"member": str(member.pk), "shares": 1})
    url = f"/api/v1/enrolments/{draft.pk}/lines/{member.pk}/"
    patched = client.patch(url, {"shares": "3"}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["shares"] == 3
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404


def test_steps_through_the_api(world, draft, as_user):
    lines_import(actor=world.actor(world.agent), enrolment=draft, rows=roster(1))
    agent = as_user(world.agent)
    assert agent.get(f"/api/v1/enrolments/{draft.pk}/submit/").json() == {
        "status": "draft",
        "allowed": True,
    }
    assert (
        _post(agent, f"/api/v1/enrolments/{draft.pk}/submit/", {}).json()["status"] == "submitted"
    )
    # Roles: an agent may not check or accept (403 before anything else).
    assert _post(agent, f"/api/v1/enrolments/{draft.pk}/check/", {}).status_code == 403
    assert _post(agent, f"/api/v1/enrolments/{draft.pk}/accept/", {}).status_code == 403
    cadre = as_user(world.county_cadre, language="en")
    no_reason = _post(cadre, f"/api/v1/enrolments/{draft.pk}/send-back/", {})
    assert no_reason.status_code == 400 and no_reason.json() == {"reason": ["Enter the reason."]}
    sent = _post(cadre, f"/api/v1/enrolments/{draft.pk}/send-back/", {"reason": "缺盖章"}).json()
    assert (sent["status"], sent["return_reason"]) == ("returned", "缺盖章")
    illegal = _post(cadre, f"/api/v1/enrolments/{draft.pk}/check/", {})
    assert illegal.status_code == 400
    # A cadre of the other county does not see it at all.
    other = factories.make_staff(world.other_county, "cadre")
    assert _post(as_user(other), f"/api/v1/enrolments/{draft.pk}/check/", {}).status_code == 404


def test_policies_by_member(world, units, plans, as_user):
    member = factories.make_member(units.a1)
    policy = factories.make_policy(member, plans["gx_designated_disease"], shares=2)
    factories.make_policy(factories.make_member(units.a1), plans["gx_designated_disease"])
    client = as_user(world.agent)
    [row] = client.get(f"/api/v1/policies/?member={member.pk}").json()["results"]
    assert (row["id"], row["shares"], row["start"]) == (str(policy.pk), 2, "2026-03-16")
    assert row["tranches"] == [{"shares": 2, "start": "2026-03-16", "waiting_end": "2026-03-16"}]
    assert len(client.get("/api/v1/policies/").json()["results"]) == 2
    assert as_user(world.sibling_agent).get(f"/api/v1/policies/{policy.pk}/").status_code == 404
    assert (
        as_user(world.sibling_agent).get(f"/api/v1/policies/?member={member.pk}").status_code == 404
    )


@pytest.fixture
def grow(world, units, plans):
    def _grow():
        plan = plans["gx_group_accident"]
        for _ in range(30):
            member = factories.make_member(units.a1)
            factories.make_enrolment(units.a1, plan)
            factories.make_policy(member, plan)

    return _grow


def test_api_enrolment_list_query_count(world, draft, grow, as_user, django_assert_num_queries):
    client = as_user(world.office_admin)
    # 1 session, 2 user, 3 actor, 4 one keyset page of enrolments with unit node, plan and
    # version joined (the totals are columns, allowed steps need no query).
    with django_assert_num_queries(6):
        before = len(client.get("/api/v1/enrolments/?page_size=500").json()["results"])
    grow()
    with django_assert_num_queries(6):
        after = len(client.get("/api/v1/enrolments/?page_size=500").json()["results"])
    assert after == before + 60  # each policy of the factory comes with its own enrolment


def test_api_policy_list_query_count(world, grow, as_user, django_assert_num_queries):
    client = as_user(world.office_admin)
    grow()
    # 1 session, 2 user, 3 actor, 4 one keyset page of policies with member, node, plan and
    # version, 5 their tranches.
    with django_assert_num_queries(7):
        first = len(client.get("/api/v1/policies/?page_size=500").json()["results"])
    grow()
    with django_assert_num_queries(7):
        assert len(client.get("/api/v1/policies/?page_size=500").json()["results"]) == first + 30


def test_api_line_list_query_count(world, draft, as_user, django_assert_num_queries):
    client = as_user(world.agent)
    url = f"/api/v1/enrolments/{draft.pk}/lines/?page_size=500"
    lines_import(actor=world.actor(world.agent), enrolment=draft, rows=roster(1, 1))
    # 1 session, 2 user, 3 actor, 4 the enrolment, 5 one keyset page of lines with member
    # and member's node.
    with django_assert_num_queries(7):
        client.get(url)
    lines_import(actor=world.actor(world.agent), enrolment=draft, rows=roster(*[1] * 30))
    with django_assert_num_queries(7):
        assert len(client.get(url).json()["results"]) == 32


def test_enrolments_of_another_tenant_are_invisible(world, draft, as_user):
    client = as_user(world.other_tenant_admin)
    assert client.get("/api/v1/enrolments/").json()["results"] == []
    assert client.get(f"/api/v1/enrolments/{draft.pk}/").status_code == 404
    assert Enrolment.objects.get(pk=draft.pk).status == EnrolmentStatus.DRAFT
