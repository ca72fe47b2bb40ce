"""Review of claims (SPEC §2, §8): four-eyes, the filer never approves, adjustments with a
reason, late reports, expiry and its reminders, who may do what, and the audit log.

The member is covered by 职工指定疾病(手术), 3 shares from 2026-03-16 (the claims
conftest's ``covered``): a lung cancer on 2026-08-01 is assessed ¥45,000 (four-eyes), a
coronary stent ¥9,000 (one approver).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from claims import access, notices
from claims.models import Claim, ClaimDecision, ClaimStatus, IncidentReport, ReportStatus
from claims.services import applications, daily, payouts, reports, review
from mutualaid.audit.models import AuditEvent
from mutualaid.core.errors import DomainError
from mutualaid.notifications.models import Notification
from mutualaid.tenancy.models import Role
from tests import factories
from tests.claims.services_support import (
    apply,
    freeze_today,
    pdf_upload,
    report,
    seed_calendar,
    submitted,
)

EVENT = dt.date(2026, 8, 1)


@pytest.fixture(autouse=True)
def _today(world, monkeypatch):
    seed_calendar(world)
    freeze_today(monkeypatch, dt.date(2026, 8, 20))


def cancer(world, covered, **kwargs) -> Claim:
    member, plan, _ = covered
    return submitted(world, member, plan, event_date=EVENT, condition="malignant_tumour", **kwargs)


def stent(world, covered, **kwargs) -> Claim:
    member, plan, _ = covered
    return submitted(world, member, plan, event_date=EVENT, condition="coronary_stent", **kwargs)


def codes(error: DomainError) -> set[str]:
    return {e.code for errors in error.error_dict.values() for e in errors}


def decide(world, user, claim, action="approve", **kwargs) -> Claim:
    return review.claim_decide(actor=world.actor(user), claim=claim, action=action, **kwargs)


# --- four-eyes -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_above_the_threshold_a_second_reviewer_confirms(world, covered):
    claim = cancer(world, covered)
    assert claim.assessed_amount == Decimal("45000.00") and claim.needs_four_eyes

    claim = decide(world, world.reviewer, claim)
    assert claim.status == ClaimStatus.SECOND_APPROVAL
    assert claim.approved_on is None and claim.payout_due is None
    assert payouts.batch_build(actor=world.actor(world.finance), tenant_id=world.tenant.pk) is None

    with pytest.raises(DomainError) as refused:
        decide(world, world.reviewer, claim)
    assert "four_eyes" in codes(refused.value)
    assert "approve" not in access.allowed_actions(
        world.actor(world.reviewer), Claim.objects.get(pk=claim.pk)
    )
    assert "approve" in access.allowed_actions(
        world.actor(world.reviewer2), Claim.objects.get(pk=claim.pk)
    )

    claim = decide(world, world.reviewer2, claim)
    assert claim.status == ClaimStatus.APPROVED
    assert (claim.first_approver_id, claim.second_approver_id) == (
        world.reviewer.pk,
        world.reviewer2.pk,
    )
    assert claim.approved_amount == Decimal("45000.00")


@pytest.mark.django_db
def test_at_the_threshold_one_approver_is_enough(world, covered):
    """超过 ¥10,000 needs two; ¥9,000 does not."""
    claim = decide(world, world.reviewer, stent(world, covered))
    assert claim.status == ClaimStatus.APPROVED and claim.second_approver_id is None


@pytest.mark.django_db
def test_exactly_the_threshold_needs_one_approver(world, covered):
    """ "超过" excludes the number: with a ¥9,000 threshold, the ¥9,000.00 stent is not
    above it. (An amount above the assessment needs two approvers whatever the threshold:
    tests/claims/test_four_eyes_amounts.py.)"""
    world.tenant.__class__.objects.filter(pk=world.tenant.pk).update(
        four_eyes_threshold=Decimal("9000.00")
    )
    claim = decide(world, world.reviewer, stent(world, covered), amount="9000.00")
    assert claim.status == ClaimStatus.APPROVED
    claim = decide(
        world,
        world.reviewer,
        stent(world, covered),
        amount="9000.01",
        reason="两枚支架, 按管委会意见",
    )
    assert claim.status == ClaimStatus.SECOND_APPROVAL


@pytest.mark.django_db
def test_the_database_refuses_one_person_as_both_approvers(world, covered):
    claim = decide(world, world.reviewer, cancer(world, covered))
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(second_approver=world.reviewer)


@pytest.mark.django_db
def test_the_second_approver_confirms_the_first_amount_and_cannot_change_it(world, covered):
    claim = decide(world, world.reviewer, cancer(world, covered))
    with pytest.raises(DomainError):
        decide(world, world.reviewer2, claim, amount="30000", reason="只认可部分")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SECOND_APPROVAL
    assert claim.approved_amount == Decimal("45000.00")
    # To change it, the second reviewer sends it back; a new first approval follows.
    claim = decide(world, world.reviewer2, claim, "investigate", reason="核实病理报告")
    assert claim.status == ClaimStatus.INVESTIGATION and claim.first_approver_id is None
    claim = decide(world, world.reviewer2, claim, amount="30000", reason="病理报告只支持部分")
    assert claim.status == ClaimStatus.SECOND_APPROVAL and claim.approved_amount == 30000
    claim = decide(world, world.reviewer, claim)
    assert claim.status == ClaimStatus.APPROVED and claim.approved_amount == Decimal("30000.00")


# --- the filer never approves ----------------------------------------------------------------


@pytest.mark.django_db
def test_an_office_reviewer_who_reported_on_behalf_cannot_approve(world, covered):
    claim = stent(world, covered, actor=world.actor(world.reviewer))
    assert claim.filed_by_id == world.reviewer.pk
    assert "approve" not in access.allowed_actions(world.actor(world.reviewer), claim)

    with pytest.raises(DomainError) as refused:
        decide(world, world.reviewer, claim)
    assert "filer" in codes(refused.value)
    claim = decide(world, world.reviewer2, claim)
    assert claim.status == ClaimStatus.APPROVED and claim.first_approver_id == world.reviewer2.pk


@pytest.mark.django_db
def test_the_filer_cannot_give_the_second_approval_either(world, covered):
    claim = cancer(world, covered, actor=world.actor(world.reviewer))
    claim = decide(world, world.reviewer2, claim)
    with pytest.raises(DomainError) as refused:
        decide(world, world.reviewer, claim)
    assert "filer" in codes(refused.value)
    third = factories.make_staff(world.office, Role.REVIEWER, username="reviewer3")
    claim = decide(world, third, claim)
    assert claim.status == ClaimStatus.APPROVED


@pytest.mark.django_db
def test_a_reviewer_who_submitted_the_application_for_the_agent_cannot_approve(world, covered):
    """The agent reported; an office reviewer completed and submitted the application on
    the member's behalf: that reviewer filed it."""
    member, plan, _ = covered
    rep = report(world, member, plan, event_date=EVENT)
    reviewer = world.actor(world.reviewer)
    claim = apply(world, rep.claim, actor=reviewer, condition="coronary_stent")
    claim = applications.claim_submit(actor=reviewer, claim=claim)
    assert "approve" not in access.allowed_actions(reviewer, claim)
    with pytest.raises(DomainError) as refused:
        decide(world, world.reviewer, claim)
    assert "filer" in codes(refused.value)
    assert decide(world, world.reviewer2, claim).status == ClaimStatus.APPROVED


