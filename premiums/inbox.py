"""What waits on the premiums side, for the work inbox (``mutualaid.home.inbox``).

- agents: renewal drafts to submit (soonest payment deadline first), invoices not fully
  paid;
- finance at the office: accepted enrolments to invoice, invoices waiting for payments
  (or a refund, when too much came in).
"""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enrolment.models import Enrolment, EnrolmentStatus
from mutualaid.home.inbox import InboxItem, InboxSection, InboxSource, Urgency, register
from mutualaid.tenancy.models import OrganisationKind, Role
from premiums.models import (
    OPEN_INVOICE_STATUSES,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentKind,
    Renewal,
)

#: A renewal deadline this close is coloured.
SOON_DAYS = 7


def renewal_rows(actor):
    return (
        Renewal.objects.for_actor(actor)
        .filter(enrolment__status__in=(EnrolmentStatus.DRAFT, EnrolmentStatus.RETURNED))
        .select_related("organisation", "previous__plan", "enrolment")
        .order_by("deadline", "id")
    )


def _renewal_item(actor, r: Renewal) -> InboxItem:
    today = timezone.localdate()
    days = (r.deadline - today).days
    return InboxItem(
        title=f"{r.organisation.name} · {r.previous.plan.display_name}",
        detail=_("Renewal: pay by %(deadline)s (cover ends %(end)s)")
        % {"deadline": r.deadline.isoformat(), "end": r.due_on.isoformat()},
        link=reverse("enrolments:detail", args=[r.enrolment_id]),
        when=r.deadline,
        urgency=Urgency.LATE if days < 0 else Urgency.SOON if days <= SOON_DAYS else "",
    )


def unpaid_rows(actor):
    return (
        Invoice.objects.for_actor(actor)
        .filter(status__in=(InvoiceStatus.UNPAID, InvoiceStatus.PARTIALLY_PAID))
        .select_related("organisation", "enrolment__plan")
        .order_by("issued_at", "id")
    )


def payment_rows(actor):
    return (
        Invoice.objects.for_actor(actor)
        .filter(status__in=OPEN_INVOICE_STATUSES)
        .select_related("organisation", "enrolment__plan")
        .order_by("issued_at", "id")
    )


def _invoice_item(actor, invoice: Invoice) -> InboxItem:
    if invoice.status == InvoiceStatus.OVERPAID:
        detail = _("%(number)s · ¥%(amount)s received too much") % {
            "number": invoice.number,
            "amount": invoice.overpaid_by,
        }
    else:
        detail = _("%(number)s · ¥%(amount)s outstanding") % {
            "number": invoice.number,
            "amount": invoice.outstanding,
        }
    return InboxItem(
        title=f"{invoice.organisation.name} · {invoice.enrolment.plan.display_name}",
        detail=detail,
        link=reverse("premiums:invoice_detail", args=[invoice.pk]),
        when=timezone.localdate(invoice.issued_at),
    )


def to_invoice_rows(actor):
    return (
        Enrolment.objects.for_actor(actor)
        .filter(status=EnrolmentStatus.ACCEPTED)
        .select_related("organisation", "plan")
        .order_by("accepted_at", "id")
    )


def _to_invoice_item(actor, e: Enrolment) -> InboxItem:
    return InboxItem(
        title=f"{e.organisation.name} · {e.plan.display_name}",
        detail=_("%(members)s members · ¥%(premium)s")
        % {"members": e.member_count, "premium": e.premium_total},
        link=reverse("enrolments:detail", args=[e.pk]),
        when=timezone.localdate(e.accepted_at) if e.accepted_at else None,
    )


def payments_today(actor) -> InboxSection | None:
    """The auditor's day: premium payments and refunds recorded today (one aggregate)."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    totals = (
        Payment.objects.for_actor(actor)
        .filter(recorded_at__gte=start)
        .aggregate(
            n=Count("id"),
            received=Sum("amount", filter=Q(kind=PaymentKind.PAYMENT)),
            refunded=Sum("amount", filter=Q(kind=PaymentKind.REFUND)),
        )
    )
    return InboxSection(
        key="premiums.payments_today",
        label=str(_("Premium payments today")),
        count=totals["n"],
        items=[],
        lines=[
            (_("Received"), f"¥{totals['received'] or 0}"),
            (_("Refunded"), f"¥{totals['refunded'] or 0}"),
        ],
    )


def _at_office(actor) -> bool:
    return actor.organisation.kind == OrganisationKind.OFFICE


SOURCES = (
    InboxSource(
        key="premiums.renewals",
        label=gettext_lazy("Renewals to submit"),
        roles=(Role.AGENT,),
        rank=20,
        rows=renewal_rows,
        item=_renewal_item,
        link=lambda: reverse("premiums:renewal_list"),
    ),
    InboxSource(
        key="premiums.unpaid",
        label=gettext_lazy("Invoices not fully paid"),
        roles=(Role.AGENT,),
        rank=40,
        rows=unpaid_rows,
        item=_invoice_item,
        link=lambda: reverse("premiums:invoice_list") + "?status=unpaid",
    ),
    InboxSource(
        key="premiums.to_invoice",
        label=gettext_lazy("Accepted enrolments to invoice"),
        roles=(Role.FINANCE,),
        rank=20,
        rows=to_invoice_rows,
        item=_to_invoice_item,
        link=lambda: reverse("premiums:to_invoice"),
        applies=_at_office,
    ),
    InboxSource(
        key="premiums.payments",
        label=gettext_lazy("Payments to record"),
        roles=(Role.FINANCE,),
        rank=30,
        rows=payment_rows,
        item=_invoice_item,
        link=lambda: reverse("premiums:invoice_list") + "?status=open",
        applies=_at_office,
    ),
    InboxSource(
        key="premiums.payments_today",
        label=gettext_lazy("Premium payments today"),
        roles=(Role.AUDITOR,),
        rank=50,
        build=payments_today,
    ),
)


def register_sources() -> None:
    for source in SOURCES:
        register(source)
