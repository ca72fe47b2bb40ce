"""Enrolment pages as agents, cadres and the office use them (in English, for asserts)."""

from __future__ import annotations

import datetime as dt

import pytest

from enrolment.models import Enrolment, EnrolmentLine, EnrolmentStatus, Policy
from enrolment.services.drafts import enrolment_create
from enrolment.services.lines import line_add, line_update, lines_import
from members.models import Member
from tests import factories
from tests.enrolment.support import new_enrolment, roster, row_of

D = dt.date


@pytest.fixture
def designated(plans):
    return plans["gx_designated_disease"]


@pytest.fixture
def draft(actors, units, designated):
    enrolment = new_enrolment(actors.agent, units.a1, designated)
    lines_import(actor=actors.agent, enrolment=enrolment, rows=roster(2, 3))
    return enrolment


def _body(response) -> str:
    return response.content.decode()


# --- Create -------------------------------------------------------------------------------------


def test_an_agent_creates_an_enrolment(world, units, designated, as_user):
    client = as_user(world.agent)
    form = client.get("/enrolments/new/")
    assert form.status_code == 200
    # The agent chooses among their own unit only.
    assert [u.pk for u in form.context["form"].fields["unit"].queryset] == [units.a1.pk]
    response = client.post(
        "/enrolments/new/",
        {
            "unit": units.a1.pk,
            "plan": designated.pk,
            "start_date": "2026-03-16",
            "funding_mode": "union",
            "administration_amount": "0",
            "union_amount": "0",
            "member_amount": "0",
            "federation_amount": "0",
            "note": "",
        },
    )
    enrolment = Enrolment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/enrolments/{enrolment.pk}/"
    assert (enrolment.unit_id, enrolment.start_date, enrolment.status) == (
        units.a1.pk,
        D(2026, 3, 16),
        "draft",
    )


def test_create_shows_the_services_message(world, units, designated, as_user):
    response = as_user(world.agent).post(
        "/enrolments/new/",
        {
            "unit": units.a1.pk,
            "plan": designated.pk,
            "start_date": "2018-01-01",
            "funding_mode": "union",
        },
    )
    assert response.status_code == 200
    assert "No published version of this plan is in force on 2018-01-01." in _body(response)


def test_reviewers_and_finance_do_not_draft(world, as_user):
    assert as_user(world.reviewer).get("/enrolments/new/").status_code == 403
    assert as_user(world.finance).get("/enrolments/new/").status_code == 403


# --- Detail: roster, totals, steps --------------------------------------------------------------


def test_detail_shows_roster_totals_and_steps(world, draft, as_user):
    response = as_user(world.agent).get(f"/enrolments/{draft.pk}/")
    body = _body(response)
    assert 'data-testid="member-total">2<' in body and 'data-testid="share-total">5<' in body
    assert 'data-testid="premium-total">¥200.00<' in body
    assert len(response.context["page"].rows) == 2
    assert [s for s, _label in response.context["buttons"]] == ["submit"]
    assert response.context["editable"] and response.context["can_cancel"]
    assert 'data-testid="step-submit"' in body and "Add a member" in body


def test_the_steps_through_the_pages_and_the_history(world, draft, as_user):
    assert as_user(world.agent).post(f"/enrolments/{draft.pk}/submit/").status_code == 302
    cadre = as_user(world.county_cadre)
    page = cadre.get(f"/enrolments/{draft.pk}/")
    assert [s for s, _label in page.context["buttons"]] == ["check"]
    assert page.context["can_send_back"] and not page.context["editable"]
    assert cadre.post(f"/enrolments/{draft.pk}/check/").status_code == 302
    office = as_user(world.office_admin)
    assert office.post(f"/enrolments/{draft.pk}/accept/").status_code == 302
    draft.refresh_from_db()
    assert draft.status == EnrolmentStatus.ACCEPTED
    history = office.get(f"/enrolments/{draft.pk}/").context["history"]
    assert [(h.to_status, h.actor.username) for h in history] == [
        ("draft", "agent"),
        ("submitted", "agent"),
        ("checked", "county_cadre"),
        ("accepted", "office_admin"),
    ]


def test_an_agent_cannot_accept_through_the_page(world, draft, as_user):
    client = as_user(world.agent)
    client.post(f"/enrolments/{draft.pk}/submit/")
    assert client.post(f"/enrolments/{draft.pk}/accept/").status_code == 403
    assert client.post(f"/enrolments/{draft.pk}/check/").status_code == 403
    draft.refresh_from_db()
    assert draft.status == EnrolmentStatus.SUBMITTED


