"""Incident reports (报案, SPEC §8.1, §9): what is checked, what is computed, by whom."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from claims.models import Claim, ClaimStatus, IncidentReport, ReportStatus
from claims.services import applications, reports
from mutualaid.audit.models import AuditEvent
from mutualaid.core.errors import DomainError
from tests import factories
from tests.claims.services_support import report, seed_calendar

EVENT = dt.date(2026, 8, 1)


def create(world, member, plan, **overrides):
    values = {
        "actor": world.actor(world.agent),
        "member": member,
        "plan": plan,
        "event_kind": "illness",
        "event_date": "2026-08-01",
        "description": "确诊肺癌, 住院手术",
        "reported_on": dt.date(2026, 8, 3),
    }
    values.update(overrides)
    return reports.report_create(**values)


@pytest.mark.django_db
def test_a_report_opens_a_draft_claim_with_its_deadlines(world, covered):
    seed_calendar(world)
    member, plan, policy = covered
    rep = create(
        world,
        member,
        plan,
        event_date="２０２６/０８/０１",
        reporter_name=" 王妻 ",
        reporter_phone="13800000000",
    )
    assert (rep.event_date, rep.deadline, rep.deadline_provisional) == (
        EVENT,
        dt.date(2026, 8, 11),
        False,
    )
    assert (rep.status, rep.late) == (ReportStatus.ACCEPTED, False)
    assert (rep.reporter_name, rep.created_by_id) == ("王妻", world.agent.pk)
    assert rep.organisation_id == world.unit.pk and rep.number.startswith("BA2026")
    claim = rep.claim
    assert (claim.status, claim.policy_id, claim.filed_by_id) == (
        ClaimStatus.DRAFT,
        policy.pk,
        world.agent.pk,
    )
    assert (claim.event_kind, claim.event_date, claim.payee_name) == ("illness", EVENT, member.name)
    assert claim.expires_on == dt.date(2027, 8, 1)
    assert claim.number.startswith("LP2026")
    event = AuditEvent.objects.get(action="claim.reported", object_id=str(rep.pk))
    assert event.after["deadline"] == "2026-08-11" and event.after["late"] is False


@pytest.mark.django_db
def test_the_deadline_follows_the_cause_when_the_kind_has_none(world, covered):
    """A death caused by an accident has the accident's 3 days (2026-08-01 + 3 = 08-04)."""
    seed_calendar(world)
    member, plan, _ = covered
    rep = create(world, member, plan, event_kind="death", cause="accident")
    assert rep.deadline == dt.date(2026, 8, 4)


@pytest.mark.django_db
def test_two_reports_get_two_numbers(world, covered):
    member, plan, _ = covered
    first, second = create(world, member, plan), create(world, member, plan)
    assert first.number != second.number and first.claim.number != second.claim.number


@pytest.mark.django_db
def test_a_year_without_a_calendar_gives_a_provisional_deadline(world, seed_plans):
    """The package stops at 2026: a 2027 event gets a Monday–Friday deadline, flagged."""
    seed_calendar(world)
    plan = seed_plans["gx_designated_disease"]
    member = factories.make_member(world.unit)
    factories.make_policy(member, plan, shares=1, start=dt.date(2026, 12, 1))
    rep = create(world, member, plan, event_date="2027-01-05", reported_on=dt.date(2027, 1, 6))
    assert rep.deadline == dt.date(2027, 1, 15) and rep.deadline_provisional


@pytest.mark.django_db
def test_the_policys_own_version_sets_the_deadline_and_expiry(world):
    """A later version of the plan (30 days to report, 24 months to apply) does not
    change what a member covered under the earlier version has."""
    seed_calendar(world)
    plan = factories.make_plan(world.office)
    member = factories.make_member(world.unit)
    policy = factories.make_policy(member, plan, start=dt.date(2026, 3, 16))
    factories.make_version(
        plan,
        terms=factories.plan_terms(report_deadline_days={"default": 30}, claim_expiry_months=24),
        valid_from=dt.date(2026, 6, 1),
    )
    rep = create(world, member, plan, event_date="2026-08-01", reported_on=dt.date(2026, 8, 20))
    assert policy.plan_version.number == 1
    assert rep.deadline == dt.date(2026, 8, 11)
    assert rep.late and rep.status == ReportStatus.LATE
    assert rep.claim.expires_on == dt.date(2027, 8, 1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"event_kind": "flood"}, "event_kind"),
        ({"event_kind": ""}, "event_kind"),
        ({"cause": "bad_luck"}, "cause"),
        ({"event_date": "2026-13-01"}, "event_date"),
        ({"event_date": ""}, "event_date"),
        ({"event_date": "2026-08-04"}, "event_date"),  # after the day of the report
        ({"description": "   "}, "description"),
        ({"description": "长" * 2001}, "description"),
        ({"reporter_name": "名" * 101}, "reporter_name"),
    ],
)
def test_what_a_report_needs(world, covered, overrides, field):
    member, plan, _ = covered
    with pytest.raises(DomainError) as refused:
        create(world, member, plan, **overrides)
    assert field in refused.value.message_dict
    assert not IncidentReport.objects.exists() and not Claim.objects.exists()


