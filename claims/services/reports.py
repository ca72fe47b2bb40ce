"""Incident reports (报案, SPEC §8.1): a report opens the claim; a late one waits for a
reviewer.

A report is for an event the member's cover pays for: the policy of the plan in force on
the event date must have a benefit (or the death consolation) for the event kind, else
the report is refused on the event kind with what that cover does pay for (one rule for
page and API; the form only narrows its choices). A day inside the renewal grace after the
end of cover is taken: a renewal paid in time covers it, and the engine decides once it
assesses. A report may name an earlier report of
the same member as the same incident (a death after the disability of one accident):
the assessment then deducts what was granted on it (``claims.services.assessment``).

The report deadline comes from the terms of the member's own policy (the version they
bought) and the tenant's work calendar (SPEC §9: 遇节假日顺延). A report after its
deadline is saved as late; the application cannot be submitted until a reviewer other
than its reporter accepts it with a written reason, and refusing it closes the claim.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from claims import access, notices
from claims.models import (
    EDITABLE_STATUSES,
    Claim,
    ClaimStatus,
    IncidentReport,
    ReportStatus,
)
from claims.services import steps
from enrolment.models import Policy, PolicyStatus
from enrolment.policies import add_months, renewal_deadline
from members.models import Member
from members.selfservice.session import is_member_actor
from mutualaid.audit.services import record
from mutualaid.calendar.selectors import work_calendar_for
from mutualaid.core.cleaning import clean_date, clean_person_name, clean_text
from mutualaid.core.errors import DomainError
from mutualaid.core.numbering import next_number
from mutualaid.tenancy.scoping import Actor
from plans.models import Plan
from plans.rules import CAUSES, EVENT_KINDS, PlanTerms
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


def kinds_covered(terms: PlanTerms) -> tuple[str, ...]:
    """The event kinds a version's terms pay something for (a benefit item, or the
    death-from-other-causes consolation), in the vocabulary's order."""
    kinds = {kind for item in terms.items for kind in item.events}
    if terms.death_consolation is not None:
        kinds.add("death")
    return tuple(kind for kind in EVENT_KINDS if kind in kinds)


def _covers(policy: Policy, day: dt.date) -> bool:
    """The policy was in force on ``day`` (both ends covered; an early end ends it)."""
    return policy.start <= day <= (policy.ended_on or policy.end)


def _renewable_on(policy: Policy, day: dt.date) -> bool:
    """``day`` is after the policy's end but inside its renewal grace (SPEC §7: some offices
    keep cover continuous for a renewal paid up to 30 days after the end), so a renewal
    not paid yet may still cover it. Cover ended early has no grace."""
    if policy.ended_on is not None or day <= policy.end:
        return False
    return day <= renewal_deadline(policy.end, policy.plan_version.terms.get("renewal"))


def _names(kinds) -> str:
    return "、".join(EVENT_KINDS[kind] for kind in kinds)