def test_an_illegal_step_is_a_message_not_a_crash(world, draft, as_user):
    response = as_user(world.county_cadre).post(f"/enrolments/{draft.pk}/check/", follow=True)
    assert "that step is not possible now" in _body(response)


def test_steps_answer_get_with_405_after_the_scope_check(world, draft, as_user):
    assert as_user(world.agent).get(f"/enrolments/{draft.pk}/submit/").status_code == 405
    assert as_user(world.sibling_agent).get(f"/enrolments/{draft.pk}/submit/").status_code == 404


def test_send_back_with_reason_is_shown_to_the_unit(world, draft, as_user):
    as_user(world.agent).post(f"/enrolments/{draft.pk}/submit/")
    cadre = as_user(world.county_cadre)
    empty = cadre.post(f"/enrolments/{draft.pk}/send-back/", {"send_back-reason": ""})
    assert empty.status_code == 400 and "Enter the reason." in _body(empty)
    cadre.post(f"/enrolments/{draft.pk}/send-back/", {"send_back-reason": "请补充盖章的登记表"})
    page = as_user(world.agent).get(f"/enrolments/{draft.pk}/")
    body = _body(page)
    assert 'data-testid="return-reason"' in body and "请补充盖章的登记表" in body
    assert page.context["editable"]
    assert [(h.to_status, h.reason) for h in page.context["history"]][-1] == (
        "returned",
        "请补充盖章的登记表",
    )


def test_a_submission_refused_marks_the_lines(world, draft, designated, as_user):
    member = draft.lines.order_by("id").first().member
    factories.make_policy(member, designated, start=D(2026, 1, 1), end=D(2026, 12, 31))
    response = as_user(world.agent).post(f"/enrolments/{draft.pk}/submit/", follow=True)
    body = _body(response)
    assert "1 lines of the roster need attention" in body
    assert "Needs attention" in body


# --- Lines: the form, the instant check, choosing members ---------------------------------------


def test_line_form_adds_a_new_person_without_javascript(world, units, draft, as_user):
    [row] = roster(2)
    response = as_user(world.agent).post(
        f"/enrolments/{draft.pk}/lines/new/",
        {
            "name": row["name"],
            "id_number": row["id_number"],
            "shares": "2",
            "category": "",
            "phone": "",
        },
    )
    assert response.status_code == 302
    assert EnrolmentLine.objects.filter(
        enrolment=draft, member__id_number=row["id_number"]
    ).exists()