# --- adjustments ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_adjusted_amount_needs_a_reason(world, covered):
    claim = stent(world, covered)
    with pytest.raises(DomainError) as refused:
        decide(world, world.reviewer, claim, amount="8000.00")
    assert "reason" in refused.value.message_dict
    with pytest.raises(DomainError) as refused:
        decide(world, world.reviewer, claim, amount="八千", reason="x")
    assert "amount" in refused.value.message_dict
    with pytest.raises(DomainError) as refused:
        decide(world, world.reviewer, claim, amount="0", reason="不予给付")
    assert "amount" in refused.value.message_dict
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.SUBMITTED

    claim = decide(world, world.reviewer, claim, amount="8,000.00", reason="票据只有一枚支架")
    assert claim.status == ClaimStatus.APPROVED
    assert claim.approved_amount == Decimal("8000.00")
    assert claim.adjustment_reason == "票据只有一枚支架"
    last = ClaimDecision.objects.filter(claim=claim).last()
    assert (last.action, last.amount, last.reason) == (
        "approve",
        Decimal("8000.00"),
        "票据只有一枚支架",
    )


@pytest.mark.django_db
def test_the_assessed_amount_needs_no_reason(world, covered):
    claim = decide(world, world.reviewer, stent(world, covered), amount="9000")
    assert claim.approved_amount == Decimal("9000.00") and claim.adjustment_reason == ""


