"""Incident reports (报案, SPEC §8.1): a report opens the claim; a late one waits for a
reviewer.

The report deadline comes from the terms of the member's own policy (the version they
bought) and the tenant's work calendar (SPEC §9: 遇节假日顺延). A report after its
deadline is saved as late; the application cannot be submitted until a reviewer other
than its reporter accepts it with a written reason, and refusing it closes the claim.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from claims import access
from claims.models import (
    EDITABLE_STATUSES,
    Claim,
    ClaimStatus,
    IncidentReport,
    ReportStatus,
)
from claims.services import steps
from enrolment.models import Policy, PolicyStatus
from enrolment.policies import add_months
from members.models import Member
from mutualaid.audit.services import record
from mutualaid.calendar.selectors import work_calendar_for
from mutualaid.core.cleaning import clean_date, clean_text
from mutualaid.core.errors import DomainError
from mutualaid.core.numbering import next_number
from mutualaid.tenancy.scoping import Actor
from plans.models import Plan
from plans.rules import CAUSES, EVENT_KINDS
from plans.terms import terms_of


def policy_on(member: Member, plan: Plan, day: dt.date) -> Policy | None:
    """The member's policy in the plan covering ``day`` (the first day of a later one is
    not cover for an earlier event); else the latest before it, for the engine to say why
    there is no cover."""
    qs = (
        Policy.objects.filter(member=member, plan=plan)
        .exclude(status=PolicyStatus.CANCELLED)
        .select_related("plan_version")
    )
    covering = qs.filter(start__lte=day, end__gte=day).order_by("-start").first()
    if covering is not None:
        return covering
    return qs.filter(start__lte=day).order_by("-start").first() or qs.order_by("start").first()


def report_create(
    *,
    actor: Actor,
    member: Member,
    plan: Plan,
    event_kind: Any,
    event_date: Any,
    description: Any,
    cause: Any = "",
    reporter_name: Any = "",
    reporter_phone: Any = "",
    reported_on: dt.date | None = None,
) -> IncidentReport:
    """Report an incident for a member of the actor's subtree: the deadline is computed,
    a late report flagged, and the claim opened (draft) for the application."""
    member_org = member.organisation
    if not access.can_report(actor, member_org):
        raise PermissionDenied
    reported_on = reported_on or steps.today()
    errors: dict[str, list] = {}

    def check(fn):
        try:
            return fn()
        except DomainError as exc:
            for key, msgs in exc.message_dict.items():
                errors.setdefault(key, []).extend(msgs)
            return None

    event_kind = str(event_kind or "").strip()
    if event_kind not in EVENT_KINDS:
        errors["event_kind"] = [_("Choose what happened.")]
    cause = str(cause or "").strip()
    if cause and cause not in CAUSES:
        errors["cause"] = [_("Choose a cause from the list.")]
    day = check(lambda: clean_date(event_date, field="event_date"))
    if day is not None and day > reported_on:
        errors["event_date"] = [_("The event date cannot be after the day of the report.")]
    text = check(
        lambda: clean_text(description, field="description", max_length=2000, required=True)
    )
    name = check(lambda: clean_text(reporter_name, field="reporter_name", max_length=100))
    phone = check(lambda: clean_text(reporter_phone, field="reporter_phone", max_length=30))
    if plan.tenant_id != actor.tenant_id:
        raise PermissionDenied
    if errors:
        raise DomainError(errors)
    policy = policy_on(member, plan, day)
    if policy is None:
        raise DomainError(
            _("%(member)s has never been covered by %(plan)s.")
            % {"member": member.name, "plan": plan.name},
            field="plan",
        )
    # The policy's own version: its terms (deadline, expiry) are what the member bought.
    terms = terms_of(policy.plan_version)
    calendar = work_calendar_for(actor.tenant)
    deadline = calendar.deadline_after(
        day, terms.report_deadline_days_for(event_kind, cause or None)
    )
    late = reported_on > deadline.date
    with transaction.atomic():
        report = IncidentReport.objects.create(
            tenant_id=actor.tenant_id,
            organisation=member_org,
            member=member,
            plan=plan,
            number=next_number(
                tenant_id=actor.tenant_id, kind="report", prefix="BA", year=reported_on.year
            ),
            event_kind=event_kind,
            cause=cause,
            event_date=day,
            description=text,
            reported_on=reported_on,
            deadline=deadline.date,
            deadline_provisional=deadline.provisional,
            late=late,
            status=ReportStatus.LATE if late else ReportStatus.ACCEPTED,
            reporter_name=name,
            reporter_phone=phone,
            created_by=actor.user,
        )
        claim = Claim.objects.create(
            tenant_id=actor.tenant_id,
            organisation=member_org,
            report=report,
            member=member,
            member_name=member.name,
            plan=plan,
            policy=policy,
            number=next_number(
                tenant_id=actor.tenant_id, kind="claim", prefix="LP", year=reported_on.year
            ),
            event_kind=event_kind,
            event_date=day,
            cause=cause,
            expires_on=add_months(day, terms.claim_expiry_months),
            payee_name=member.name,
            filed_by=actor.user,
        )
        record(
            actor=actor,
            action="claim.reported",
            obj=report,
            organisation=member_org,
            after={
                "member": str(member.pk),
                "event_kind": event_kind,
                "event_date": day.isoformat(),
                "deadline": deadline.date.isoformat(),
                "late": late,
                "claim": claim.number,
            },
        )
    return report


def report_decide_late(
    *, actor: Actor, report: IncidentReport, accept: bool, reason: Any
) -> IncidentReport:
    """A reviewer other than its reporter accepts a late report (only with a written
    reason), or refuses it (the claim is closed as rejected)."""
    step = "accept_late" if accept else "refuse_late"
    access.require_actor(actor, report, step)
    reason = clean_text(reason, field="reason", max_length=2000, required=True)
    with transaction.atomic():
        report = IncidentReport.objects.select_for_update().get(pk=report.pk)
        access.require_action(actor, report, step)
        before = report.status
        report.status = access.REPORT_ACTIONS[step].target
        report.late_reason = reason
        report.late_decided_by = actor.user
        report.save(update_fields=["status", "late_reason", "late_decided_by"])
        record(
            actor=actor,
            action="claim.late_report_accepted" if accept else "claim.late_report_refused",
            obj=report,
            organisation=report.organisation,
            before={"status": before},
            after={"status": report.status, "reason": reason},
        )
        if not accept:
            claim = steps.lock_claim(report.claim)
            if claim.status in EDITABLE_STATUSES:
                before = claim.status
                claim.status = ClaimStatus.REJECTED
                claim.decision_reason = reason
                claim.save(update_fields=["status", "decision_reason", "updated_at"])
                steps.record_step(claim, actor=actor, action="reject", before=before, reason=reason)
    return report
