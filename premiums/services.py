"""Writes of invoices and payments: keyword-only, one transaction each, audited.

    invoice_issue(*, actor, enrolment) -> Invoice
    payment_record(*, actor, invoice, bank_reference, paid_on, amount, party="", note="")
        -> PaymentResult
    refund_record(*, actor, invoice, bank_reference, paid_on, amount, note="") -> Payment
    invoice_activate(*, actor, invoice) -> Invoice     (retry bringing a paid one into force)
    invoices_issue_accepted(*, tenant_id=None) -> int  (the daily job)

Money is Decimal yuan with two places. The enrolment's state moves only through the
enrolment services (``enrolment_mark_invoiced``, ``enrolment_bring_into_force``), inside
the same transaction as the invoice or payment that causes it.
"""

from __future__ import annotations

import datetime as dt
import logging
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from enrolment.models import (
    FUNDING_PARTIES,
    Enrolment,
    EnrolmentKind,
    EnrolmentStatus,
)
from enrolment.policies import renewal_window
from enrolment.roster_source import roster_lines
from enrolment.services.cover import enrolment_bring_into_force
from enrolment.services.workflow import enrolment_mark_invoiced
from mutualaid.audit.services import record
from mutualaid.core.errors import DomainError
from mutualaid.core.numbering import next_number
from mutualaid.money import CENT, parse_amount, to_money
from mutualaid.notifications.services import notify
from mutualaid.tenancy.models import Organisation, OrganisationKind
from mutualaid.tenancy.scoping import Actor
from mutualaid.tenancy.selectors import unit_agents
from plans.terms import terms_of
from premiums import notices
from premiums.access import can_issue, can_record_payment
from premiums.models import (
    PARTY_OF_FIELD,
    Invoice,
    InvoiceItem,
    InvoiceShare,
    InvoiceStatus,
    Party,
    Payment,
    PaymentKind,
)
from premiums.renewals import notice_days

logger = logging.getLogger(__name__)


def _federation_of(unit_node: Organisation) -> Organisation:
    """The nearest federation above a unit (county, industry union or city), else the office."""
    federations = (OrganisationKind.COUNTY, OrganisationKind.INDUSTRY, OrganisationKind.CITY)
    chain = unit_node.ancestry()
    for node in reversed(chain[:-1]):
        if node.kind in federations:
            return node
    return chain[0]


def funding_split(enrolment: Enrolment) -> list[dict[str, Any]]:
    """The invoice's shares by funding party (SPEC §5): who pays how much.

    One payer pays the whole premium; several pay the amounts recorded on the enrolment,
    which must add up to the premium (checked at submission and again here). A federation's
    gift (赠送保障) is paid by the nearest federation above the unit. Payer names are
    domain data (Chinese, like the unit's name)."""
    parties = FUNDING_PARTIES[enrolment.funding_mode]
    total = enrolment.premium_total
    unit_name = enrolment.organisation.name
    out = []
    for field in parties:
        amount = total if len(parties) == 1 else getattr(enrolment, field)
        party = PARTY_OF_FIELD[field]
        payer_org = None
        if party == Party.ADMINISTRATION:
            name = unit_name.removesuffix("工会") or unit_name
        elif party == Party.UNION:
            name = unit_name
        elif party == Party.MEMBER:
            name = f"{unit_name}参保职工(个人缴纳)"
        else:
            payer_org = _federation_of(enrolment.organisation)
            name = payer_org.name
        out.append(
            {"party": party, "payer_name": name, "payer_organisation": payer_org, "amount": amount}
        )
    paid = sum((row["amount"] for row in out), Decimal("0.00"))
    if paid != total:
        raise DomainError(
            _("The parties' amounts add up to ¥%(paid)s, but the premium is ¥%(total)s.")
            % {"paid": paid, "total": total},
            code="funding_sum",
        )
    return out


def _items(enrolment: Enrolment) -> list[dict[str, Any]]:
    """Lines grouped by shares, tier and premium: "5 members × 3 shares × ¥40 = ¥600"
    (one query)."""
    rows = (
        roster_lines(enrolment)
        .order_by()
        .values("shares", "tier", "premium")
        .annotate(members=Count("id"))
        .order_by("tier", "shares", "premium")
    )
    return [
        {
            "shares": r["shares"],
            "tier": r["tier"],
            "unit_amount": r["premium"],
            "members": r["members"],
            "amount": r["premium"] * r["members"],
        }
        for r in rows
    ]