@pytest.mark.django_db
def test_an_amount_raised_above_the_threshold_needs_two_approvers(world, covered):
    claim = decide(
        world,
        world.reviewer,
        stent(world, covered),
        amount="12000",
        reason="两枚支架, 补充票据已核实",
    )
    assert claim.status == ClaimStatus.SECOND_APPROVAL


@pytest.mark.django_db
def test_rejection_and_requests_need_a_reason(world, covered):
    claim = stent(world, covered)
    for action in ("reject", "request_documents", "investigate"):
        with pytest.raises(DomainError) as refused:
            decide(world, world.reviewer, claim, action)
        assert "reason" in refused.value.message_dict
    with pytest.raises(DomainError):
        decide(world, world.reviewer, claim, "pay")
    claim = decide(world, world.reviewer, claim, "reject", reason="非保障范围内手术")
    assert claim.status == ClaimStatus.REJECTED
    with pytest.raises(DomainError):
        decide(world, world.reviewer2, claim)


@pytest.mark.django_db
def test_documents_requested_go_back_to_the_agent_and_come_back(world, covered):
    claim = stent(world, covered)
    claim = decide(world, world.reviewer, claim, "request_documents", reason="请补充出院小结")
    assert claim.status == ClaimStatus.DOCUMENTS_REQUESTED
    note = Notification.objects.get(recipient=world.agent, kind=notices.DOCUMENTS_REQUESTED)
    assert note.params["reason"] == "请补充出院小结"
    agent = world.actor(world.agent)
    with pytest.raises(DomainError):
        decide(world, world.reviewer, claim)
    applications.document_add(
        actor=agent, claim=claim, kind="hospital", upload=pdf_upload("出院小结.pdf")
    )
    claim = applications.claim_submit(actor=agent, claim=claim)
    assert claim.status == ClaimStatus.SUBMITTED
    assert decide(world, world.reviewer, claim).status == ClaimStatus.APPROVED


@pytest.mark.django_db
def test_a_submitted_claim_cannot_be_changed_by_the_agent(world, covered):
    claim = stent(world, covered)
    agent = world.actor(world.agent)
    with pytest.raises(DomainError):
        applications.claim_update(actor=agent, claim=claim, data={"bank_name": "农业银行"})
    with pytest.raises(DomainError):
        applications.claim_submit(actor=agent, claim=claim)
    with pytest.raises(DomainError):
        applications.document_add(actor=agent, claim=claim, kind="other", upload=pdf_upload())


@pytest.mark.django_db
def test_an_exclusion_found_by_the_reviewer_reassesses_to_nothing(world, covered):
    claim = stent(world, covered)
    reviewer = world.actor(world.reviewer)
    with pytest.raises(DomainError):
        review.claim_reassess(actor=reviewer, claim=claim, exclusions=["no_such_code"])
    claim = review.claim_reassess(actor=reviewer, claim=claim, exclusions=["pre_existing"])
    assert claim.assessed_amount == Decimal("0.00")
    assert "EXCLUDED" in claim.assessment["reasons"]
    with pytest.raises(PermissionDenied):
        review.claim_reassess(actor=world.actor(world.agent), claim=claim, exclusions=[])


