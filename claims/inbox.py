"""What waits in the claims workflow, for the work inbox (``mutualaid.home.inbox``).

- agents: claim applications to prepare (soonest expiry first), claims whose documents
  the reviewer asked for;
- reviewers: claims waiting for a first decision and for a second approval (never one
  the reviewer filed or approved first), coloured by the queue's SLA (decide and pay
  within 30 working days of submission), late reports waiting for a decision (coloured by
  their age, ``REVIEW_SOON_DAYS``/``REVIEW_LATE_DAYS``);
- finance at the office: approved claims to put in a batch (soonest payout limit first),
  batches to approve (not one's own), approved batches to pay, failed payout lines;
- auditors: the day's payouts (``premiums.inbox`` adds the day's premium payments).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from claims.models import (
    CLOSED_STATUSES,
    BatchStatus,
    Claim,
    ClaimDocument,
    ClaimStatus,
    IncidentReport,
    LineStatus,
    PayoutBatch,
    PayoutLine,
    ReportStatus,
)
from claims.selectors import AMBER_WORKING_DAYS, Sla, StatusGroup, due_of
from mutualaid.home.inbox import InboxItem, InboxSection, InboxSource, Urgency, register
from mutualaid.tenancy.models import OrganisationKind, Role

#: The review SLA in calendar days since submission: coloured "soon", then "late".
REVIEW_SOON_DAYS = 7
REVIEW_LATE_DAYS = 15
#: An application expiring this close is coloured (the reminders go at 30 and 7 days).
EXPIRY_SOON_DAYS = 30


def _claims(actor):
    return Claim.objects.for_actor(actor).select_related("organisation")


def _title(claim: Claim) -> str:
    return f"{claim.number} · {claim.member_name} · {claim.organisation.name}"


def _link(claim: Claim) -> str:
    return reverse("claims:claim_detail", args=[claim.pk])


def _age_urgency(day: dt.date | None) -> str:
    if day is None:
        return Urgency.NONE
    age = (timezone.localdate() - day).days
    if age >= REVIEW_LATE_DAYS:
        return Urgency.LATE
    return Urgency.SOON if age >= REVIEW_SOON_DAYS else Urgency.NONE


def to_apply_rows(actor):
    return (
        _claims(actor)
        .filter(status=ClaimStatus.DRAFT)
        .exclude(report__status__in=(ReportStatus.LATE, ReportStatus.REFUSED))
        .order_by("expires_on", "id")
    )


def _to_apply_item(actor, claim: Claim) -> InboxItem:
    days = (claim.expires_on - timezone.localdate()).days
    return InboxItem(
        title=_title(claim),
        detail=_("Apply by %(date)s") % {"date": claim.expires_on.isoformat()},
        link=_link(claim),
        when=claim.expires_on,
        urgency=Urgency.LATE if days <= 7 else Urgency.SOON if days <= EXPIRY_SOON_DAYS else "",
    )


def documents_rows(actor):
    return (
        _claims(actor).filter(status=ClaimStatus.DOCUMENTS_REQUESTED).order_by("submitted_at", "id")
    )


def _documents_item(actor, claim: Claim) -> InboxItem:
    return InboxItem(
        title=_title(claim),
        detail=_("Documents requested: %(reason)s") % {"reason": claim.decision_reason},
        link=_link(claim),
        when=claim.expires_on,
        urgency=Urgency.SOON,
    )


def first_decision_rows(actor):
    return (
        _claims(actor)
        .select_related("report")
        .filter(status__in=(ClaimStatus.SUBMITTED, ClaimStatus.INVESTIGATION))
        # In (submitted_at, id) order straight from claim_submitted_queue_idx (partial on
        # submitted_at IS NOT NULL), as the reviewer queue reads it: no sort of 60,000 rows.
        .filter(submitted_at__isnull=False)
        .exclude(filed_by_id=actor.user.pk)
        .order_by("submitted_at", "id")
    )


def second_approval_rows(actor):
    return (
        _claims(actor)
        .select_related("report")
        .filter(status=ClaimStatus.SECOND_APPROVAL, submitted_at__isnull=False)
        .exclude(filed_by_id=actor.user.pk)
        .exclude(first_approver_id=actor.user.pk)
        .order_by("submitted_at", "id")
    )


#: The claims queue's SLA colours (``claims.selectors.Sla``) as the inbox's.
_SLA = {Sla.LATE: Urgency.LATE, Sla.SOON: Urgency.SOON}


def _deadlines(actor, rows: list[Claim], memo: dict) -> None:
    """The queue's own deadlines and colours (as ``claims.selectors.with_deadlines``:
    decide and pay within 30 working days of submission, amber 5 working days before),
    the tenant's calendar read once for the page."""
    if "claims.calendar" not in memo:
        from mutualaid.calendar.selectors import work_calendar_for

        calendar = work_calendar_for(actor.tenant)
        today = timezone.localdate()
        memo["claims.calendar"] = (
            calendar,
            today,
            calendar.add_working_days(today, AMBER_WORKING_DAYS).date,
            {},
        )
    calendar, today, horizon, days = memo["claims.calendar"]
    for row in rows:
        row.due = due_of(row, calendar=calendar, today=today, horizon=horizon, memo=days)