def require_renewal_window(enrolment: Enrolment, *, on: dt.date, field: str | None = None) -> None:
    """A renewal is invoiced and paid only inside its renewal window (SPEC §7,
    ``enrolment.policies.renewal_window``): one check for the pages, the API and the daily
    job. Other kinds pass. Raises a DomainError naming the window."""
    if enrolment.kind != EnrolmentKind.RENEWAL or enrolment.previous_id is None:
        return
    previous = enrolment.previous
    if previous.coverage_end is None:  # the cover it continues is not in force: no window yet
        raise DomainError(
            _("The cover this renewal continues is not in force: it cannot be paid yet."),
            field=field,
            code="outside_renewal_window",
        )
    renewal = terms_of(enrolment.plan_version).raw.get("renewal")
    window = renewal_window(previous.coverage_end, renewal, notice_days=notice_days())
    if window.start <= on <= window.end:
        return
    raise DomainError(
        _(
            "This renewal can be invoiced and paid only inside its renewal window, "
            "%(opens)s to %(closes)s (the cover it continues ends on %(end)s); "
            "%(day)s is outside it."
        )
        % {
            "opens": window.start.isoformat(),
            "closes": window.end.isoformat(),
            "end": previous.coverage_end.isoformat(),
            "day": on.isoformat(),
        },
        field=field,
        code="outside_renewal_window",
    )


def invoice_issue(*, actor: Actor | None, enrolment: Enrolment) -> Invoice:
    """Invoice an accepted enrolment: the items (members × shares × premium, tiers, the months
    of a mid-term addition), the split by funding party, a running number; the enrolment
    moves to "invoiced" in the same transaction, and the unit's agents are told.

    ``actor`` None: the daily job. Refused (nothing written) when the enrolment is not
    accepted, the actor may not invoice it, or the funding does not add up."""
    if actor is not None and not can_issue(actor, enrolment.organisation):
        raise PermissionDenied(_("You may not invoice this enrolment."))
    require_renewal_window(enrolment, on=timezone.localdate())
    with transaction.atomic():
        locked = enrolment_mark_invoiced(actor=actor, enrolment=enrolment)
        items = _items(locked)
        amount = sum((i["amount"] for i in items), Decimal("0.00"))
        if amount != locked.premium_total:
            raise DomainError(
                _("The roster adds up to ¥%(lines)s, but the enrolment's premium is ¥%(total)s.")
                % {"lines": amount, "total": locked.premium_total},
                code="premium_mismatch",
            )
        split = funding_split(locked)
        issued = timezone.localdate()
        invoice = Invoice.objects.create(
            tenant_id=locked.tenant_id,
            organisation_id=locked.organisation_id,
            enrolment=locked,
            number=next_number(
                tenant_id=locked.tenant_id, kind="invoice", prefix="JF", year=issued.year
            ),
            amount=amount,
            status=InvoiceStatus.UNPAID if amount else InvoiceStatus.PAID,
            issued_by=actor.user if actor is not None else None,
        )
        InvoiceItem.objects.bulk_create(
            [
                InvoiceItem(tenant_id=locked.tenant_id, invoice=invoice, position=i, **item)
                for i, item in enumerate(items)
            ]
        )
        InvoiceShare.objects.bulk_create(
            [InvoiceShare(tenant_id=locked.tenant_id, invoice=invoice, **row) for row in split]
        )
        record(
            actor=actor,
            action="invoice.issue",
            obj=invoice,
            organisation=locked.organisation,
            after={
                "enrolment": str(locked.pk),
                "number": invoice.number,
                "amount": amount,
                "shares": {row["party"]: row["amount"] for row in split},
            },
        )
        notify(
            recipients=unit_agents(locked.organisation),
            organisation=locked.organisation,
            kind=notices.INVOICE_ISSUED,
            params={
                "number": invoice.number,
                "unit": locked.organisation.name,
                "amount": str(amount),
                "plan": locked.plan.display_name,
                "members": locked.member_count,
            },
            link=reverse("premiums:invoice_detail", args=[invoice.pk]),
            key=f"invoice:{invoice.pk}",
        )
    enrolment.status = locked.status
    return invoice