# --- late reports --------------------------------------------------------------------------


def late_claim(world, covered, *, actor=None) -> Claim:
    """Illness on 2026-08-01 (deadline 08-11), reported on 08-12."""
    member, plan, _ = covered
    rep = report(
        world, member, plan, event_date=EVENT, reported_on=dt.date(2026, 8, 12), actor=actor
    )
    assert (rep.late, rep.status, rep.deadline) == (True, ReportStatus.LATE, dt.date(2026, 8, 11))
    return apply(world, rep.claim, condition="coronary_stent")


@pytest.mark.django_db
def test_a_late_report_waits_for_a_reviewer_who_accepts_it_with_a_reason(world, covered):
    claim = late_claim(world, covered)
    agent = world.actor(world.agent)
    with pytest.raises(DomainError) as refused:
        applications.claim_submit(actor=agent, claim=claim)
    assert "2026-08-11" in str(refused.value)

    rep = claim.report
    with pytest.raises(PermissionDenied):
        reports.report_decide_late(actor=agent, report=rep, accept=True, reason="家属住院陪护")
    with pytest.raises(PermissionDenied):
        reports.report_decide_late(
            actor=world.actor(world.county_cadre), report=rep, accept=True, reason="家属住院陪护"
        )
    with pytest.raises(DomainError) as refused:
        reports.report_decide_late(
            actor=world.actor(world.reviewer), report=rep, accept=True, reason="  "
        )
    assert "reason" in refused.value.message_dict

    rep = reports.report_decide_late(
        actor=world.actor(world.reviewer),
        report=rep,
        accept=True,
        reason="住院手术期间无法报案, 有医院证明",
    )
    assert rep.status == ReportStatus.ACCEPTED and rep.late
    assert rep.late_decided_by_id == world.reviewer.pk
    with pytest.raises(DomainError):  # decided once
        reports.report_decide_late(
            actor=world.actor(world.reviewer2), report=rep, accept=False, reason="再议"
        )

    claim = applications.claim_submit(actor=agent, claim=claim)
    assert claim.status == ClaimStatus.SUBMITTED
    event = AuditEvent.objects.get(action="claim.late_report_accepted")
    assert event.actor_id == world.reviewer.pk
    assert event.after["reason"] == "住院手术期间无法报案, 有医院证明"