@pytest.mark.django_db
def test_a_member_never_covered_by_the_plan_cannot_report(world, covered, seed_plans):
    member, _, _ = covered
    with pytest.raises(DomainError) as refused:
        create(world, member, seed_plans["gx_female_workers"])
    assert "plan" in refused.value.message_dict


@pytest.mark.django_db
def test_an_event_outside_the_cover_is_refused_naming_the_cover(world, covered):
    """Issue 16 item 7: nothing is covered before the cover starts, so the report is refused
    on the event kind, with the cover's dates (tests/claims/test_report_cover.py has the
    whole table). The condition is still checked against the plan's list."""
    member, plan, policy = covered
    with translation.override("en"), pytest.raises(DomainError) as refused:
        report(world, member, plan, event_date=dt.date(2026, 3, 1))
    (message,) = refused.value.message_dict["event_kind"]
    assert "2026-03-01" in message and "2026-03-16 – 2027-03-15" in message
    rep = report(world, member, plan, event_date=EVENT)
    assert rep.claim.policy_id == policy.pk
    claim = applications.claim_update(
        actor=world.actor(world.agent), claim=rep.claim, data={"condition": "malignant_tumour"}
    )
    with pytest.raises(DomainError) as refused:
        applications.claim_update(
            actor=world.actor(world.agent), claim=claim, data={"condition": "broken_leg"}
        )
    assert "condition" in refused.value.message_dict


@pytest.mark.django_db
def test_the_payee_account_is_checked(world, covered):
    member, plan, _ = covered
    claim = report(world, member, plan, event_date=EVENT).claim
    agent = world.actor(world.agent)
    for bad in ("12345", "6222 0202 0011 2345 670", "abc4567890123", "1" * 31):
        with pytest.raises(DomainError) as refused:
            applications.claim_update(actor=agent, claim=claim, data={"bank_account": bad})
        assert "bank_account" in refused.value.message_dict, bad
    claim = applications.claim_update(
        actor=agent, claim=claim, data={"bank_account": "6222-0202-0011-2345-679"}
    )
    assert claim.bank_account == "6222020200112345679"
    for bad in (
        {"self_paid": "-1"},
        {"self_paid": "1.234"},
        {"hospital_days": "3.5"},
        {"payee_relation": "friend"},
    ):
        with pytest.raises(DomainError):
            applications.claim_update(actor=agent, claim=claim, data=bad)
    claim = applications.claim_update(
        actor=agent, claim=claim, data={"self_paid": "３５,０００", "hospital_days": "12"}
    )
    assert claim.facts == {"self_paid": "35000.00", "hospital_days": "12"}
    claim = applications.claim_update(actor=agent, claim=claim, data={"self_paid": ""})
    assert claim.facts == {"hospital_days": "12"}


@pytest.mark.django_db
def test_a_death_is_paid_to_the_next_of_kin(world, covered):
    member, plan, _ = covered
    claim = report(world, member, plan, event_kind="death", cause="illness", event_date=EVENT).claim
    from tests.claims.services_support import apply

    claim = apply(world, claim)
    with pytest.raises(DomainError) as refused:
        applications.claim_submit(actor=world.actor(world.agent), claim=claim)
    assert "payee_relation" in refused.value.message_dict
    claim = applications.claim_update(
        actor=world.actor(world.agent),
        claim=claim,
        data={"payee_relation": "spouse", "payee_name": "李秀梅"},
    )
    claim = applications.claim_submit(actor=world.actor(world.agent), claim=claim)
    assert claim.status == ClaimStatus.SUBMITTED


@pytest.mark.django_db
def test_what_is_typed_is_kept_a_chinese_comma_comes_back(world, covered):
    """Issue 14: "，" typed in the description comes back as "，"; the reporter's name typed
    with a padding space is stored as the name."""
    seed_calendar(world)
    member, plan, _policy = covered
    rep = create(world, member, plan, description="确诊肺癌，住院手术。", reporter_name="廖 春梅")
    rep.refresh_from_db()
    assert rep.description == "确诊肺癌，住院手术。"
    assert rep.reporter_name == "廖春梅"