def invoices_issue_accepted(*, tenant_id=None) -> int:
    """The daily job's first step: invoice every accepted enrolment (each in its own
    transaction: one that cannot be invoiced is logged and left for finance)."""
    qs = Enrolment.objects.filter(status=EnrolmentStatus.ACCEPTED)
    if tenant_id is not None:
        qs = qs.filter(tenant_id=tenant_id)
    issued = 0
    for enrolment in (
        qs.select_related("organisation", "plan").order_by("accepted_at", "id").iterator()
    ):
        try:
            invoice_issue(actor=None, enrolment=enrolment)
        except ValidationError as error:  # state moved meanwhile, funding does not add up
            logger.warning("enrolment %s not invoiced: %s", enrolment.pk, error.messages)
        else:
            issued += 1
    return issued


# --- Payments ----------------------------------------------------------------------------------


def clean_bank_reference(raw: Any) -> str:
    """The bank's reference as one token: full-width characters folded (NFKC), spaces removed,
    letters in upper case — the same transfer typed twice is the same reference."""
    text = "".join(unicodedata.normalize("NFKC", str(raw or "")).split()).upper()
    if not text:
        raise DomainError(
            _("Enter the bank's reference of the transfer."),
            field="bank_reference",
            code="required",
        )
    if len(text) > 64:
        raise DomainError(
            _("The bank reference may have at most 64 characters."), field="bank_reference"
        )
    return text


def clean_amount(raw: Any) -> Decimal:
    try:
        value = parse_amount(raw)
    except (TypeError, ValueError):
        raise DomainError(
            _("Enter an amount in yuan."), field="amount", code="amount_invalid"
        ) from None
    if not value.is_finite() or value <= 0 or value != value.quantize(CENT):
        raise DomainError(
            _("Enter an amount in yuan, more than 0, with at most 2 decimals."),
            field="amount",
            code="amount_invalid",
        )
    return to_money(value)


def _clean_date(raw: Any) -> dt.date:
    if not isinstance(raw, dt.date):
        raise DomainError(_("Enter the date the money arrived."), field="paid_on", code="required")
    if raw > timezone.localdate():
        raise DomainError(_("The date cannot be in the future."), field="paid_on", code="future")
    return raw


@dataclass
class PaymentResult:
    payment: Payment
    invoice: Invoice
    #: True when this payment completed the amount and the enrolment came into force.
    brought_into_force: bool = False
    #: Why the enrolment could not come into force although the invoice is paid ("" if none).
    activation_problem: str = ""


class DuplicateBankReference(DomainError):
    """This bank transfer was recorded already (on this invoice or another)."""


def _duplicate(existing: Payment | None) -> DuplicateBankReference:
    if existing is None:
        message = _(
            "This bank reference was recorded already: the same transfer is never counted twice."
        )
    else:
        message = _(
            "This bank reference was recorded already on invoice %(number)s "
            "(¥%(amount)s, %(date)s): "
            "the same transfer is never counted twice."
        ) % {
            "number": existing.invoice.number,
            "amount": existing.amount,
            "date": existing.paid_on.isoformat(),
        }
    return DuplicateBankReference(
        {"bank_reference": [ValidationError(message, code="duplicate_reference")]}
    )


def _lock_invoice(invoice: Invoice) -> Invoice:
    return (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("enrolment", "organisation", "enrolment__plan")
        .get(pk=invoice.pk)
    )


def _settle(invoice: Invoice) -> dt.date | None:
    """Recompute what was received and the status; returns the date the amount was reached
    (payments in date order: a transfer dated earlier but recorded later counts from its
    date), or None while it is not."""
    payments = list(
        Payment.objects.filter(invoice_id=invoice.pk)
        .order_by("paid_on", "recorded_at", "id")
        .values_list("kind", "amount", "paid_on")
    )
    received = Decimal("0.00")
    reached_on = None
    for kind, amount, paid_on in payments:
        received += amount if kind == PaymentKind.PAYMENT else -amount
        if reached_on is None and received >= invoice.amount and kind == PaymentKind.PAYMENT:
            reached_on = paid_on
    invoice.paid_total = received
    if received <= 0 and invoice.amount > 0:
        invoice.status = InvoiceStatus.UNPAID
    elif received < invoice.amount:
        invoice.status = InvoiceStatus.PARTIALLY_PAID
    elif received == invoice.amount:
        invoice.status = InvoiceStatus.PAID
    else:
        invoice.status = InvoiceStatus.OVERPAID
    if received < invoice.amount:
        reached_on = None
    return reached_on