def _review_item(actor, claim: Claim) -> InboxItem:
    day = timezone.localdate(claim.submitted_at) if claim.submitted_at else None
    due = getattr(claim, "due", None)
    amount = claim.approved_amount if claim.approved_amount is not None else claim.assessed_amount
    return InboxItem(
        title=_title(claim),
        detail=_("¥%(amount)s · %(status)s since %(date)s")
        % {
            "amount": amount if amount is not None else "—",
            "status": claim.get_status_display(),
            "date": day.isoformat() if day else "",
        },
        link=_link(claim),
        when=day,
        urgency=_SLA.get(due.sla, Urgency.NONE) if due is not None else _age_urgency(day),
    )


def late_report_rows(actor):
    return (
        IncidentReport.objects.for_actor(actor)
        .filter(status=ReportStatus.LATE)
        .exclude(created_by_id=actor.user.pk)
        .select_related("organisation", "member", "claim")
        .order_by("-created_at", "-id")
    )


def _report_item(report: IncidentReport, detail: str, urgency) -> InboxItem:
    """An incident report in the inbox: number, member and unit, to its claim."""
    return InboxItem(
        title=f"{report.number} · {report.member.name} · {report.organisation.name}",
        detail=detail,
        link=reverse("claims:claim_detail", args=[report.claim.pk]),
        when=report.reported_on,
        urgency=urgency,
    )


def _late_report_item(actor, report: IncidentReport) -> InboxItem:
    return _report_item(
        report,
        _("Reported %(reported)s, deadline was %(deadline)s")
        % {"reported": report.reported_on.isoformat(), "deadline": report.deadline.isoformat()},
        _age_urgency(report.reported_on),
    )


#: Member-filed reports and uploads stay in the inbox this many days (or until the claim
#: is closed), marked as the member's own.
MEMBER_FILED_DAYS = 30


def _since():
    return timezone.now() - dt.timedelta(days=MEMBER_FILED_DAYS)


def member_report_rows(actor):
    return (
        IncidentReport.objects.for_actor(actor)
        .filter(by_member=True, created_at__gte=_since())
        .exclude(claim__status__in=CLOSED_STATUSES)
        .select_related("organisation", "member", "claim")
        .order_by("-created_at", "-id")
    )


def _member_report_item(actor, report: IncidentReport) -> InboxItem:
    return _report_item(
        report,
        _("Reported by the member on %(date)s; report deadline %(deadline)s")
        % {"date": report.reported_on.isoformat(), "deadline": report.deadline.isoformat()},
        Urgency.SOON,
    )


def member_document_rows(actor):
    return (
        ClaimDocument.objects.for_actor(actor)
        .filter(by_member=True, uploaded_at__gte=_since())
        .exclude(claim__status__in=CLOSED_STATUSES)
        .select_related("claim__organisation")
        .order_by("-uploaded_at", "-id")
    )


def _member_document_item(actor, document: ClaimDocument) -> InboxItem:
    return InboxItem(
        title=_title(document.claim),
        detail=_("The member uploaded %(kind)s: %(name)s")
        % {"kind": document.get_kind_display(), "name": document.original_name},
        link=_link(document.claim),
        when=timezone.localdate(document.uploaded_at),
    )


def to_batch_rows(actor):
    return (
        _claims(actor)
        .filter(status=ClaimStatus.APPROVED, approved_amount__gt=0)
        .order_by("payout_due", "id")
    )


def _to_batch_item(actor, claim: Claim) -> InboxItem:
    due = claim.payout_due
    late = due is not None and due < timezone.localdate()
    return InboxItem(
        title=_title(claim),
        detail=_("¥%(amount)s · pay by %(date)s")
        % {"amount": claim.approved_amount, "date": due.isoformat() if due else "—"},
        link=_link(claim),
        when=due,
        urgency=Urgency.LATE if late else Urgency.SOON if claim.near_limit else "",
    )


def _batches(actor):
    return PayoutBatch.objects.for_actor(actor).select_related("built_by")


def batches_to_approve_rows(actor):
    return (
        _batches(actor)
        .filter(status=BatchStatus.BUILT)
        .exclude(built_by_id=actor.user.pk)
        .order_by("built_at", "id")
    )


def batches_to_pay_rows(actor):
    return _batches(actor).filter(status=BatchStatus.APPROVED).order_by("approved_at", "id")


def _batch_item(actor, batch: PayoutBatch) -> InboxItem:
    return InboxItem(
        title=batch.number,
        detail=_("%(count)s claims · ¥%(total)s · built %(date)s")
        % {
            "count": batch.line_count,
            "total": batch.total,
            "date": timezone.localdate(batch.built_at).isoformat(),
        },
        link=reverse("claims:batch_detail", args=[batch.pk]),
        when=timezone.localdate(batch.built_at),
    )


