"""Renewals (SPEC §7): drafts prepared daily, set-based; continuity when paid in time (W1),
a new start when late; nothing created twice."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from enrolment.models import (
    Enrolment,
    EnrolmentKind,
    EnrolmentLine,
    EnrolmentStatus,
    Policy,
    ShareTranche,
)
from enrolment.roster_source import roster_lines
from enrolment.services.drafts import enrolment_create
from enrolment.services.lines import line_update
from enrolment.services.workflow import enrolment_cancel
from members.models import EmploymentStatus, Member
from mutualaid.audit.models import AuditEvent
from mutualaid.notifications.models import Notification
from premiums.models import Renewal
from premiums.renewals import renewals_run
from tests import factories
from tests.premiums.support import LAST_YEAR_END, in_force, renew_and_pay

D = Decimal
ACCEPTANCE = Path(__file__).resolve().parents[3] / "shared" / "acceptance"
W1 = {
    row["case"]: row for row in csv.DictReader(open(ACCEPTANCE / "deadlines.csv", encoding="utf-8"))
}["W1"]
TODAY = dt.date(2026, 2, 20)  # 23 days before the end: inside the 30-day notice window


@pytest.fixture
def last_year(accepted, actors, plans, units, people, today_is):
    today_is(dt.date(2025, 3, 31))
    return in_force(accepted, actors, units.a1, plans["gx_designated_disease"], people, 2)


def counts():
    return (
        Enrolment.objects.count(),
        EnrolmentLine.objects.count(),
        Renewal.objects.count(),
        Notification.objects.count(),
        AuditEvent.objects.filter(action="enrolment.renewal_prepared").count(),
    )


def test_the_run_prepares_a_draft_with_the_same_members_and_shares(last_year, people, world, units):
    Member.objects.filter(pk=people[0].pk).update(employment_status=EmploymentStatus.DIED)
    Member.objects.filter(pk=people[1].pk).update(employment_status=EmploymentStatus.LEFT)
    Member.objects.filter(pk=people[2].pk).update(employment_status=EmploymentStatus.RETIRED)
    factories.make_transfer(people[3], world.sibling_unit, world.office_admin)
    with translation.override("en"):  # the reasons are written in the run's language
        run = renewals_run(today=TODAY)
    assert (run.renewals.due, run.renewals.prepared, run.queued, run.notified) == (1, 1, 1, 1)
    renewal = Renewal.objects.get(previous=last_year)
    draft = renewal.enrolment
    assert (draft.kind, draft.status, draft.previous_id) == (
        EnrolmentKind.RENEWAL,
        EnrolmentStatus.DRAFT,
        last_year.pk,
    )
    assert (draft.start_date, draft.end_date) == (dt.date(2026, 3, 16), dt.date(2027, 3, 15))
    assert (renewal.due_on, renewal.deadline) == (
        LAST_YEAR_END,
        LAST_YEAR_END,
    )  # GX: pay by the last day
    lines = list(
        roster_lines(draft).values_list("member__name", "shares", "previous_shares", "premium")
    )
    assert lines == [("蒙志强", 2, 2, D("80.00"))]
    assert (draft.member_count, draft.share_count, draft.premium_total, draft.union_amount) == (
        1,
        2,
        D("80.00"),
        D("80.00"),
    )
    reasons = {d["name"]: d["reason"] for d in draft.dropped}
    assert reasons == {
        "韦国庆": "Deceased.",
        "黄秀兰": "Left the employer.",
        "覃建军": "Only members in service can join this plan.",
        "陆春梅": "Moved to 甲县中学工会.",
    }
    note = Notification.objects.get(kind="premiums.renewal_prepared")
    assert note.recipient.username == "agent" and note.link == "/premiums/renewals/"
    assert draft.history.get().to_status == EnrolmentStatus.DRAFT
    assert AuditEvent.objects.filter(
        action="enrolment.renewal_prepared", object_id=str(draft.pk)
    ).exists()


def test_running_twice_creates_nothing_twice(last_year):
    renewals_run(today=TODAY)
    after_first = counts()
    again = renewals_run(today=TODAY)
    assert (again.renewals.prepared, again.queued, again.notified) == (0, 0, 0)
    assert counts() == after_first
    renewals_run(today=TODAY + dt.timedelta(days=1))  # the next day too
    assert counts() == after_first


def test_nothing_is_due_before_the_notice_window(last_year):
    assert renewals_run(today=LAST_YEAR_END - dt.timedelta(days=31)).renewals.due == 0
    assert renewals_run(today=LAST_YEAR_END - dt.timedelta(days=30)).renewals.prepared == 1


def test_a_renewal_the_agent_prepared_is_queued_not_doubled(last_year, actors):
    own = enrolment_create(
        actor=actors.agent, unit=last_year.unit, kind="renewal", previous=last_year
    )
    run = renewals_run(today=TODAY)
    assert (run.renewals.due, run.renewals.prepared, run.queued, run.notified) == (1, 0, 1, 0)
    assert Renewal.objects.get().enrolment_id == own.pk
    assert Enrolment.objects.filter(kind="renewal").count() == 1


def test_a_cancelled_renewal_is_not_prepared_again(last_year, actors):
    renewals_run(today=TODAY)
    draft = Renewal.objects.get().enrolment
    enrolment_cancel(actor=actors.agent, enrolment=draft, reason="单位不再续保")
    renewals_run(today=TODAY + dt.timedelta(days=1))
    assert Enrolment.objects.filter(kind="renewal").count() == 1


def test_paid_in_time_cover_continues_and_only_added_shares_wait(
    last_year, actors, people, today_is
):
    """W1: the renewal starts 2026-03-16 with no gap; the shares held keep no wait, the share
    added at renewal waits 120 days: first covered day 2026-07-14."""
    renewals_run(today=TODAY)
    draft = Renewal.objects.get().enrolment
    line_update(actor=actors.agent, enrolment=draft, member=people[0], shares=3)
    today_is(dt.date(2026, 3, 31))
    renewed, result = renew_and_pay(draft, actors, paid=dt.date(2026, 3, 10))
    assert result.brought_into_force
    effective = dt.date.fromisoformat(W1["start"])
    assert (renewed.coverage_start, renewed.coverage_end) == (effective, dt.date(2027, 3, 15))
    policy = Policy.objects.get(enrolment=renewed, member=people[0])
    assert policy.previous.enrolment_id == last_year.pk
    tranches = list(
        policy.tranches.order_by("waiting_end").values_list("shares", "start", "waiting_end")
    )
    assert tranches == [
        (2, effective, effective),
        (1, effective, dt.date.fromisoformat(W1["expected"])),
    ]
    kept = Policy.objects.get(enrolment=renewed, member=people[1])
    assert list(kept.tranches.values_list("shares", "waiting_end")) == [(2, effective)]


def test_a_late_renewal_lapses_and_starts_as_new_cover(
    last_year, actors, people, today_is, as_user, world
):
    renewals_run(today=TODAY)
    draft = Renewal.objects.get().enrolment
    today_is(dt.date(2026, 3, 25))
    response = as_user(world.agent).get("/premiums/renewals/")
    assert "late: starts as new cover" in response.content.decode()
    renewed, result = renew_and_pay(draft, actors, paid=dt.date(2026, 3, 20))
    assert result.brought_into_force
    # A gap from 3-16 to 3-20; the new cover runs from the day after payment and everything waits.
    assert (renewed.coverage_start, renewed.coverage_end) == (
        dt.date(2026, 3, 21),
        dt.date(2027, 3, 20),
    )
    waits = set(
        ShareTranche.objects.filter(policy__enrolment=renewed).values_list("waiting_end", flat=True)
    )
    assert waits == {dt.date(2026, 3, 21) + dt.timedelta(days=120)}


@pytest.fixture
def two_windows(accepted, actors, units, people, world, today_is):
    """Two plans ending 2026-03-15: one to be paid 20 days before the end (绍兴's rule), one
    with 30 days of grace after it."""
    today_is(dt.date(2025, 8, 1))
    before = factories.make_plan(
        world.office,
        terms=factories.plan_terms(renewal={"deadline_days_before_end": 20}),
        valid_from=dt.date(2025, 1, 1),
    )
    grace = factories.make_plan(
        world.office,
        terms=factories.plan_terms(renewal={"grace_days_after_end": 30}),
        valid_from=dt.date(2025, 1, 1),
    )
    in_force(accepted, actors, units.a1, before, people[:1], 1, ref="B-1")
    in_force(accepted, actors, units.a1, grace, people[1:2], 1, ref="G-1")
    return before, grace


def test_the_plans_renewal_window_sets_the_deadline(two_windows):
    before, grace = two_windows
    run = renewals_run(today=TODAY)
    assert run.renewals.prepared == 2
    deadlines = {
        r.enrolment.plan_id: r.deadline for r in Renewal.objects.select_related("enrolment")
    }
    assert deadlines == {before.pk: dt.date(2026, 2, 23), grace.pk: dt.date(2026, 4, 14)}


def test_after_the_deadline_nothing_is_prepared_but_a_grace_period_still_renews(two_windows):
    before, grace = two_windows
    run = renewals_run(today=LAST_YEAR_END + dt.timedelta(days=10))
    assert run.renewals.prepared == 1
    assert Renewal.objects.get().enrolment.plan_id == grace.pk


def test_members_who_no_longer_qualify_or_hold_other_cover_are_left_out(
    accepted, actors, units, world, today_is
):
    today_is(dt.date(2025, 8, 1))
    plan = factories.make_plan(
        world.office,
        terms=factories.plan_terms(
            eligibility={
                "in_service_only": False,
                "sex": "F",
                "min_age": None,
                "max_age": 45,
                "member_categories": [],
            },
            max_shares=2,
        ),
        valid_from=dt.date(2025, 1, 1),
    )
    woman = factories.make_member(
        units.a1, name="甲女", id_number=factories.make_id_number(male=False)
    )
    older = factories.make_member(
        units.a1, name="乙女", id_number=factories.make_id_number(male=False, birth="19810401")
    )  # 44 on 2026-03-16: still in
    oldest = factories.make_member(
        units.a1, name="丙女", id_number=factories.make_id_number(male=False, birth="19800101")
    )  # 46 on 2026-03-16
    in_force(accepted, actors, units.a1, plan, [woman, older, oldest], 1, ref="E-1")
    Member.objects.filter(pk=woman.pk).update(sex="male")  # corrected ID record
    with translation.override("en"):
        renewals_run(today=TODAY)
    draft = Renewal.objects.get().enrolment
    reasons = {d["name"]: d["reason"] for d in draft.dropped}
    assert reasons["甲女"] == "This plan is for women only; the ID number shows a man."
    assert reasons["丙女"] == "Aged 46 on 2026-03-16: the plan takes members up to 45."
    assert list(roster_lines(draft).values_list("member__name", flat=True)) == ["乙女"]


def test_a_run_in_parts_prepares_each_unit_once(last_year, accepted, actors, plans, units, world):
    other = factories.make_member(units.a1, name="周建华")
    in_force(accepted, actors, units.a1, plans["gx_group_accident"], [other], 1, ref="A1-2")
    prepared = [renewals_run(today=TODAY, part=p, parts=3).renewals.prepared for p in range(3)]
    assert sum(prepared) == 2
    assert [renewals_run(today=TODAY, part=p, parts=3).renewals.prepared for p in range(3)] == [
        0,
        0,
        0,
    ]
    assert renewals_run(today=TODAY).renewals.prepared == 0
    assert Renewal.objects.count() == 2