def _bring_into_force(actor: Actor | None, invoice: Invoice, paid_on: dt.date) -> str:
    """Bring the enrolment into force from ``paid_on``; "" on success, else the reason (the
    payment stays recorded, the invoice shows the problem, finance can try again)."""
    try:
        with transaction.atomic():
            enrolment_bring_into_force(
                actor=actor, enrolment=invoice.enrolment, payment_date=paid_on
            )
    except ValidationError as error:
        return "; ".join(error.messages)[:1000]
    enrolment = invoice.enrolment
    enrolment.refresh_from_db(fields=["status", "coverage_start", "coverage_end", "payment_date"])
    notify(
        recipients=unit_agents(invoice.organisation),
        organisation=invoice.organisation,
        kind=notices.IN_FORCE,
        params={
            "plan": enrolment.plan.display_name,
            "unit": invoice.organisation.name,
            "start": enrolment.coverage_start.isoformat(),
            "end": enrolment.coverage_end.isoformat(),
        },
        link=reverse("premiums:invoice_detail", args=[invoice.pk]),
        key=f"in_force:{enrolment.pk}",
    )
    return ""


def payment_record(
    *,
    actor: Actor,
    invoice: Invoice,
    bank_reference: Any,
    paid_on: Any,
    amount: Any,
    party: str = "",
    note: str = "",
) -> PaymentResult:
    """Record money received for an invoice (finance).

    - The bank reference is unique in the tenant (a database constraint): recording the
      same transfer twice is refused with where it was recorded, and can never pay twice.
    - A payment that completes the amount brings the enrolment into force, cover starting
      the day after the date the amount was reached (SPEC §5; C1, C2).
    - Less than the amount: the invoice is partially paid and the enrolment waits.
    - More than the amount (or a second transfer for a paid invoice): recorded as it came,
      the invoice shows "overpaid" with the excess until a refund is recorded.
    All in one transaction with the audit event; if the enrolment cannot come into force
    (e.g. a member took overlapping cover meanwhile), the payment is kept and the invoice
    shows why (``activation_problem``)."""
    if not can_record_payment(actor, invoice.organisation):
        raise PermissionDenied(_("You may not record payments for this invoice."))
    reference = clean_bank_reference(bank_reference)
    money = clean_amount(amount)
    day = _clean_date(paid_on)
    if party and party not in Party.values:
        raise DomainError(_("Choose who paid."), field="party")
    note = " ".join(str(note or "").split())[:300]
    existing = (
        Payment.objects.filter(tenant_id=invoice.tenant_id, bank_reference=reference)
        .select_related("invoice")
        .first()
    )
    if existing is not None:
        raise _duplicate(existing)
    try:
        with transaction.atomic():
            locked = _lock_invoice(invoice)
            if locked.enrolment.status == EnrolmentStatus.INVOICED:
                # Money towards bringing a renewal into force; a second transfer for one in
                # force is recorded whenever it comes (over-payments stay visible).
                require_renewal_window(locked.enrolment, on=day, field="paid_on")
            before = {"status": locked.status, "paid_total": locked.paid_total}
            payment = Payment.objects.create(
                tenant_id=locked.tenant_id,
                organisation_id=locked.organisation_id,
                invoice=locked,
                kind=PaymentKind.PAYMENT,
                bank_reference=reference,
                paid_on=day,
                amount=money,
                party=party,
                note=note,
                receipt_number=next_number(
                    tenant_id=locked.tenant_id, kind="receipt", prefix="SJ", year=day.year
                ),
                recorded_by=actor.user,
            )
            reached_on = _settle(locked)
            problem = ""
            into_force = False
            if reached_on is not None and locked.enrolment.status == EnrolmentStatus.INVOICED:
                locked.paid_on = reached_on
                problem = _bring_into_force(actor, locked, reached_on)
                into_force = not problem
            locked.activation_problem = problem if reached_on is not None and problem else ""
            locked.save(
                update_fields=[
                    "paid_total",
                    "status",
                    "paid_on",
                    "activation_problem",
                    "updated_at",
                ]
            )
            record(
                actor=actor,
                action="payment.record",
                obj=locked,
                organisation=locked.organisation,
                before=before,
                after={
                    "payment": str(payment.pk),
                    "bank_reference": reference,
                    "paid_on": day,
                    "amount": money,
                    "status": locked.status,
                    "paid_total": locked.paid_total,
                    **({"brought_into_force": reached_on} if into_force else {}),
                    **({"activation_problem": problem} if problem else {}),
                },
            )
    except IntegrityError as error:
        if "payment_bank_reference_once" in str(error):  # a second click or worker got there first
            raise _duplicate(
                Payment.objects.filter(tenant_id=invoice.tenant_id, bank_reference=reference)
                .select_related("invoice")
                .first()
            ) from None
        raise
    _copy(locked, invoice)
    return PaymentResult(
        payment=payment, invoice=locked, brought_into_force=into_force, activation_problem=problem
    )


