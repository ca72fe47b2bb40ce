"""Demo invoices, payments and renewals for the demo tenants (SPEC §13).

The enrolment demo takes some enrolments to "invoiced" and "in force" through the
enrolment services alone; here they get the invoices (and, when in force, the payment)
they would have had, and one unpaid invoice gets half of its amount through the payment
service, so the queue shows a partial payment. Accepted enrolments stay accepted (finance's
"to invoice" list shows them); renewals are prepared by the daily job (beat), not here.
Idempotent: a tenant with any invoice is left alone.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from enrolment.models import Enrolment, EnrolmentStatus
from mutualaid.core.numbering import next_number
from mutualaid.tenancy.models import Tenant, User
from mutualaid.tenancy.scoping import actor_for
from premiums import services
from premiums.models import Invoice, InvoiceItem, InvoiceShare, InvoiceStatus, Payment

FINANCE = {"guangxi": "gx_finance", "zhejiang": "zj_finance"}


def _backfill(enrolment: Enrolment, finance_user) -> Invoice:
    """The invoice an enrolment invoiced (or paid) outside the premiums side would have had."""
    split = services.funding_split(enrolment)
    items = services._items(enrolment)
    issued = enrolment.invoiced_at or timezone.now()
    invoice = Invoice.objects.create(
        tenant_id=enrolment.tenant_id,
        organisation_id=enrolment.organisation_id,
        enrolment=enrolment,
        number=next_number(
            tenant_id=enrolment.tenant_id, kind="invoice", prefix="JF", year=issued.year
        ),
        amount=enrolment.premium_total,
        issued_by=enrolment.invoiced_by or finance_user,
    )
    Invoice.objects.filter(pk=invoice.pk).update(issued_at=issued)
    InvoiceItem.objects.bulk_create(
        [
            InvoiceItem(tenant_id=enrolment.tenant_id, invoice=invoice, position=i, **item)
            for i, item in enumerate(items)
        ]
    )
    InvoiceShare.objects.bulk_create(
        [InvoiceShare(tenant_id=enrolment.tenant_id, invoice=invoice, **row) for row in split]
    )
    if enrolment.status == EnrolmentStatus.IN_FORCE and enrolment.payment_date:
        Payment.objects.create(
            tenant_id=enrolment.tenant_id,
            organisation_id=enrolment.organisation_id,
            invoice=invoice,
            bank_reference=f"DEMO{enrolment.payment_date:%Y%m%d}{str(enrolment.pk)[:6].upper()}",
            paid_on=enrolment.payment_date,
            amount=enrolment.premium_total,
            party=split[0]["party"],
            receipt_number=next_number(
                tenant_id=enrolment.tenant_id,
                kind="receipt",
                prefix="SJ",
                year=enrolment.payment_date.year,
            ),
            recorded_by=finance_user,
        )
        Invoice.objects.filter(pk=invoice.pk).update(
            paid_total=enrolment.premium_total,
            status=InvoiceStatus.PAID,
            paid_on=enrolment.payment_date,
        )
    return invoice


def _tenant(tenant: Tenant) -> int:
    user = User.objects.filter(username=FINANCE.get(tenant.slug, "")).first()
    finance = actor_for(user) if user is not None else None
    made = 0
    for enrolment in (
        Enrolment.objects.filter(
            tenant=tenant,
            status__in=(EnrolmentStatus.INVOICED, EnrolmentStatus.IN_FORCE),
            invoice__isnull=True,
        )
        .select_related("organisation", "plan")
        .order_by("created_at", "id")
    ):
        _backfill(enrolment, user)
        made += 1
    if finance is None:
        return made
    # Half of one unpaid invoice paid: the queue shows a partial payment; the cover waits.
    unpaid = (
        Invoice.objects.filter(tenant=tenant, status=InvoiceStatus.UNPAID, amount__gt=0)
        .select_related("organisation", "enrolment")
        .order_by("issued_at", "id")
        .first()
    )
    if unpaid is not None:
        half = (unpaid.amount / 2).quantize(Decimal("0.01"))
        services.payment_record(
            actor=finance,
            invoice=unpaid,
            bank_reference=f"DEMO-PART-{unpaid.number}",
            paid_on=timezone.localdate(),
            amount=half,
            party=unpaid.shares.first().party,
            note="首笔缴费, 余款待缴",
        )
    return made


def seed_premiums() -> int:
    """Invoices and payments in the demo tenants that have none yet, then the renewals due."""
    made = 0
    for slug in FINANCE:
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None or Invoice.objects.filter(tenant=tenant).exists():
            continue
        with transaction.atomic():
            made += _tenant(tenant)
    return made
