"""Reads of invoices, payments and the renewal queue; keyset paging, no COUNT(*)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from mutualaid.core.paging import KeysetPage, keyset_page
from mutualaid.tenancy.scoping import Actor
from premiums.models import OPEN_INVOICE_STATUSES, Invoice, InvoiceStatus, Payment, Renewal

PAGE_SIZE = 50
INVOICE_ORDER = ("-issued_at", "-id")
RENEWAL_ORDER = ("deadline", "id")
#: Queue filters: a status, or "open" (everything finance still has to act on).
OPEN = "open"


def invoice_list(
    *,
    actor: Actor,
    status: str = "",
    plan=None,
    unit=None,
    issued_from: dt.date | None = None,
    issued_to: dt.date | None = None,
    number: str = "",
) -> QuerySet[Invoice]:
    qs = Invoice.objects.for_actor(actor).select_related("organisation", "enrolment__plan")
    if status == OPEN:
        qs = qs.filter(status__in=OPEN_INVOICE_STATUSES)
    elif status in InvoiceStatus.values:
        qs = qs.filter(status=status)
    if plan is not None:
        qs = qs.filter(enrolment__plan_id=plan.pk)
    if unit is not None:
        qs = qs.filter(organisation_id=unit.pk)
    if issued_from is not None:
        qs = qs.filter(issued_at__date__gte=issued_from)
    if issued_to is not None:
        qs = qs.filter(issued_at__date__lte=issued_to)
    if number.strip():
        qs = qs.filter(number=number.strip().upper())
    return qs


def invoice_page(
    *, actor: Actor, after: str | None = None, size: int = PAGE_SIZE, **filters
) -> KeysetPage:
    """One page of the queue, newest first: one query (totals and status are columns)."""
    return keyset_page(
        invoice_list(actor=actor, **filters), order=INVOICE_ORDER, after=after, size=size
    )


def invoice_payments(*, invoice: Invoice) -> list[Payment]:
    return list(
        Payment.objects.filter(invoice_id=invoice.pk)
        .select_related("recorded_by")
        .order_by("paid_on", "recorded_at", "id")
    )


class RenewalState:
    DUE = "due"  # a draft (or sent back) waiting for the agent
    IN_PROGRESS = "in_progress"  # submitted … invoiced
    RENEWED = "renewed"
    CANCELLED = "cancelled"
    ALL = "all"


def renewal_list(*, actor: Actor, state: str = RenewalState.DUE) -> QuerySet[Renewal]:
    qs = Renewal.objects.for_actor(actor).select_related(
        "organisation", "previous__plan", "enrolment"
    )
    if state == RenewalState.DUE:
        qs = qs.filter(enrolment__status__in=("draft", "returned"))
    elif state == RenewalState.IN_PROGRESS:
        qs = qs.filter(enrolment__status__in=("submitted", "checked", "accepted", "invoiced"))
    elif state == RenewalState.RENEWED:
        qs = qs.filter(enrolment__status="in_force")
    elif state == RenewalState.CANCELLED:
        qs = qs.filter(Q(enrolment__status="cancelled") | Q(enrolment__isnull=True))
    return qs


def renewal_page(
    *, actor: Actor, state: str = RenewalState.DUE, after: str | None = None, size: int = PAGE_SIZE
) -> KeysetPage:
    """The "due for renewal" list, soonest deadline first: one query."""
    return keyset_page(
        renewal_list(actor=actor, state=state), order=RENEWAL_ORDER, after=after, size=size
    )