def failed_line_rows(actor):
    return (
        PayoutLine.objects.for_actor(actor)
        .filter(status=LineStatus.FAILED, claim__status=ClaimStatus.APPROVED)
        .select_related("claim__organisation", "batch")
        .order_by("marked_at", "id")
    )


def _failed_item(actor, line: PayoutLine) -> InboxItem:
    return InboxItem(
        title=_title(line.claim),
        detail=_("%(batch)s: %(reason)s")
        % {"batch": line.batch.number, "reason": line.failure_reason},
        link=_link(line.claim),
        when=timezone.localdate(line.marked_at) if line.marked_at else None,
        urgency=Urgency.SOON,
    )


def payouts_today(actor) -> InboxSection | None:
    """The auditor's day: payout lines marked paid today (one aggregate)."""
    today = timezone.localdate()
    totals = (
        PayoutLine.objects.for_actor(actor)
        .filter(status=LineStatus.PAID, paid_on=today)
        .aggregate(n=Count("id"), total=Sum("amount"))
    )
    return InboxSection(
        key="claims.payouts_today",
        label=str(_("Payouts today")),
        count=totals["n"],
        items=[],
        lines=[(_("Claims paid"), str(totals["n"])), (_("Amount"), f"¥{totals['total'] or 0}")],
    )


def _at_office(actor) -> bool:
    return actor.organisation.kind == OrganisationKind.OFFICE


SOURCES = (
    InboxSource(
        key="claims.documents",
        label=gettext_lazy("Claims: documents requested"),
        roles=(Role.AGENT,),
        rank=15,
        rows=documents_rows,
        item=_documents_item,
        link=lambda: reverse("claims:claim_list") + f"?status={ClaimStatus.DOCUMENTS_REQUESTED}",
    ),
    InboxSource(
        key="claims.to_apply",
        label=gettext_lazy("Claim applications to prepare"),
        roles=(Role.AGENT,),
        rank=25,
        rows=to_apply_rows,
        item=_to_apply_item,
        link=lambda: reverse("claims:claim_list") + f"?status={ClaimStatus.DRAFT}",
    ),
    InboxSource(
        key="claims.first_decision",
        label=gettext_lazy("Claims to review"),
        roles=(Role.REVIEWER,),
        rank=10,
        rows=first_decision_rows,
        item=_review_item,
        prepare=_deadlines,
        link=lambda: reverse("claims:claim_list") + f"?status={StatusGroup.REVIEW}",
    ),
    InboxSource(
        key="claims.second_approval",
        label=gettext_lazy("Claims awaiting second approval"),
        roles=(Role.REVIEWER,),
        rank=11,
        rows=second_approval_rows,
        item=_review_item,
        prepare=_deadlines,
        link=lambda: reverse("claims:claim_list") + f"?status={ClaimStatus.SECOND_APPROVAL}",
    ),
    InboxSource(
        key="claims.late_reports",
        label=gettext_lazy("Late reports to decide"),
        roles=(Role.REVIEWER,),
        rank=12,
        rows=late_report_rows,
        item=_late_report_item,
        link=lambda: reverse("claims:claim_list") + f"?status={StatusGroup.LATE}",
    ),
    InboxSource(
        key="claims.member_reports",
        label=gettext_lazy("Reported by members themselves"),
        roles=(Role.AGENT, Role.REVIEWER),
        rank=13,
        rows=member_report_rows,
        item=_member_report_item,
    ),
    InboxSource(
        key="claims.member_documents",
        label=gettext_lazy("Documents uploaded by members"),
        roles=(Role.AGENT, Role.REVIEWER),
        rank=14,
        rows=member_document_rows,
        item=_member_document_item,
    ),
    InboxSource(
        key="claims.batches_to_approve",
        label=gettext_lazy("Payout batches to approve"),
        roles=(Role.FINANCE,),
        rank=10,
        rows=batches_to_approve_rows,
        item=_batch_item,
        link=lambda: reverse("claims:batch_list"),
        applies=_at_office,
    ),
    InboxSource(
        key="claims.batches_to_pay",
        label=gettext_lazy("Approved batches to pay out"),
        roles=(Role.FINANCE,),
        rank=11,
        rows=batches_to_pay_rows,
        item=_batch_item,
        link=lambda: reverse("claims:batch_list"),
        applies=_at_office,
    ),
    InboxSource(
        key="claims.failed_lines",
        label=gettext_lazy("Failed payouts to correct"),
        roles=(Role.FINANCE,),
        rank=12,
        rows=failed_line_rows,
        item=_failed_item,
        applies=_at_office,
    ),
    InboxSource(
        key="claims.to_batch",
        label=gettext_lazy("Approved claims to put in a batch"),
        roles=(Role.FINANCE,),
        rank=15,
        rows=to_batch_rows,
        item=_to_batch_item,
        link=lambda: reverse("claims:claim_list") + f"?status={ClaimStatus.APPROVED}",
        applies=_at_office,
    ),
    InboxSource(
        key="claims.payouts_today",
        label=gettext_lazy("Payouts today"),
        roles=(Role.AUDITOR,),
        rank=50,
        build=payouts_today,
    ),
)


def register_sources() -> None:
    for source in SOURCES:
        register(source)