@pytest.mark.django_db
def test_a_refused_late_report_rejects_the_claim(world, covered):
    claim = late_claim(world, covered)
    reports.report_decide_late(
        actor=world.actor(world.reviewer),
        report=claim.report,
        accept=False,
        reason="无正当理由逾期报案",
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED
    assert claim.decision_reason == "无正当理由逾期报案"
    assert claim.report.status == ReportStatus.REFUSED
    with pytest.raises(DomainError):
        applications.claim_submit(actor=world.actor(world.agent), claim=claim)
    assert list(claim.decisions.values_list("action", flat=True)) == ["reject"]


@pytest.mark.django_db
def test_the_reviewer_who_filed_a_late_report_does_not_excuse_it(world, covered):
    claim = late_claim(world, covered, actor=world.actor(world.reviewer))
    with pytest.raises(DomainError):
        reports.report_decide_late(
            actor=world.actor(world.reviewer), report=claim.report, accept=True, reason="我自己报的"
        )
    rep = reports.report_decide_late(
        actor=world.actor(world.reviewer2), report=claim.report, accept=True, reason="医院证明属实"
    )
    assert rep.status == ReportStatus.ACCEPTED


@pytest.mark.django_db
def test_the_database_refuses_a_late_report_accepted_without_a_reason(world, covered):
    claim = late_claim(world, covered)
    with pytest.raises(IntegrityError), transaction.atomic():
        IncidentReport.objects.filter(pk=claim.report_id).update(status=ReportStatus.ACCEPTED)


# --- expiry and reminders ----------------------------------------------------------------


@pytest.mark.django_db
def test_an_application_not_made_within_a_year_is_forfeited(world, covered, monkeypatch):
    member, plan, _ = covered
    claim = apply(
        world, report(world, member, plan, event_date=EVENT).claim, condition="coronary_stent"
    )
    other = stent(world, covered)  # submitted in time: never expires
    assert claim.expires_on == dt.date(2027, 8, 1)

    assert daily.claims_expire_due(today_=dt.date(2027, 8, 1)) == 0
    freeze_today(monkeypatch, dt.date(2027, 8, 2))
    with pytest.raises(DomainError) as refused:  # before the job has run
        applications.claim_submit(actor=world.actor(world.agent), claim=claim)
    assert "2027-08-01" in str(refused.value)

    assert daily.claims_expire_due(today_=dt.date(2027, 8, 2)) == 1
    assert daily.claims_expire_due(today_=dt.date(2027, 8, 3)) == 0  # idempotent
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.EXPIRED
    assert Claim.objects.get(pk=other.pk).status == ClaimStatus.SUBMITTED
    with pytest.raises(DomainError) as refused:
        applications.claim_submit(actor=world.actor(world.agent), claim=claim)
    assert "2027-08-01" in str(refused.value)
    assert list(claim.decisions.values_list("action", flat=True)) == ["expired"]
    event = AuditEvent.objects.get(action="claim.expired", object_id=str(claim.pk))
    assert event.actor_id is None and event.organisation_id == world.unit.pk
    assert event.tenant_id == world.tenant.pk


@pytest.mark.django_db
def test_reminders_30_and_7_days_before_expiry_once_each(world, covered):
    member, plan, _ = covered
    claim = report(world, member, plan, event_date=EVENT).claim
    sibling = factories.make_staff(world.unit, Role.AGENT, username="agent_colleague")

    sent_on = {}
    day = dt.date(2027, 6, 1)
    while day <= dt.date(2027, 8, 2):
        if daily.claims_remind_expiry(today_=day):
            sent_on[day] = sorted(
                Notification.objects.filter(
                    kind=notices.EXPIRY_REMINDER, created_at__isnull=False
                ).values_list("params__days", flat=True)
            )
        day += dt.timedelta(days=1)

    assert list(sent_on) == [dt.date(2027, 7, 2), dt.date(2027, 7, 25)]
    for user in (world.agent, sibling):
        days_left = sorted(
            Notification.objects.filter(recipient=user, kind=notices.EXPIRY_REMINDER).values_list(
                "params__days", flat=True
            )
        )
        assert days_left == [7, 30]
    claim.refresh_from_db()
    assert claim.reminded_30 and claim.reminded_7


@pytest.mark.django_db
def test_a_claim_first_seen_within_7_days_of_expiry_gets_one_reminder(world, covered):
    member, plan, _ = covered
    report(world, member, plan, event_date=EVENT)
    assert daily.claims_remind_expiry(today_=dt.date(2027, 7, 28)) == 1
    assert daily.claims_remind_expiry(today_=dt.date(2027, 7, 29)) == 0
    days_left = list(
        Notification.objects.filter(
            recipient=world.agent, kind=notices.EXPIRY_REMINDER
        ).values_list("params__days", flat=True)
    )
    assert days_left == [4]


@pytest.mark.django_db
def test_submitted_claims_are_not_reminded(world, covered):
    stent(world, covered)
    assert daily.claims_remind_expiry(today_=dt.date(2027, 7, 25)) == 0


# --- who may do what -------------------------------------------------------------------


@pytest.mark.django_db
def test_only_reviewers_of_the_subtree_decide(world, covered):
    claim = stent(world, covered)
    other_reviewer = factories.make_staff(world.other_office, Role.REVIEWER, username="b_rev")
    city_reviewer = factories.make_staff(world.other_county, Role.REVIEWER, username="c_rev")
    for user in (
        world.agent,
        world.county_cadre,
        world.city_cadre,
        world.office_admin,
        world.finance,
        world.auditor,
        other_reviewer,
        city_reviewer,
    ):
        for action in ("approve", "reject"):
            with pytest.raises(PermissionDenied):
                decide(world, user, claim, action, reason="试图越权")
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.SUBMITTED
    assert not ClaimDecision.objects.filter(claim=claim).exclude(action="submit").exists()


@pytest.mark.django_db
def test_only_the_units_side_reports_and_applies(world, covered, seed_plans):
    member, plan, _ = covered
    for user in (
        world.sibling_agent,
        world.other_county_agent,
        world.other_tenant_admin,
        world.other_tenant_agent,
        world.finance,
        world.auditor,
    ):
        with pytest.raises(PermissionDenied):
            report(world, member, plan, event_date=EVENT, actor=world.actor(user))
    claim = report(world, member, plan, event_date=EVENT).claim
    for user in (world.sibling_agent, world.other_tenant_admin, world.finance):
        actor = world.actor(user)
        with pytest.raises(PermissionDenied):
            applications.claim_update(actor=actor, claim=claim, data={"bank_name": "农业银行"})
        with pytest.raises(PermissionDenied):
            applications.document_add(
                actor=actor, claim=claim, kind="diagnosis", upload=pdf_upload()
            )
        with pytest.raises(PermissionDenied):
            applications.claim_submit(actor=actor, claim=claim)
    # A plan of another tenant is no way in either.
    other_plan = factories.make_plan(world.other_office)
    with pytest.raises(PermissionDenied):
        report(world, member, other_plan, event_date=EVENT)
    # The county cadre above the unit may report for the member (SPEC §8: office staff).
    rep = report(world, member, plan, event_date=EVENT, actor=world.actor(world.county_cadre))
    assert rep.created_by_id == world.county_cadre.pk


# --- the audit log --------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_decision_is_in_the_audit_log(world, covered):
    member, plan, _ = covered
    rep = report(world, member, plan, event_date=EVENT, reported_on=dt.date(2026, 8, 12))
    reports.report_decide_late(
        actor=world.actor(world.reviewer), report=rep, accept=True, reason="住院期间无法报案"
    )
    claim = apply(world, rep.claim, condition="malignant_tumour")
    agent = world.actor(world.agent)
    claim = applications.claim_submit(actor=agent, claim=claim)
    claim = decide(world, world.reviewer, claim, "investigate", reason="核实病历")
    claim = decide(world, world.reviewer, claim, "request_documents", reason="补充病理报告")
    applications.document_add(
        actor=agent, claim=claim, kind="diagnosis", upload=pdf_upload("病理.pdf")
    )
    claim = applications.claim_submit(actor=agent, claim=claim)
    claim = decide(world, world.reviewer, claim)
    claim = decide(world, world.reviewer2, claim)
    batch = payouts.batch_build(actor=world.actor(world.finance), tenant_id=world.tenant.pk)
    batch = payouts.batch_approve(actor=world.actor(world.finance2), batch=batch)
    payouts.lines_mark_paid(
        actor=world.actor(world.finance2), batch=batch, paid_on=dt.date(2026, 8, 20)
    )

    of_claim = list(
        AuditEvent.objects.filter(object_type="claims.claim", object_id=str(claim.pk))
        .order_by("at", "id")
        .values_list("action", "actor__username")
    )
    decisions = [(a, u) for a, u in of_claim if a not in ("claim.updated", "claim.document_added")]
    assert decisions == [
        ("claim.submit", "agent"),
        ("claim.investigate", "reviewer"),
        ("claim.request_documents", "reviewer"),
        ("claim.submit", "agent"),
        ("claim.first_approval", "reviewer"),
        ("claim.second_approval", "reviewer2"),
    ]
    assert ("claim.document_added", "agent") in of_claim
    of_report = set(
        AuditEvent.objects.filter(object_id=str(rep.pk)).values_list("action", flat=True)
    )
    assert of_report == {"claim.reported", "claim.late_report_accepted"}
    of_batch = list(
        AuditEvent.objects.filter(object_id=str(batch.pk))
        .order_by("at", "id")
        .values_list("action", "actor__username")
    )
    assert of_batch == [
        ("claim.batch_built", "finance"),
        ("claim.batch_approved", "finance2"),
        ("claim.batch_paid", "finance2"),
    ]
    # The claim's own history says the same, in order, with who and why.
    history = list(claim.decisions.values_list("action", "actor__username", "reason"))
    assert history == [
        ("submit", "agent", ""),
        ("investigate", "reviewer", "核实病历"),
        ("request_documents", "reviewer", "补充病理报告"),
        ("submit", "agent", ""),
        ("first_approval", "reviewer", ""),
        ("second_approval", "reviewer2", ""),
        ("batched", "finance", batch.number),
        ("paid", "finance2", batch.number),
    ]


# --- earlier claims of the same policy ----------------------------------------------------


@pytest.mark.django_db
def test_two_pending_claims_never_pay_more_than_the_yearly_cap_together(world, seed_plans):
    """意外伤害医疗 pays at most ¥12,000 per share a year. Two accidents are submitted
    before either is approved: each was assessed alone, but the second approval sees the
    first and pays only what the cap has left."""
    plan = seed_plans["gx_group_accident"]
    member = factories.make_member(world.unit, name="莫小军")
    factories.make_policy(member, plan, shares=1, start=dt.date(2026, 3, 16))
    first = submitted(
        world,
        member,
        plan,
        event_kind="accident",
        cause="accident",
        event_date="2026-08-01",
        facts={"self_paid": "8000"},
    )
    second = submitted(
        world,
        member,
        plan,
        event_kind="accident",
        cause="accident",
        event_date="2026-08-05",
        facts={"self_paid": "7000"},
    )
    assert (first.assessed_amount, second.assessed_amount) == (
        Decimal("8000.00"),
        Decimal("7000.00"),
    )
    decide(world, world.reviewer, first)
    # The reviewer still sees ¥7,000 on the page and confirms that amount: refused, with
    # what the terms allow now.
    with pytest.raises(DomainError) as refused:
        decide(world, world.reviewer, second, amount="7000.00")
    assert "4000.00" in str(refused.value)
    second = decide(world, world.reviewer, second)
    assert second.status == ClaimStatus.APPROVED
    assert second.approved_amount == second.assessed_amount == Decimal("4000.00")
    assert "CAP_REACHED" in second.assessment["reasons"]
    assert AuditEvent.objects.filter(action="claim.reassessed", object_id=str(second.pk)).exists()


@pytest.mark.django_db
def test_an_earlier_claim_counts_with_the_amount_approved_not_assessed(world, seed_plans):
    """The first accident was assessed ¥8,000 but approved at ¥5,000 (one bill was not
    accepted): ¥7,000 of the ¥12,000 cap is left, and the second accident gets it."""
    plan = seed_plans["gx_group_accident"]
    member = factories.make_member(world.unit, name="莫小军")
    factories.make_policy(member, plan, shares=1, start=dt.date(2026, 3, 16))
    first = submitted(
        world,
        member,
        plan,
        event_kind="accident",
        cause="accident",
        event_date="2026-08-01",
        facts={"self_paid": "8000"},
    )
    first = decide(world, world.reviewer, first, amount="5000", reason="一张票据不符合规定")
    assert first.approved_amount == Decimal("5000.00")
    second = submitted(
        world,
        member,
        plan,
        event_kind="accident",
        cause="accident",
        event_date="2026-08-05",
        facts={"self_paid": "7000"},
    )
    assert second.assessed_amount == Decimal("7000.00")
    assert decide(world, world.reviewer, second).approved_amount == Decimal("7000.00")
    third = submitted(
        world,
        member,
        plan,
        event_kind="accident",
        cause="accident",
        event_date="2026-08-09",
        facts={"self_paid": "500"},
    )
    assert third.assessed_amount == Decimal("0.00")
    assert "CAP_REACHED" in third.assessment["reasons"]