def test_line_form_shows_the_rules_message_on_the_field(world, draft, as_user):
    [row] = roster(4)
    response = as_user(world.agent).post(
        f"/enrolments/{draft.pk}/lines/new/",
        {
            "name": row["name"],
            "id_number": row["id_number"],
            "shares": "4",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["shares"] == [
        "When members hold different numbers of shares, each may hold at most 3 "
        "(a renewal may keep last year's count)."
    ]
    assert not Member.objects.filter(id_number=row["id_number"]).exists()


def test_the_instant_check_runs_the_same_rules(world, draft, as_user):
    client = as_user(world.agent)
    url = f"/enrolments/{draft.pk}/lines/check/"
    [row] = roster(4)
    bad = client.post(
        url,
        {"name": row["name"], "id_number": row["id_number"], "shares": "4"},
        HTTP_HX_REQUEST="true",
    )
    assert bad.status_code == 200 and 'data-testid="line-check-errors"' in _body(bad)
    assert "at most 3" in _body(bad) and "<html" not in _body(bad)
    good = client.post(url, {"name": row["name"], "id_number": row["id_number"], "shares": "3"})
    assert 'data-testid="line-check-ok"' in _body(good)
    wrong_id = client.post(url, {"name": "张伟", "id_number": "110105194912310021", "shares": "1"})
    assert "The check digit of the ID number is wrong." in _body(wrong_id)
    incomplete = client.post(url, {"name": "张伟"})
    assert _body(incomplete).strip() == ""  # nothing to say until ID number and shares are in
    assert not Member.objects.filter(id_number=row["id_number"]).exists()
    assert client.get(url).status_code == 405


def test_the_line_form_page_wires_the_check(world, draft, as_user):
    body = _body(as_user(world.agent).get(f"/enrolments/{draft.pk}/lines/new/"))
    assert (
        f'hx-post="/enrolments/{draft.pk}/lines/check/"' in body and 'hx-trigger="change"' in body
    )
    assert "style=" not in body  # CSP: no inline styles


def test_choose_members_of_the_unit(world, units, draft, as_user):
    a, b = (
        factories.make_member(units.a1, name="甲一"),
        factories.make_member(units.a1, name="甲二"),
    )
    factories.make_member(units.a2, name="乙一")
    client = as_user(world.agent)
    page = client.get(f"/enrolments/{draft.pk}/lines/choose/")
    names = [m.name for m in page.context["page"].rows]
    assert names == ["甲一", "甲二"]  # not the sibling unit's, not those on the roster
    response = client.post(
        f"/enrolments/{draft.pk}/lines/choose/", {"member": [a.pk, b.pk], "shares": "2"}
    )
    assert response.status_code == 302
    assert set(draft.lines.values_list("member_id", flat=True)) >= {a.pk, b.pk}


def test_choose_members_refuses_all_when_one_cannot_join(world, units, plans, as_user):
    female = new_enrolment(world.actor(world.agent), units.a1, plans["gx_female_workers"])
    woman = factories.make_member(
        units.a1, name="王秀英", id_number=factories.make_id_number(male=False)
    )
    man = factories.make_member(
        units.a1, name="张伟", id_number=factories.make_id_number(male=True)
    )
    response = as_user(world.agent).post(
        f"/enrolments/{female.pk}/lines/choose/", {"member": [woman.pk, man.pk], "shares": "1"}
    )
    assert response.status_code == 200
    assert "This plan is for women only; the ID number shows a man." in _body(response)
    assert female.lines.count() == 0


def test_line_edit_and_remove(world, draft, as_user):
    line = draft.lines.order_by("id").first()
    client = as_user(world.agent)
    assert (
        client.post(
            f"/enrolments/{draft.pk}/lines/{line.member_id}/edit/", {"shares": "3"}
        ).status_code
        == 302
    )
    line.refresh_from_db()
    assert line.shares == 3
    assert client.post(f"/enrolments/{draft.pk}/lines/{line.member_id}/remove/").status_code == 302
    assert not draft.lines.filter(pk=line.pk).exists()


# --- List --------------------------------------------------------------------------------------


def test_list_filters_by_status_unit_and_plan(world, actors, units, plans, draft, as_user):
    other = new_enrolment(actors.sibling_agent, units.a2, plans["gx_group_accident"])
    client = as_user(world.county_cadre)
    rows = lambda **q: [e.pk for e in client.get("/enrolments/", q).context["page"].rows]  # noqa: E731
    assert set(rows()) == {draft.pk, other.pk}
    assert rows(unit=units.a2.pk) == [other.pk]
    assert rows(plan=plans["gx_designated_disease"].pk) == [draft.pk]
    assert rows(status="submitted") == []
    assert as_user(world.agent).get("/enrolments/").context["page"].rows == [draft]


def test_list_pages_by_keyset(world, actors, units, plans, as_user):
    plan = plans["gx_group_accident"]
    for _ in range(55):
        factories.make_enrolment(units.a1, plan)
    client = as_user(world.agent)
    first = client.get("/enrolments/")
    second = client.get("/enrolments/", {"after": first.context["page"].next_cursor})
    seen = [e.pk for e in first.context["page"].rows + second.context["page"].rows]
    assert len(seen) == len(set(seen)) == 55


# --- Query counts (STYLE habit 7) --------------------------------------------------------------


@pytest.fixture
def many(world, units, plans):
    """Thirty more enrolments and a roster thirty lines longer: pages grow, queries do not."""

    def grow(enrolment):
        plan = plans["gx_group_accident"]
        for _ in range(30):
            factories.make_enrolment(units.a1, plan)
        members = [factories.make_member(units.a1) for _ in range(30)]
        lines_import(
            actor=world.actor(world.agent),
            enrolment=enrolment,
            rows=[row_of(m, 2) for m in members],
        )

    return grow


def test_list_page_query_count(world, draft, many, as_user, django_assert_num_queries):
    client = as_user(world.office_admin)
    # 1 session, 2 user, 3 actor (staff + tenant + node), 4 one keyset page of enrolments
    # with unit node, plan and version joined, 5 the header's org chain, 6 the plan filter.
    with django_assert_num_queries(8):
        before = len(client.get("/enrolments/").context["page"].rows)
    many(draft)
    with django_assert_num_queries(8):
        after = len(client.get("/enrolments/").context["page"].rows)
    assert after == before + 30


def test_detail_page_query_count(world, draft, many, as_user, django_assert_num_queries):
    client = as_user(world.agent)
    # 1 session, 2 user, 3 actor, 4 the enrolment with unit, plan, version, previous,
    # 5 one keyset page of lines with member and member's node, 6 the steps with who,
    # 7 the header's org chain.
    with django_assert_num_queries(9):
        before = len(client.get(f"/enrolments/{draft.pk}/").context["page"].rows)
    many(draft)
    with django_assert_num_queries(9):
        after = len(client.get(f"/enrolments/{draft.pk}/").context["page"].rows)
    assert after == before + 30


# --- Member page: all cover, past and present ---------------------------------------------------


def test_member_page_shows_every_policy_with_tranches(world, actors, units, plans, flow, as_user):
    member = factories.make_member(units.a1, name="覃美玲")
    last = new_enrolment(
        actors.agent, units.a1, plans["gx_designated_disease"], start=D(2025, 3, 16)
    )
    line_add(actor=actors.agent, enrolment=last, member=member, shares=2)
    flow(last, paid=D(2025, 3, 15))
    renewal = enrolment_create(actor=actors.agent, unit=units.a1, kind="renewal", previous=last)
    line_update(actor=actors.agent, enrolment=renewal, member=member, shares=3)
    flow(renewal, paid=D(2026, 3, 1))
    # The member moves to the sibling unit: the cover stays, both units see it.
    factories.make_transfer(member, world.sibling_unit, world.office_admin)
    for user in (world.sibling_agent, world.office_admin):
        response = as_user(user).get(f"/members/{member.pk}/")
        cover = response.context["cover"]
        assert [(p.start, p.end, p.shares) for p in cover] == [
            (D(2026, 3, 16), D(2027, 3, 15), 3),
            (D(2025, 3, 16), D(2026, 3, 15), 2),
        ]
        body = _body(response)
        assert 'data-testid="cover"' in body and "2026-07-14" in body and "no wait" in body
    policy = Policy.objects.get(enrolment=renewal)
    assert as_user(world.sibling_agent).get(f"/enrolments/policies/{policy.pk}/").status_code == 200
    assert as_user(world.agent).get(f"/enrolments/policies/{policy.pk}/").status_code == 200


def test_member_page_without_cover(world, units, as_user):
    member = factories.make_member(units.a1)
    assert 'data-testid="no-cover"' in _body(as_user(world.agent).get(f"/members/{member.pk}/"))


def test_member_page_query_count_does_not_grow_with_policies(
    world, units, plans, as_user, django_assert_num_queries
):
    member = factories.make_member(units.a1)
    factories.make_policy(member, plans["gx_designated_disease"])
    client = as_user(world.agent)
    # 1 session, 2 user, 3 actor, 4 member, 5 transfers, 6 policies with plan, version and
    # node, 7 their tranches, 8 the header's org chain.
    with django_assert_num_queries(10):
        client.get(f"/members/{member.pk}/")
    for start in (D(2027, 3, 16), D(2028, 3, 16)):
        factories.make_policy(member, plans["gx_designated_disease"], start=start)
    with django_assert_num_queries(10):
        assert len(client.get(f"/members/{member.pk}/").context["cover"]) == 3


def test_ending_a_policy_from_its_page(world, units, plans, as_user):
    policy = factories.make_policy(factories.make_member(units.a1), plans["gx_designated_disease"])
    client = as_user(world.agent)
    assert (
        client.post(
            f"/enrolments/policies/{policy.pk}/end/", {"on": "2026-09-30", "reason": "调离"}
        ).status_code
        == 302
    )
    policy.refresh_from_db()
    assert (policy.status, policy.ended_on, policy.end_reason) == ("ended", D(2026, 9, 30), "调离")
    missing_reason = client.post(f"/enrolments/policies/{policy.pk}/end/", {"on": "2026-09-01"})
    assert missing_reason.status_code == 200


def test_malformed_filters_answer_404_not_500(world, as_user):
    client = as_user(world.agent)
    assert client.get("/enrolments/", {"plan": "abc"}).status_code == 404
    assert client.get("/enrolments/", {"unit": "abc"}).status_code == 404
    assert client.get("/api/v1/enrolments/", {"plan": "abc"}).status_code == 404
    assert client.get("/api/v1/policies/", {"member": "abc"}).status_code == 404
    assert client.get("/enrolments/", {"status": "nonsense"}).status_code == 200
    # A damaged page link is refused with a message, not ignored (issue 12).
    assert client.get("/enrolments/", {"status": "nonsense", "after": "zzz"}).status_code == 400
