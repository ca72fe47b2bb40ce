"""Enrolment services: the roster import, the steps and who may take them, policies."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.utils import translation

from enrolment import access
from enrolment.models import (
    Enrolment,
    EnrolmentLine,
    EnrolmentStatus,
    LineStatus,
    Policy,
    PolicyStatus,
    ShareTranche,
    StatusChange,
)
from enrolment.services import cover, drafts, lines, workflow
from enrolment.services.common import RosterRejected, StepRefused
from members.models import EmploymentStatus, Member, MemberCategory
from mutualaid.audit.models import AuditEvent
from tests import factories
from tests.enrolment.support import START, codes, new_enrolment, roster, row_of

D = dt.date


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def designated(plans):
    return plans["gx_designated_disease"]


@pytest.fixture
def draft(actors, units, designated):
    return new_enrolment(actors.agent, units.a1, designated)


# --- Creating an enrolment ---------------------------------------------------------------------


def test_create_binds_the_version_in_force_on_the_start_date(world, actors, units, designated):
    newer = factories.make_version(
        designated, terms=designated.versions.get().engine_terms(), valid_from=D(2027, 1, 1)
    )
    old = new_enrolment(actors.agent, units.a1, designated, start=D(2026, 12, 31))
    new = new_enrolment(actors.agent, units.a1, designated, start=D(2027, 1, 1))
    assert old.plan_version != newer and new.plan_version == newer
    assert (new.start_date, new.end_date) == (D(2027, 1, 1), D(2027, 12, 31))
    assert new.exclusive_group == "gx_core" and new.status == EnrolmentStatus.DRAFT
    [step] = StatusChange.objects.filter(enrolment=new)
    assert (step.from_status, step.to_status, step.actor_id) == ("", "draft", world.agent.pk)
    assert AuditEvent.objects.filter(action="enrolment.create", object_id=str(new.pk)).exists()


def test_create_refuses_without_a_version_in_force(actors, units, designated):
    with pytest.raises(ValidationError) as refused:
        new_enrolment(actors.agent, units.a1, designated, start=D(2018, 6, 1))
    assert "start_date" in refused.value.message_dict


def test_only_the_units_drafters_create(world, actors, units, designated):
    with pytest.raises(PermissionDenied):
        new_enrolment(actors.sibling_agent, units.a1, designated)
    with pytest.raises(PermissionDenied):
        new_enrolment(world.actor(world.reviewer), units.a1, designated)
    # The county cadre above the unit and the office admin may draft for it.
    new_enrolment(actors.county_cadre, units.a1, designated)
    new_enrolment(actors.office_admin, units.a1, designated)


def test_a_local_plan_of_another_city_is_not_offered(world, actors, units):
    other_city = factories.make_node(world.office, "city", "另一市总工会")
    local = factories.make_plan(other_city)
    with pytest.raises(ValidationError) as refused:
        new_enrolment(actors.office_admin, units.a1, local)
    assert "plan" in refused.value.message_dict


@pytest.mark.parametrize(
    "mode, amounts, field",
    [
        ("union", {"member_amount": "10"}, "member_amount"),
        ("administration_union", {"federation_amount": "1"}, "federation_amount"),
        ("union", {"union_amount": "-1"}, "union_amount"),
        ("union", {"union_amount": "1.005"}, "union_amount"),
        ("gift", {}, "funding_mode"),
    ],
)
def test_funding_is_checked(actors, units, designated, mode, amounts, field):
    with pytest.raises(ValidationError) as refused:
        new_enrolment(actors.agent, units.a1, designated, funding_mode=mode, **amounts)
    assert field in refused.value.message_dict


# --- The roster import -------------------------------------------------------------------------


def test_import_registers_new_people_and_reuses_registered_ones(world, actors, units, draft):
    known = factories.make_member(units.a1, name="李建国")
    rows = [row_of(known, 2, row=2), *roster(2, 2, first_row=3)]
    rows[1]["phone"] = "13807741234"
    rows[2]["category"] = "农民工"
    report = lines.lines_import(actor=actors.agent, enrolment=draft, rows=rows)
    assert (report.total, report.valid, report.invalid) == (3, 3, 0)
    assert (report.members_created, report.lines_written, report.written) == (2, 3, True)
    new = Member.objects.get(id_number=rows[1]["id_number"])
    assert (new.unit_id, new.organisation_id, new.phone) == (
        units.a1.pk,
        units.a1.pk,
        "13807741234",
    )
    assert Member.objects.get(id_number=rows[2]["id_number"]).category == "migrant_worker"
    draft.refresh_from_db()
    assert (draft.member_count, draft.share_count, draft.premium_total) == (3, 6, Decimal("240.00"))
    assert draft.union_amount == Decimal("240.00")  # the single payer pays the premium
    assert [line.row_number for line in draft.lines.order_by("id")] == [2, 3, 4]
    assert AuditEvent.objects.filter(action="enrolment.lines_import").count() == 1
    assert AuditEvent.objects.filter(action="member.bulk_create").count() == 1


def test_a_refused_import_writes_nothing(world, actors, units, draft):
    rows = roster(1, 1, 1)
    rows[1]["id_number"] = "110105194912310021"  # E9: wrong check digit
    members = Member.objects.count()
    events = AuditEvent.objects.count()
    with pytest.raises(RosterRejected) as refused:
        lines.lines_import(actor=actors.agent, enrolment=draft, rows=rows)
    assert refused.value.report.invalid == 1 and refused.value.report.valid == 2
    assert "id_number" in refused.value.message_dict
    assert EnrolmentLine.objects.count() == 0
    assert (Member.objects.count(), AuditEvent.objects.count()) == (members, events)
    draft.refresh_from_db()
    assert draft.member_count == 0


def test_only_valid_rows_are_imported_when_asked(actors, units, draft):
    rows = roster(1, 1, 1)
    rows[1]["id_number"] = "110105194912310021"
    report = lines.lines_import(actor=actors.agent, enrolment=draft, rows=rows, only_valid=True)
    assert (report.valid, report.invalid, report.lines_written) == (2, 1, 2)
    assert report.rows_with_errors == [3]
    assert EnrolmentLine.objects.filter(enrolment=draft).count() == 2


def test_a_database_failure_mid_write_leaves_nothing(monkeypatch, actors, units, draft):
    """The members are written, then the lines fail: the transaction takes both back."""
    calls = []
    real = lines.copy_rows

    def failing(model, columns, rows):
        calls.append(model)
        if model is EnrolmentLine:
            raise RuntimeError("disk full")
        return real(model, columns, rows)

    monkeypatch.setattr(lines, "copy_rows", failing)
    members = Member.objects.count()
    with pytest.raises(RuntimeError):
        lines.lines_import(actor=actors.agent, enrolment=draft, rows=roster(1, 2, 3))
    assert calls == [Member, EnrolmentLine]
    assert Member.objects.count() == members and EnrolmentLine.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="member.").exists()


def test_the_preview_writes_nothing_and_reports_like_the_import(actors, draft):
    rows = roster(2, 4, 3)
    preview = lines.lines_import(actor=actors.agent, enrolment=draft, rows=rows, preview=True)
    assert preview.preview and not preview.written
    assert (preview.valid, preview.invalid, codes(preview.errors)) == (2, 1, {"mixed_cap"})
    assert Member.objects.filter(id_number__in=[r["id_number"] for r in rows]).count() == 0
    with pytest.raises(RosterRejected) as refused:
        lines.lines_import(actor=actors.agent, enrolment=draft, rows=rows)
    assert [e.as_dict() for e in refused.value.report.errors] == [
        e.as_dict() for e in preview.errors
    ]


def test_import_costs_the_same_queries_for_10_or_300_rows(
    actors, units, plans, django_assert_max_num_queries
):
    """Set-based: members, policies and open enrolments are looked up once per batch."""
    small = new_enrolment(actors.agent, units.a1, plans["gx_designated_disease"])
    large = new_enrolment(actors.agent, units.a1, plans["gx_group_accident"])
    for enrolment, n in ((small, 10), (large, 300)):
        with django_assert_max_num_queries(14):
            lines.lines_import(actor=actors.agent, enrolment=enrolment, rows=roster(*[1] * n))
    assert large.lines.count() == 300


@pytest.mark.parametrize(
    "change, code",
    [
        ({"name": "别人"}, "name_mismatch"),
        ({"category": "工会干部"}, "category_mismatch"),
        ({"category": "外星人"}, "category_invalid"),
        ({"shares": "两份"}, "shares_invalid"),
        ({"shares": 2.5}, "shares_invalid"),
        ({"phone": "12345"}, "phone_invalid"),
    ],
)
def test_row_problems(actors, units, draft, change, code):
    member = factories.make_member(units.a1, name="王秀英")
    row = {**row_of(member, 1, row=2), **change}
    report = lines.lines_import(actor=actors.agent, enrolment=draft, rows=[row], preview=True)
    assert code in codes(report.errors), [e.text for e in report.errors]


@pytest.mark.parametrize("shares", ["３", " 3 ", "3份", 3.0, "3.0", 3])
def test_share_cells_as_spreadsheets_give_them(actors, draft, shares):
    [row] = roster(1)
    row["shares"] = shares
    lines.lines_import(actor=actors.agent, enrolment=draft, rows=[row])
    assert draft.lines.get().shares == 3


def test_a_person_of_another_unit_is_refused_naming_it_only_to_who_reaches_it(
    world, actors, units, draft
):
    elsewhere = factories.make_member(units.a2, name="刘芳")
    as_agent = lines.lines_import(
        actor=actors.agent, enrolment=draft, rows=[row_of(elsewhere, 1, row=2)], preview=True
    )
    assert codes(as_agent.errors) == {"member_in_other_unit"}
    assert units.a2.organisation.name not in as_agent.errors[0].message
    as_cadre = lines.lines_import(
        actor=actors.county_cadre, enrolment=draft, rows=[row_of(elsewhere, 1, row=2)], preview=True
    )
    assert units.a2.organisation.name in as_cadre.errors[0].message


def test_the_same_member_twice_on_one_roster(actors, units, draft):
    member = factories.make_member(units.a1)
    lines.line_add(actor=actors.agent, enrolment=draft, member=member, shares=1)
    with pytest.raises(ValidationError) as refused:
        lines.line_add(actor=actors.agent, enrolment=draft, member=member, shares=1)
    assert refused.value.error_dict["id_number"][0].code == "already_on_roster"


def test_a_member_on_another_open_enrolment_of_the_plan(actors, units, designated, draft):
    member = factories.make_member(units.a1)
    other = new_enrolment(actors.agent, units.a1, designated, start=D(2026, 6, 1))
    lines.line_add(actor=actors.agent, enrolment=other, member=member, shares=1)
    errors = lines.line_check(actor=actors.agent, enrolment=draft, member=member, shares=1)
    assert codes(errors) == {"already_enrolled"}
    workflow.enrolment_cancel(actor=actors.agent, enrolment=other)
    assert lines.line_check(actor=actors.agent, enrolment=draft, member=member, shares=1) == []


def test_line_add_registers_one_new_person(world, actors, draft):
    [row] = roster(2)
    line = lines.line_add(
        actor=actors.agent,
        enrolment=draft,
        name=row["name"],
        id_number=row["id_number"].lower(),
        shares="2",
    )
    assert line.member.name == row["name"] and line.shares == 2
    assert AuditEvent.objects.filter(action="member.create", object_id=str(line.member_id)).exists()


def test_line_update_and_remove_keep_the_totals(actors, units, draft):
    a, b = factories.make_member(units.a1), factories.make_member(units.a1)
    for m in (a, b):
        lines.line_add(actor=actors.agent, enrolment=draft, member=m, shares=2)
    lines.line_update(actor=actors.agent, enrolment=draft, member=a, shares=3)
    draft.refresh_from_db()
    assert (draft.share_count, draft.premium_total) == (5, Decimal("200.00"))
    # 3 and 5 would be mixed above the cap: refused through the same rules.
    with pytest.raises(ValidationError) as refused:
        lines.line_update(actor=actors.agent, enrolment=draft, member=b, shares=5)
    assert refused.value.error_dict["shares"][0].code == "mixed_cap"
    lines.line_remove(actor=actors.agent, enrolment=draft, member=a)
    draft.refresh_from_db()
    assert (draft.member_count, draft.share_count) == (1, 2)


def test_the_roster_is_frozen_once_submitted(actors, units, draft):
    member = factories.make_member(units.a1)
    lines.line_add(actor=actors.agent, enrolment=draft, member=member, shares=1)
    workflow.enrolment_submit(actor=actors.agent, enrolment=draft)
    other = factories.make_member(units.a1)
    for call in (
        lambda: lines.line_add(actor=actors.agent, enrolment=draft, member=other, shares=1),
        lambda: lines.line_remove(actor=actors.agent, enrolment=draft, member=member),
        lambda: lines.lines_import(actor=actors.agent, enrolment=draft, rows=roster(1)),
    ):
        with pytest.raises(ValidationError) as refused:
            call()
        assert refused.value.error_dict["non_field_errors"][0].code == "not_editable"


# --- Steps and who takes them -------------------------------------------------------------------


@pytest.fixture
def filled(actors, units, draft):
    lines.lines_import(actor=actors.agent, enrolment=draft, rows=roster(2, 3))
    return draft


def test_the_whole_way_into_force(world, actors, filled, flow):
    flow(filled, paid=D(2026, 3, 15))
    assert filled.status == EnrolmentStatus.IN_FORCE
    assert (filled.payment_date, filled.coverage_start, filled.coverage_end) == (
        D(2026, 3, 15),
        D(2026, 3, 16),
        D(2027, 3, 15),
    )
    steps = list(
        StatusChange.objects.filter(enrolment=filled)
        .order_by("at", "id")
        .values_list("to_status", "actor__username")
    )
    assert steps == [
        ("draft", "agent"),
        ("submitted", "agent"),
        ("checked", "county_cadre"),
        ("accepted", "office_admin"),
        ("invoiced", "finance"),
        ("in_force", "finance"),
    ]
    assert (
        filled.submitted_by_id == world.agent.pk and filled.checked_by_id == world.county_cadre.pk
    )
    actions = set(
        AuditEvent.objects.filter(object_id=str(filled.pk)).values_list("action", flat=True)
    )
    assert {
        "enrolment.submit",
        "enrolment.check",
        "enrolment.accept",
        "enrolment.invoice",
        "enrolment.bring_into_force",
    } <= actions
    policies = Policy.objects.filter(enrolment=filled)
    assert policies.count() == 2
    assert {p.plan_version_id for p in policies} == {filled.plan_version_id}
    assert filled.plan_version.is_in_use()
    for p in policies.prefetch_related("tranches"):
        [t] = p.tranches.all()
        assert (t.shares, t.start, t.waiting_end) == (p.shares, D(2026, 3, 16), D(2026, 7, 14))


def test_an_agent_cannot_check_or_accept(actors, filled):
    workflow.enrolment_submit(actor=actors.agent, enrolment=filled)
    with pytest.raises(PermissionDenied):
        workflow.enrolment_check(actor=actors.agent, enrolment=filled)
    workflow.enrolment_check(actor=actors.county_cadre, enrolment=filled)
    with pytest.raises(PermissionDenied):
        workflow.enrolment_accept(actor=actors.agent, enrolment=filled)
    with pytest.raises(PermissionDenied):  # a cadre checks, the office accepts
        workflow.enrolment_accept(actor=actors.county_cadre, enrolment=filled)
    workflow.enrolment_accept(actor=actors.reviewer, enrolment=filled)


def test_a_cadre_of_the_unit_itself_does_not_check_its_own(world, actors, filled):
    unit_cadre = world.actor(factories.make_staff(world.unit, "cadre", username="unit_cadre"))
    workflow.enrolment_submit(actor=unit_cadre, enrolment=filled)  # a unit cadre files …
    with pytest.raises(PermissionDenied):  # … but 核定 is the county's
        workflow.enrolment_check(actor=unit_cadre, enrolment=filled)
    workflow.enrolment_check(actor=actors.city_cadre, enrolment=filled)


def test_a_sibling_countys_cadre_does_not_even_see_it(world, actors, filled):
    workflow.enrolment_submit(actor=actors.agent, enrolment=filled)
    other_cadre = world.actor(factories.make_staff(world.other_county, "cadre"))
    with pytest.raises(Http404):
        access.access_enrolment(other_cadre, filled.pk)
    with pytest.raises(PermissionDenied):  # and the service refuses it too
        workflow.enrolment_check(actor=other_cadre, enrolment=filled)


def test_illegal_steps_are_domain_errors(actors, filled):
    for call in (
        lambda: workflow.enrolment_check(actor=actors.county_cadre, enrolment=filled),
        lambda: workflow.enrolment_mark_invoiced(actor=actors.finance, enrolment=filled),
        lambda: cover.enrolment_bring_into_force(
            actor=actors.finance, enrolment=filled, payment_date=D(2026, 3, 15)
        ),
    ):
        with pytest.raises(ValidationError) as refused:
            call()
        assert refused.value.error_dict["non_field_errors"][0].code == "illegal_transition"
    workflow.enrolment_submit(actor=actors.agent, enrolment=filled)
    with pytest.raises(ValidationError):
        workflow.enrolment_submit(actor=actors.agent, enrolment=filled)


def test_send_back_needs_a_reason_and_shows_it(world, actors, filled):
    workflow.enrolment_submit(actor=actors.agent, enrolment=filled)
    with pytest.raises(ValidationError) as refused:
        workflow.enrolment_send_back(actor=actors.county_cadre, enrolment=filled, reason="  ")
    assert "reason" in refused.value.message_dict
    workflow.enrolment_send_back(
        actor=actors.county_cadre, enrolment=filled, reason="第3名职工身份证号有误"
    )
    filled.refresh_from_db()
    assert (
        filled.status == EnrolmentStatus.RETURNED
        and filled.return_reason == "第3名职工身份证号有误"
    )
    last = StatusChange.objects.filter(enrolment=filled).latest("id")
    assert (last.to_status, last.reason, last.actor_id) == (
        "returned",
        "第3名职工身份证号有误",
        world.county_cadre.pk,
    )
    # The unit fixes the roster and submits again.
    lines.line_add(
        actor=actors.agent, enrolment=filled, member=factories.make_member(filled.unit), shares=2
    )
    workflow.enrolment_submit(actor=actors.agent, enrolment=filled)


def test_submission_rechecks_every_line_and_marks_the_bad_ones(actors, units, filled, designated):
    # Meanwhile one member got the same plan in force elsewhere (written straight in).
    member = filled.lines.order_by("id").first().member
    factories.make_policy(member, designated, start=D(2026, 1, 1), end=D(2026, 12, 31))
    with pytest.raises(StepRefused) as refused:
        workflow.enrolment_submit(actor=actors.agent, enrolment=filled)
    assert "lines_invalid" in codes(refused.value.errors)
    filled.refresh_from_db()
    assert filled.status == EnrolmentStatus.DRAFT
    bad = filled.lines.get(member=member)
    assert bad.status == LineStatus.PROBLEM and "2026-01-01" in bad.problem
    assert filled.lines.exclude(member=member).get().status == LineStatus.OK


def test_submission_checks_participation(world, actors, units, plans):
    plan = factories.make_plan(
        world.office,
        terms=factories.plan_terms(
            participation={"min_ratio": "0.8", "all_below_headcount": 5},
            eligibility={"in_service_only": True},
        ),
    )
    members = [factories.make_member(units.a1) for _ in range(4)]
    factories.make_member(units.a1, employment_status=EmploymentStatus.RETIRED)  # not counted
    enrolment = new_enrolment(actors.agent, units.a1, plan)
    for m in members[:3]:
        lines.line_add(actor=actors.agent, enrolment=enrolment, member=m, shares=1)
    with pytest.raises(StepRefused) as refused:
        workflow.enrolment_submit(actor=actors.agent, enrolment=enrolment)
    assert codes(refused.value.errors) == {"participation_all"}
    lines.line_add(actor=actors.agent, enrolment=enrolment, member=members[3], shares=1)
    workflow.enrolment_submit(actor=actors.agent, enrolment=enrolment)


def test_submission_needs_the_parties_to_add_up(actors, units, designated):
    enrolment = new_enrolment(
        actors.agent, units.a1, designated, funding_mode="administration_union_member"
    )
    lines.lines_import(actor=actors.agent, enrolment=enrolment, rows=roster(2, 2))  # ¥160
    with pytest.raises(StepRefused) as refused:
        workflow.enrolment_submit(actor=actors.agent, enrolment=enrolment)
    assert codes(refused.value.errors) == {"funding_sum"}
    drafts.enrolment_update(
        actor=actors.agent,
        enrolment=enrolment,
        funding_mode="administration_union_member",
        administration_amount="100",
        union_amount="40",
        member_amount="20",
    )
    workflow.enrolment_submit(actor=actors.agent, enrolment=enrolment)


def test_an_empty_roster_is_not_submitted(actors, draft):
    with pytest.raises(StepRefused) as refused:
        workflow.enrolment_submit(actor=actors.agent, enrolment=draft)
    assert codes(refused.value.errors) == {"roster_empty"}


def test_cancel(actors, filled):
    workflow.enrolment_submit(actor=actors.agent, enrolment=filled)
    with pytest.raises(PermissionDenied):  # once submitted, only the office cancels
        workflow.enrolment_cancel(actor=actors.agent, enrolment=filled)
    workflow.enrolment_cancel(actor=actors.office_admin, enrolment=filled, reason="重复")
    assert filled.status == EnrolmentStatus.CANCELLED


def test_allowed_steps(actors, filled):
    assert access.allowed_steps(actors.agent, filled) == ["submit", "cancel"]
    assert access.allowed_steps(actors.county_cadre, filled) == ["submit", "cancel"]
    workflow.enrolment_submit(actor=actors.agent, enrolment=filled)
    assert access.allowed_steps(actors.agent, filled) == []
    assert access.allowed_steps(actors.county_cadre, filled) == ["check", "send_back"]
    assert access.allowed_steps(actors.office_admin, filled) == ["send_back", "cancel"]


# --- Policies: renewals, additions, removals ---------------------------------------------------


def _in_force(actors, flow, unit, plan, shares, *, start=START, paid=None):
    enrolment = new_enrolment(actors.agent, unit, plan, start=start)
    members = [factories.make_member(unit) for _ in shares]
    lines.lines_import(
        actor=actors.agent,
        enrolment=enrolment,
        rows=[row_of(m, s) for m, s in zip(members, shares, strict=True)],
    )
    flow(enrolment, paid=paid or start - dt.timedelta(days=1))
    return enrolment, members


def test_a_renewal_paid_in_time_continues_without_a_new_wait(actors, units, designated, flow):
    last, (x, y) = _in_force(actors, flow, units.a1, designated, [3, 2])
    renewal = drafts.enrolment_create(
        actor=actors.agent, unit=units.a1, kind="renewal", previous=last
    )
    assert (renewal.start_date, renewal.end_date) == (D(2027, 3, 16), D(2028, 3, 15))
    assert {
        (line.member_id, line.shares, line.previous_shares) for line in renewal.lines.all()
    } == {(x.pk, 3, 3), (y.pk, 2, 2)}
    lines.line_update(actor=actors.agent, enrolment=renewal, member=y, shares=3)  # adds one
    flow(renewal, paid=D(2027, 3, 15))  # on the last day: in time (deadline 0 days before)
    px, py = (Policy.objects.get(enrolment=renewal, member=m) for m in (x, y))
    assert (px.start, px.end) == (D(2027, 3, 16), D(2028, 3, 15))
    assert px.previous == Policy.objects.get(enrolment=last, member=x)
    assert [(t.shares, t.waiting_end) for t in px.tranches.all()] == [(3, D(2027, 3, 16))]
    assert [(t.shares, t.waiting_end) for t in py.tranches.order_by("waiting_end")] == [
        (2, D(2027, 3, 16)),
        (1, D(2027, 7, 14)),
    ]


def test_a_late_renewal_starts_afresh_and_waits(actors, units, designated, flow):
    last, (x,) = _in_force(actors, flow, units.a1, designated, [3])
    renewal = drafts.enrolment_create(
        actor=actors.agent, unit=units.a1, kind="renewal", previous=last
    )
    flow(renewal, paid=D(2027, 4, 2))
    policy = Policy.objects.get(enrolment=renewal)
    assert (policy.start, policy.end) == (D(2027, 4, 3), D(2028, 4, 2))
    assert [(t.shares, t.waiting_end) for t in policy.tranches.all()] == [(3, D(2027, 8, 1))]


def test_the_renewal_draft_leaves_out_who_cannot_continue(world, actors, units, designated, flow):
    last, (stays, died, moved) = _in_force(actors, flow, units.a1, designated, [1, 1, 1])
    Member.objects.filter(pk=died.pk).update(employment_status=EmploymentStatus.DIED)
    factories.make_transfer(moved, world.sibling_unit, world.office_admin)
    renewal = drafts.enrolment_create(
        actor=actors.agent, unit=units.a1, kind="renewal", previous=last
    )
    assert list(renewal.lines.values_list("member_id", flat=True)) == [stays.pk]
    reasons = {d["member"]: d["reason"] for d in renewal.dropped}
    assert reasons[str(died.pk)] == "Deceased." and "甲县中学工会" in reasons[str(moved.pk)]


def test_a_mid_term_addition_joins_the_common_period(actors, units, designated, flow):
    common, _ = _in_force(actors, flow, units.a1, designated, [2])
    addition = drafts.enrolment_create(
        actor=actors.agent,
        unit=units.a1,
        kind="addition",
        previous=common,
        start_date=D(2026, 9, 20),
    )
    assert (addition.start_date, addition.end_date) == (D(2026, 9, 20), D(2027, 3, 15))
    lines.lines_import(actor=actors.agent, enrolment=addition, rows=roster(2))
    line = addition.lines.get()
    assert line.premium == Decimal("40.00")  # 2 × ¥40 × 6 months / 12
    flow(addition, paid=D(2026, 9, 19))
    policy = Policy.objects.get(enrolment=addition)
    assert (policy.start, policy.end) == (D(2026, 9, 20), D(2027, 3, 15))
    with pytest.raises(ValidationError):  # outside the common period
        drafts.enrolment_create(
            actor=actors.agent,
            unit=units.a1,
            kind="addition",
            previous=common,
            start_date=D(2027, 4, 1),
        )


def test_mid_term_additions_not_allowed(world, actors, units, flow):
    plan = factories.make_plan(
        world.office, terms=factories.plan_terms(mid_term_addition="not_allowed")
    )
    common, _ = _in_force(actors, flow, units.a1, plan, [1])
    with pytest.raises(ValidationError) as refused:
        drafts.enrolment_create(
            actor=actors.agent,
            unit=units.a1,
            kind="addition",
            previous=common,
            start_date=D(2026, 6, 1),
        )
    assert refused.value.error_dict["kind"][0].code == "addition_not_allowed"


def test_policy_end_and_resignation(world, actors, units, plans, flow):
    shaoxing = plans["sx_union_cadres"]  # resignation ends cover
    designated = plans["gx_designated_disease"]  # it does not
    cadre = factories.make_member(units.a1, category=MemberCategory.UNION_CADRE)
    for plan in (shaoxing, designated):
        e = new_enrolment(actors.agent, units.a1, plan)
        lines.line_add(actor=actors.agent, enrolment=e, member=cadre, shares=1)
        flow(e)
    ended = cover.policies_end_on_resignation(
        actor=actors.agent, member=cadre, resigned_on=D(2026, 8, 1)
    )
    assert [(p.plan_id, p.status, p.ended_on) for p in ended] == [
        (shaoxing.pk, PolicyStatus.ENDED, D(2026, 7, 31))
    ]
    assert Policy.objects.get(member=cadre, plan=designated).status == PolicyStatus.IN_FORCE
    assert AuditEvent.objects.filter(action="policy.end").count() == 1
    with pytest.raises(ValidationError):  # already ended
        cover.policy_end(actor=actors.agent, policy=ended[0], on=D(2026, 9, 1), reason="x")
    with pytest.raises(PermissionDenied):
        cover.policy_end(
            actor=actors.sibling_agent,
            policy=Policy.objects.get(member=cadre, plan=designated),
            on=D(2026, 9, 1),
            reason="减员",
        )


def test_the_database_refuses_overlapping_cover_whatever_writes_it(units, plans):
    member = factories.make_member(units.a1)
    factories.make_policy(member, plans["gx_designated_disease"])
    from django.db import IntegrityError, transaction

    for plan in (plans["gx_designated_disease"], plans["gx_comprehensive"]):  # same plan, group
        with pytest.raises(IntegrityError), transaction.atomic():
            factories.make_policy(member, plan, start=D(2026, 6, 1), end=D(2027, 5, 31))
    # Another plan outside the group, or the next period, is fine.
    factories.make_policy(member, plans["gx_group_accident"])
    factories.make_policy(member, plans["gx_designated_disease"], start=D(2027, 3, 16))


def test_bring_into_force_rechecks_cover_over_the_real_period(actors, units, designated, flow):
    enrolment = new_enrolment(actors.agent, units.a1, designated)
    member = factories.make_member(units.a1)
    lines.line_add(actor=actors.agent, enrolment=enrolment, member=member, shares=1)
    flow(enrolment, upto="invoiced")
    # Paid late: the real period reaches into a policy written meanwhile.
    factories.make_policy(member, designated, start=D(2027, 4, 1), end=D(2028, 3, 31))
    with pytest.raises(StepRefused) as refused:
        cover.enrolment_bring_into_force(
            actor=actors.finance, enrolment=enrolment, payment_date=D(2026, 6, 30)
        )
    assert codes(refused.value.errors) == {"overlapping_cover"}
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.INVOICED
    assert not Policy.objects.filter(enrolment=enrolment).exists()
    assert not ShareTranche.objects.filter(policy__enrolment=enrolment).exists()


def test_a_system_job_may_invoice_and_bring_into_force(actors, filled, flow):
    flow(filled, upto="accepted")
    workflow.enrolment_mark_invoiced(actor=None, enrolment=filled)
    cover.enrolment_bring_into_force(actor=None, enrolment=filled, payment_date=D(2026, 3, 15))
    last = StatusChange.objects.filter(enrolment=filled).latest("id")
    assert last.actor_id is None and last.to_status == "in_force"
    with pytest.raises(PermissionDenied):
        workflow.enrolment_submit(actor=None, enrolment=filled)


def test_lines_are_written_with_copy_so_the_connection_is_usable_after(actors, draft):
    lines.lines_import(actor=actors.agent, enrolment=draft, rows=roster(1, 1))
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    assert Enrolment.objects.get(pk=draft.pk).member_count == 2
