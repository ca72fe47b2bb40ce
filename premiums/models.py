"""Invoices of accepted enrolments, the payments finance records against them, and the
renewal queue (SPEC §6, §7).

- ``Invoice``: one per enrolment (a unique constraint), issued when the enrolment is
  accepted; its ``items`` say what is charged (members × shares × premium, tiers, months
  of a mid-term addition) and its ``shares`` how the funding parties split it (SPEC §5:
  five modes, plus cover gifted by a federation). ``paid_total`` and ``status`` are kept
  by the payment services in the same transaction as the payment rows.
- ``Payment``: money received (or refunded) with the bank's reference, which is unique
  in the tenant: recording one transfer twice is refused by the database, so it can never
  pay twice. Partial, over- and double payments stay visible on the invoice; nothing is
  absorbed.
- ``Renewal``: one row per enrolment the renewal job has seen coming to its end, with
  the draft prepared for it and its payment deadline (a unique constraint per renewed
  enrolment: the job can run any number of times).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from mutualaid.tenancy.base import TenantForeignKey, TenantModel, TenantOneToOneField, tenant_key
from mutualaid.tenancy.scoping import ScopedQuerySet

MONEY = {"max_digits": 14, "decimal_places": 2}


class InvoiceStatus(models.TextChoices):
    UNPAID = "unpaid", _("Unpaid")
    PARTIALLY_PAID = "partially_paid", _("Partially paid")
    PAID = "paid", _("Paid")
    OVERPAID = "overpaid", _("Overpaid")


#: Invoices finance still has to act on (money missing, or too much received).
OPEN_INVOICE_STATUSES = (InvoiceStatus.UNPAID, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.OVERPAID)


class Party(models.TextChoices):
    ADMINISTRATION = "administration", _("Unit administration")
    UNION = "union", _("Union")
    MEMBER = "member", _("The members themselves")
    FEDERATION = "federation", _("Federation (gift)")


#: Enrolment amount field → party.
PARTY_OF_FIELD = {
    "administration_amount": Party.ADMINISTRATION,
    "union_amount": Party.UNION,
    "member_amount": Party.MEMBER,
    "federation_amount": Party.FEDERATION,
}


class Invoice(TenantModel):
    """What a unit owes for one enrolment (互助费缴费通知)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(
        "tenancy.Tenant", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    #: The unit's node (as on the enrolment): subtree scoping.
    organisation = TenantForeignKey(
        "tenancy.Organisation", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    enrolment = TenantOneToOneField(
        "enrolment.Enrolment",
        on_delete=models.PROTECT,
        related_name="invoice",
        verbose_name=_("enrolment"),
    )
    number = models.CharField(_("invoice number"), max_length=30)
    amount = models.DecimalField(_("amount"), **MONEY)
    #: Payments less refunds, kept with the payment rows.
    paid_total = models.DecimalField(_("received"), default=Decimal("0.00"), **MONEY)
    status = models.CharField(
        _("status"), max_length=16, choices=InvoiceStatus.choices, default=InvoiceStatus.UNPAID
    )
    #: The payment date that completed the amount: the cover starts the day after (SPEC §5).
    paid_on = models.DateField(_("paid in full on"), null=True, blank=True)
    #: Why a paid invoice's enrolment could not come into force ("" when it did or is not paid).
    activation_problem = models.TextField(_("problem bringing the cover into force"), blank=True)
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "organisation"

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            tenant_key(),
            models.UniqueConstraint(
                fields=["tenant", "number"], name="invoice_number_once_per_tenant"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="invoice_amount_not_negative"),
        ]
        indexes = [
            # The queue, newest first, by tenant (finance at the office) or by node (keyset).
            models.Index(fields=["tenant", "-issued_at", "-id"], name="invoice_tenant_new_idx"),
            models.Index(
                fields=["tenant", "status", "-issued_at", "-id"], name="invoice_status_new_idx"
            ),
            models.Index(fields=["organisation", "-issued_at", "-id"], name="invoice_org_new_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def balance(self) -> Decimal:
        """Still due (positive) or received too much (negative)."""
        return self.amount - self.paid_total

    @property
    def outstanding(self) -> Decimal:
        return max(self.balance, Decimal("0.00"))

    @property
    def overpaid_by(self) -> Decimal:
        return max(-self.balance, Decimal("0.00"))


class InvoiceItem(TenantModel):
    """One line of an invoice: members holding the same shares (or tier) at the same premium."""

    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey(
        "tenancy.Tenant", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    invoice = TenantForeignKey(Invoice, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    shares = models.PositiveSmallIntegerField(_("shares"))
    tier = models.CharField(_("tier"), max_length=50, blank=True)
    members = models.PositiveIntegerField(_("members"))
    #: Premium of one member's line (a full term, or the months left of a mid-term addition).
    unit_amount = models.DecimalField(_("per member"), **MONEY)
    amount = models.DecimalField(_("amount"), **MONEY)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "invoice__organisation"

    class Meta:
        verbose_name = _("invoice item")
        verbose_name_plural = _("invoice items")
        ordering = ["invoice", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount=F("unit_amount") * F("members")), name="invoice_item_adds_up"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.members} × ¥{self.unit_amount}"


class InvoiceShare(TenantModel):
    """What one funding party pays of an invoice (资金来源)."""

    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey(
        "tenancy.Tenant", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    invoice = TenantForeignKey(Invoice, on_delete=models.CASCADE, related_name="shares")
    party = models.CharField(_("payer"), max_length=16, choices=Party.choices)
    payer_name = models.CharField(_("payer name"), max_length=200)
    #: The federation that gifts the cover (赠送保障), for that party only.
    payer_organisation = TenantForeignKey(
        "tenancy.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amount = models.DecimalField(_("amount"), **MONEY)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "invoice__organisation"

    class Meta:
        verbose_name = _("funding share")
        verbose_name_plural = _("funding shares")
        ordering = ["invoice", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "party"], name="invoice_share_once_per_party"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="invoice_share_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.payer_name} ¥{self.amount}"


class PaymentKind(models.TextChoices):
    PAYMENT = "payment", _("Payment received")
    REFUND = "refund", _("Refund paid back")


class Payment(TenantModel):
    """Money received for an invoice (or paid back when too much came in)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(
        "tenancy.Tenant", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    organisation = TenantForeignKey(
        "tenancy.Organisation", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    invoice = TenantForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(
        _("kind"), max_length=8, choices=PaymentKind.choices, default=PaymentKind.PAYMENT
    )
    #: The bank's reference of the transfer (流水号), as printed on the statement, trimmed.
    bank_reference = models.CharField(_("bank reference"), max_length=64)
    paid_on = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), **MONEY)
    party = models.CharField(_("payer"), max_length=16, choices=Party.choices, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    #: The receipt's number (收据编号), for payments.
    receipt_number = models.CharField(_("receipt number"), max_length=30, blank=True)
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "organisation"

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["invoice", "recorded_at", "id"]
        constraints = [
            # One bank transfer is recorded once, whatever the clicks, retries or workers.
            models.UniqueConstraint(
                fields=["tenant", "bank_reference"], name="payment_bank_reference_once"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]
        indexes = [
            # The auditor's "today" on the home page (premiums.inbox).
            models.Index(fields=["tenant", "recorded_at"], name="payment_tenant_recorded_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.bank_reference} ¥{self.amount}"

    @property
    def signed_amount(self) -> Decimal:
        return self.amount if self.kind == PaymentKind.PAYMENT else -self.amount


class RenewalQuerySet(ScopedQuerySet):
    pass


class Renewal(TenantModel):
    """An enrolment coming to its end, seen by the renewal job, and its renewal (续保)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(
        "tenancy.Tenant", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    organisation = TenantForeignKey(
        "tenancy.Organisation", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    previous = TenantOneToOneField(
        "enrolment.Enrolment",
        on_delete=models.PROTECT,
        related_name="renewal_queue",
        verbose_name=_("enrolment ending"),
    )
    enrolment = TenantOneToOneField(
        "enrolment.Enrolment",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("renewal"),
    )
    #: Last covered day of the enrolment ending.
    due_on = models.DateField(_("cover ends"))
    #: Last payment day that keeps cover continuous (the plan's renewal window).
    deadline = models.DateField(_("pay by"))
    #: True when the job prepared the draft (False: the agent had prepared it already).
    prepared_by_job = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RenewalQuerySet.as_manager()
    scope_org_field = "organisation"

    class Meta:
        verbose_name = _("renewal")
        verbose_name_plural = _("renewals")
        indexes = [
            # The "due for renewal" list: soonest deadline first (keyset: deadline, id).
            models.Index(
                fields=["organisation", "deadline", "id"], name="renewal_org_deadline_idx"
            ),
            models.Index(fields=["tenant", "deadline", "id"], name="renewal_tenant_deadline_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.previous_id} → {self.enrolment_id}"
