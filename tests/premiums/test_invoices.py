"""Invoices (SPEC §6): what is charged, and how the funding parties split it (SPEC §5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from enrolment.models import EnrolmentStatus
from enrolment.services.drafts import enrolment_create
from enrolment.services.lines import lines_import
from mutualaid.audit.models import AuditEvent
from mutualaid.notifications.models import Notification
from premiums import services
from premiums.models import Invoice, InvoiceStatus, Party
from tests import factories

D = Decimal

# Mode → (party amounts given on the enrolment for a ¥400 premium, expected split).
FUNDING = {
    "administration": ({}, {Party.ADMINISTRATION: D("400.00")}),
    "union": ({}, {Party.UNION: D("400.00")}),
    "administration_union": (
        {"administration_amount": "250", "union_amount": "150"},
        {Party.ADMINISTRATION: D("250.00"), Party.UNION: D("150.00")},
    ),
    "administration_union_member": (
        {"administration_amount": "200", "union_amount": "120", "member_amount": "80"},
        {Party.ADMINISTRATION: D("200.00"), Party.UNION: D("120.00"), Party.MEMBER: D("80.00")},
    ),
    "member": ({}, {Party.MEMBER: D("400.00")}),
    "federation_gift": ({}, {Party.FEDERATION: D("400.00")}),
}


@pytest.mark.parametrize("mode", list(FUNDING))
def test_each_funding_mode_splits_the_invoice_exactly(
    mode, accepted, actors, plans, units, people, world
):
    amounts, expected = FUNDING[mode]
    enrolment = accepted(
        units.a1, plans["gx_designated_disease"], people, 2, funding_mode=mode, **amounts
    )
    invoice = services.invoice_issue(actor=actors.finance, enrolment=enrolment)
    split = {s.party: s.amount for s in invoice.shares.all()}
    assert split == expected
    assert sum(split.values()) == invoice.amount == D("400.00")  # 5 members × 2 shares × ¥40
    if mode == "federation_gift":
        share = invoice.shares.get()
        assert share.payer_organisation_id == world.county.pk  # the nearest federation gifts it
        assert share.payer_name == "甲县总工会"
    if mode == "administration":
        assert invoice.shares.get().payer_name == "甲县医院"  # the unit's administration


def test_invoice_items_group_members_by_shares(accepted, actors, plans, units, people):
    enrolment = accepted(units.a1, plans["gx_designated_disease"], people, [2, 2, 3, 3, 3])
    invoice = services.invoice_issue(actor=actors.finance, enrolment=enrolment)
    items = [
        (i.shares, i.members, i.unit_amount, i.amount) for i in invoice.items.order_by("position")
    ]
    assert items == [(2, 2, D("80.00"), D("160.00")), (3, 3, D("120.00"), D("360.00"))]
    assert invoice.amount == D("520.00") == enrolment.premium_total
    assert invoice.number.startswith("JF")
    assert invoice.status == InvoiceStatus.UNPAID
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.INVOICED
    assert AuditEvent.objects.filter(action="invoice.issue", object_id=str(invoice.pk)).exists()
    # The unit's agent is told.
    note = Notification.objects.get(kind="premiums.invoice_issued")
    assert note.recipient.username == "agent" and "¥520.00" in note.text


def test_tiers_are_charged_at_the_tier_premium(accepted, actors, world, units, people):
    plan = factories.make_plan(
        world.office,
        terms=factories.plan_terms(
            sale_mode="tiers",
            premium_per_share=None,
            max_shares=None,
            tiers=[
                {"code": "A", "name": "一档", "premium": "26.00"},
                {"code": "D", "name": "四档", "premium": "100.00"},
            ],
        ),
    )
    enrolment = enrolment_create(
        actor=actors.agent, unit=units.a1, plan=plan, start_date=dt.date(2026, 3, 16)
    )
    lines_import(
        actor=actors.agent,
        enrolment=enrolment,
        rows=[
            {"member": people[0], "tier": "A"},
            {"member": people[1], "tier": "D"},
            {"member": people[2], "tier": "D"},
        ],
    )
    from tests.premiums.conftest import accept

    invoice = services.invoice_issue(actor=actors.finance, enrolment=accept(enrolment, actors))
    assert sorted((i.tier, i.members, i.amount) for i in invoice.items.all()) == [
        ("A", 1, D("26.00")),
        ("D", 2, D("200.00")),
    ]
    assert invoice.amount == D("226.00")


def test_mid_term_additions_pay_the_months_left(accepted, actors, plans, units, people, today_is):
    """Pro-rata (SPEC §3): premium × remaining months / 12, months rounded up."""
    today_is(dt.date(2026, 9, 30))
    plan = plans["gx_designated_disease"]
    first = accepted(units.a1, plan, people[:3], 2)
    invoice = services.invoice_issue(actor=actors.finance, enrolment=first)
    services.payment_record(
        actor=actors.finance,
        invoice=invoice,
        bank_reference="B-1",
        paid_on=dt.date(2026, 3, 15),
        amount="240",
    )
    first.refresh_from_db()
    assert (first.coverage_start, first.coverage_end) == (
        dt.date(2026, 3, 16),
        dt.date(2027, 3, 15),
    )
    addition = accepted(
        units.a1, plan, people[3:], 2, kind="addition", previous=first, start=dt.date(2026, 9, 16)
    )
    invoice = services.invoice_issue(actor=actors.finance, enrolment=addition)
    # 2026-09-16 … 2027-03-15 is 6 months: ¥80 × 6 / 12 = ¥40 each.
    assert [(i.members, i.unit_amount) for i in invoice.items.all()] == [(2, D("40.00"))]
    assert invoice.amount == D("80.00")


def test_only_accepted_enrolments_are_invoiced_and_only_by_finance(
    accepted, actors, plans, units, people
):
    enrolment = accepted(units.a1, plans["gx_designated_disease"], people, 1)
    with pytest.raises(PermissionDenied):
        services.invoice_issue(actor=actors.agent, enrolment=enrolment)
    services.invoice_issue(actor=actors.finance, enrolment=enrolment)
    with pytest.raises(ValidationError):  # invoiced already: one invoice per enrolment
        services.invoice_issue(actor=actors.finance, enrolment=enrolment)
    assert Invoice.objects.filter(enrolment=enrolment).count() == 1


def test_the_daily_job_invoices_accepted_enrolments(accepted, plans, units, people):
    enrolment = accepted(units.a1, plans["gx_designated_disease"], people, 1)
    assert services.invoices_issue_accepted() == 1
    assert services.invoices_issue_accepted() == 0
    invoice = Invoice.objects.get(enrolment=enrolment)
    assert invoice.issued_by is None and invoice.amount == D("200.00")


def test_invoice_numbers_run_per_tenant_and_year(accepted, actors, plans, units, people):
    numbers = []
    for member in people[:3]:
        enrolment = accepted(units.a1, plans["gx_group_accident"], [member], 1)
        numbers.append(services.invoice_issue(actor=actors.finance, enrolment=enrolment).number)
    tails = [int(n[-6:]) for n in numbers]
    assert tails == [tails[0], tails[0] + 1, tails[0] + 2]