def refund_record(
    *,
    actor: Actor,
    invoice: Invoice,
    bank_reference: Any,
    paid_on: Any,
    amount: Any,
    note: str = "",
) -> Payment:
    """Record money paid back to the unit, up to what was received too much (finance)."""
    if not can_record_payment(actor, invoice.organisation):
        raise PermissionDenied(_("You may not record payments for this invoice."))
    reference = clean_bank_reference(bank_reference)
    money = clean_amount(amount)
    day = _clean_date(paid_on)
    note = " ".join(str(note or "").split())[:300]
    existing = (
        Payment.objects.filter(tenant_id=invoice.tenant_id, bank_reference=reference)
        .select_related("invoice")
        .first()
    )
    if existing is not None:
        raise _duplicate(existing)
    try:
        with transaction.atomic():
            locked = _lock_invoice(invoice)
            if money > locked.overpaid_by:
                raise DomainError(
                    _("Only ¥%(excess)s was received too much: a refund cannot be larger.")
                    % {"excess": locked.overpaid_by},
                    field="amount",
                    code="refund_too_large",
                )
            before = {"status": locked.status, "paid_total": locked.paid_total}
            payment = Payment.objects.create(
                tenant_id=locked.tenant_id,
                organisation_id=locked.organisation_id,
                invoice=locked,
                kind=PaymentKind.REFUND,
                bank_reference=reference,
                paid_on=day,
                amount=money,
                note=note,
                recorded_by=actor.user,
            )
            _settle(locked)
            locked.save(update_fields=["paid_total", "status", "updated_at"])
            record(
                actor=actor,
                action="payment.refund",
                obj=locked,
                organisation=locked.organisation,
                before=before,
                after={
                    "payment": str(payment.pk),
                    "bank_reference": reference,
                    "paid_on": day,
                    "amount": money,
                    "status": locked.status,
                    "paid_total": locked.paid_total,
                },
            )
    except IntegrityError as error:
        if "payment_bank_reference_once" in str(error):
            raise _duplicate(None) from None
        raise
    _copy(locked, invoice)
    return payment


def invoice_activate(*, actor: Actor, invoice: Invoice) -> Invoice:
    """Try again to bring a fully paid invoice's enrolment into force (after the problem
    shown on the invoice was solved, e.g. a member taken off an overlapping enrolment)."""
    if not can_record_payment(actor, invoice.organisation):
        raise PermissionDenied(_("You may not record payments for this invoice."))
    with transaction.atomic():
        locked = _lock_invoice(invoice)
        if locked.enrolment.status != EnrolmentStatus.INVOICED or locked.paid_on is None:
            raise DomainError(
                _("Only a paid invoice whose enrolment is not in force yet can be retried.")
            )
        problem = _bring_into_force(actor, locked, locked.paid_on)
        locked.activation_problem = problem
        locked.save(update_fields=["activation_problem", "updated_at"])
        record(
            actor=actor,
            action="invoice.activate",
            obj=locked,
            organisation=locked.organisation,
            after={"activation_problem": problem}
            if problem
            else {"brought_into_force": locked.paid_on},
        )
    _copy(locked, invoice)
    if problem:
        raise DomainError(problem, code="activation_refused")
    return locked


def _copy(source: Invoice, target: Invoice) -> None:
    for name in ("paid_total", "status", "paid_on", "activation_problem"):
        setattr(target, name, getattr(source, name))


def received_total(invoice: Invoice) -> Decimal:
    """Payments less refunds, summed from the rows (for checks; pages read ``paid_total``)."""
    totals = Payment.objects.filter(invoice_id=invoice.pk).values("kind").annotate(s=Sum("amount"))
    out = Decimal("0.00")
    for row in totals:
        out += row["s"] if row["kind"] == PaymentKind.PAYMENT else -row["s"]
    return out