def cover_error(
    actor: Actor, member: Member, plan: Plan, event_kind: str, day: dt.date
) -> str | None:
    """Why the member's cover under ``plan`` does not answer ``event_kind`` on ``day``
    (SPEC §8.1: a report is for an event the cover pays for), naming what it covers then
    and the member's other plans (that the actor sees) that cover the event; None when it
    does (or when the member never held the plan, which the caller refuses on the plan)."""
    visible = Plan.objects.for_actor(actor).values("pk")
    policies = list(
        Policy.objects.filter(member=member, tenant_id=member.tenant_id)
        .filter(Q(plan_id=plan.pk) | Q(plan_id__in=visible))
        .exclude(status=PolicyStatus.CANCELLED)
        .select_related("plan_version", "plan")
        .order_by("start", "id")
    )
    if not any(p.plan_id == plan.pk for p in policies):
        return None  # never covered by the plan: the caller says so on the plan
    in_force = [p for p in policies if _covers(p, day)]
    own = [p for p in in_force if p.plan_id == plan.pk]
    if not own and any(_renewable_on(p, day) for p in policies if p.plan_id == plan.pk):
        return None  # a renewal paid in its window will cover it: the engine says then
    covered = {kind for p in own for kind in kinds_covered(terms_of(p.plan_version))}
    if event_kind in covered:
        return None
    elsewhere = [
        p.plan.display_name
        for p in in_force
        if p.plan_id != plan.pk and event_kind in kinds_covered(terms_of(p.plan_version))
    ]
    params = {
        "date": day.isoformat(),
        "kind": EVENT_KINDS[event_kind],
        "covered": _names(k for k in EVENT_KINDS if k in covered),
        "plans": "、".join(dict.fromkeys(elsewhere)),
    }
    if not own:
        params["periods"] = "; ".join(
            f"{p.start.isoformat()} – {(p.ended_on or p.end).isoformat()}"
            for p in policies
            if p.plan_id == plan.pk
        )
    if own and elsewhere:
        message = _(
            "On %(date)s the member's plan covers only: %(covered)s; it does not cover "
            "%(kind)s. %(plans)s covers it: report it under that plan."
        )
    elif own:
        message = _(
            "On %(date)s the member's plan covers only: %(covered)s; it does not cover %(kind)s."
        )
    elif elsewhere:
        message = _(
            "The member was not covered by this plan on %(date)s (cover: %(periods)s), so "
            "it does not cover %(kind)s then. %(plans)s covers it: report it under that plan."
        )
    else:
        message = _(
            "The member was not covered by this plan on %(date)s (cover: %(periods)s), so "
            "it does not cover %(kind)s then."
        )
    return message % params


def _same_incident(actor: Actor, member: Member, value: Any) -> IncidentReport | None:
    """The report named as the same incident: an earlier report of this member that the
    actor reaches; the first report of that incident is what is kept. Anything else —
    a report of another member, out of reach, missing, not an id — gets one message, so
    ids cannot be probed."""
    value = str(value or "").strip()
    if not value:
        return None
    try:
        named = (
            IncidentReport.objects.for_actor(actor)
            .filter(member_id=member.pk, tenant_id=member.tenant_id)
            .only("id", "same_incident_as_id")
            .get(pk=value)
        )
    except (IncidentReport.DoesNotExist, ValueError, TypeError, ValidationError):
        raise DomainError(
            _("Choose an earlier report of this member."), field="same_incident_as"
        ) from None
    if named.same_incident_as_id is not None:
        return IncidentReport.objects.get(pk=named.same_incident_as_id)
    return named


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
    same_incident_as: Any = None,
    reported_on: dt.date | None = None,
) -> IncidentReport:
    """Report an incident for a member of the actor's subtree: the deadline is computed,
    a late report flagged, and the claim opened (draft) for the application. An event
    the member's cover under the plan does not pay for on that day is refused on the
    event kind; ``same_incident_as`` names an earlier report of the same incident."""
    member_org = member.organisation
    if not access.can_report_for(actor, member):
        raise PermissionDenied
    by_member = is_member_actor(actor)
    if by_member:
        # The member reports for themselves: they are the reporter.
        reporter_name = reporter_name or member.name
        reporter_phone = reporter_phone or member.phone
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
    name = check(
        lambda: clean_person_name(clean_text(reporter_name, field="reporter_name", max_length=100))
    )
    phone = check(lambda: clean_text(reporter_phone, field="reporter_phone", max_length=30))
    if plan.tenant_id != actor.tenant_id:
        raise PermissionDenied
    earlier = check(lambda: _same_incident(actor, member, same_incident_as))
    if day is not None and "event_kind" not in errors and "event_date" not in errors:
        refused = cover_error(actor, member, plan, event_kind, day)
        if refused is not None:
            errors["event_kind"] = [refused]
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
            same_incident_as=earlier,
            created_by=actor.user,
            by_member=by_member,
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
            action="claim.reported_by_member" if by_member else "claim.reported",
            obj=report,
            organisation=member_org,
            after={
                "member": str(member.pk),
                "event_kind": event_kind,
                "event_date": day.isoformat(),
                "deadline": deadline.date.isoformat(),
                "late": late,
                "claim": claim.number,
                **({"same_incident_as": earlier.number} if earlier is not None else {}),
            },
        )
        if late:
            notices.notify_late_report(report)
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
