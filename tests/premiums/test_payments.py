"""Payments (SPEC §6): full payment brings cover into force from the payment date (C1, C2);
partial, over- and double payments are shown and handled, never absorbed."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from enrolment.models import EnrolmentStatus, Policy
from mutualaid.notifications.models import Notification
from premiums import services
from premiums.models import InvoiceStatus, Payment, PaymentKind
from tests import factories

D = Decimal
ACCEPTANCE = Path(__file__).resolve().parents[3] / "shared" / "acceptance"
DEADLINES = {
    row["case"]: row for row in csv.DictReader(open(ACCEPTANCE / "deadlines.csv", encoding="utf-8"))
}


def pay(invoice, actors, amount, *, on=dt.date(2026, 3, 15), ref="TX-0001", **kwargs):
    return services.payment_record(
        actor=actors.finance,
        invoice=invoice,
        bank_reference=ref,
        paid_on=on,
        amount=amount,
        **kwargs,
    )


@pytest.mark.parametrize("case", ["C1", "C2"])
def test_full_payment_brings_cover_into_force_from_the_day_after(
    case, accepted, actors, plans, units, people, today_is
):
    row = DEADLINES[case]
    paid = dt.date.fromisoformat(row["start"])
    start, end = (dt.date.fromisoformat(x) for x in row["expected"].split(".."))
    today_is(paid)
    enrolment = accepted(units.a1, plans["gx_designated_disease"], people, 2, start=start)
    invoice = services.invoice_issue(actor=actors.finance, enrolment=enrolment)
    result = pay(invoice, actors, "400.00", on=paid)
    assert result.brought_into_force and not result.activation_problem
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.IN_FORCE
    assert (enrolment.payment_date, enrolment.coverage_start, enrolment.coverage_end) == (
        paid,
        start,
        end,
    )
    assert set(Policy.objects.filter(enrolment=enrolment).values_list("start", "end")) == {
        (start, end)
    }
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_total, invoice.paid_on, invoice.balance) == (
        InvoiceStatus.PAID,
        D("400.00"),
        paid,
        D("0.00"),
    )
    assert Notification.objects.filter(
        kind="premiums.in_force", recipient__username="agent"
    ).exists()


def test_partial_payment_waits_and_the_completing_payment_dates_the_cover(
    invoiced, actors, today_is
):
    today_is(dt.date(2026, 3, 31))
    first = pay(invoiced, actors, "150.00", on=dt.date(2026, 3, 10), ref="TX-A")
    assert not first.brought_into_force
    invoiced.refresh_from_db()
    assert invoiced.status == InvoiceStatus.PARTIALLY_PAID
    assert (invoiced.paid_total, invoiced.outstanding) == (D("150.00"), D("250.00"))
    assert invoiced.enrolment.status == EnrolmentStatus.INVOICED
    second = pay(invoiced, actors, "250.00", on=dt.date(2026, 3, 20), ref="TX-B")
    assert second.brought_into_force
    enrolment = invoiced.enrolment
    enrolment.refresh_from_db()
    assert (enrolment.coverage_start, enrolment.coverage_end) == (
        dt.date(2026, 3, 21),
        dt.date(2027, 3, 20),
    )


def test_payments_recorded_out_of_date_order_count_from_the_day_the_amount_was_reached(
    invoiced, actors, today_is
):
    today_is(dt.date(2026, 3, 31))
    pay(invoiced, actors, "300.00", on=dt.date(2026, 3, 20), ref="TX-LATE")
    result = pay(invoiced, actors, "100.00", on=dt.date(2026, 3, 5), ref="TX-EARLY")
    # 3-05 ¥100 + 3-20 ¥300: the amount was reached on 3-20.
    assert result.brought_into_force
    invoiced.enrolment.refresh_from_db()
    assert invoiced.enrolment.payment_date == dt.date(2026, 3, 20)


def test_overpayment_is_shown_until_refunded(invoiced, actors, today_is):
    today_is(dt.date(2026, 3, 31))
    result = pay(invoiced, actors, "450.00")
    assert result.brought_into_force  # paid in full: cover starts
    invoice = result.invoice
    assert (invoice.status, invoice.overpaid_by, invoice.balance) == (
        InvoiceStatus.OVERPAID,
        D("50.00"),
        D("-50.00"),
    )
    with pytest.raises(ValidationError) as refused:
        services.refund_record(
            actor=actors.finance,
            invoice=invoice,
            bank_reference="RF-1",
            paid_on=dt.date(2026, 3, 25),
            amount="60",
        )
    assert refused.value.error_dict["amount"][0].code == "refund_too_large"
    services.refund_record(
        actor=actors.finance,
        invoice=invoice,
        bank_reference="RF-1",
        paid_on=dt.date(2026, 3, 25),
        amount="50",
    )
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_total) == (InvoiceStatus.PAID, D("400.00"))
    assert invoice.enrolment.status == EnrolmentStatus.IN_FORCE
    assert services.received_total(invoice) == D("400.00")


def test_a_second_transfer_for_a_paid_invoice_is_kept_as_an_overpayment(invoiced, actors, today_is):
    today_is(dt.date(2026, 3, 31))
    pay(invoiced, actors, "400.00", ref="TX-1")
    result = pay(
        invoiced, actors, "400.00", ref="TX-2", on=dt.date(2026, 3, 16)
    )  # the unit paid twice
    assert not result.brought_into_force
    invoice = result.invoice
    assert (invoice.status, invoice.paid_total, invoice.overpaid_by) == (
        InvoiceStatus.OVERPAID,
        D("800.00"),
        D("400.00"),
    )
    invoice.enrolment.refresh_from_db()
    assert invoice.enrolment.payment_date == dt.date(2026, 3, 15)  # the cover is not moved


@pytest.mark.parametrize("again", ["TX-0001", " tx-0001 ", "ＴＸ－０００１"])
def test_recording_the_same_bank_reference_twice_never_pays_twice(
    again, invoiced, actors, today_is
):
    today_is(dt.date(2026, 3, 31))
    pay(invoiced, actors, "200.00", ref="TX-0001")
    with pytest.raises(services.DuplicateBankReference) as refused:
        pay(invoiced, actors, "200.00", ref=again)
    assert refused.value.error_dict["bank_reference"][0].code == "duplicate_reference"
    assert invoiced.number in refused.value.messages[0]
    invoiced.refresh_from_db()
    assert (invoiced.paid_total, invoiced.status) == (D("200.00"), InvoiceStatus.PARTIALLY_PAID)
    assert Payment.objects.filter(invoice=invoiced).count() == 1


def test_the_database_refuses_a_second_row_with_the_same_reference(invoiced, actors, today_is):
    today_is(dt.date(2026, 3, 31))
    first = pay(invoiced, actors, "200.00", ref="TX-9").payment
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            tenant_id=first.tenant_id,
            organisation_id=first.organisation_id,
            invoice=invoiced,
            bank_reference="TX-9",
            paid_on=first.paid_on,
            amount=D("200.00"),
        )


def test_a_race_on_the_same_reference_is_caught_by_the_constraint(
    invoiced, actors, today_is, monkeypatch
):
    """Two clicks at once: both pass the friendly check; the unique constraint refuses one."""
    today_is(dt.date(2026, 3, 31))
    pay(invoiced, actors, "200.00", ref="TX-RACE")
    real_filter = Payment.objects.filter

    class Blind:
        def __init__(self, qs):
            self.qs = qs

        def select_related(self, *a):
            return self

        def first(self):
            return None

    monkeypatch.setattr(
        Payment.objects,
        "filter",
        lambda *a, **k: (
            Blind(real_filter(*a, **k)) if "bank_reference" in k else real_filter(*a, **k)
        ),
    )
    with pytest.raises(services.DuplicateBankReference):
        pay(invoiced, actors, "200.00", ref="TX-RACE")
    monkeypatch.undo()
    assert Payment.objects.filter(invoice=invoiced).count() == 1


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("amount", {"amount": "0"}),
        ("amount", {"amount": "-5"}),
        ("amount", {"amount": "1.234"}),
        ("amount", {"amount": "abc"}),
        ("bank_reference", {"ref": "  "}),
        ("paid_on", {"on": dt.date(2030, 1, 1)}),
    ],
)
def test_bad_input_is_refused_on_its_field(field, kwargs, invoiced, actors, today_is):
    today_is(dt.date(2026, 3, 31))
    amount = kwargs.pop("amount", "100")
    with pytest.raises(ValidationError) as refused:
        pay(invoiced, actors, amount, **kwargs)
    assert field in refused.value.error_dict
    assert not Payment.objects.exists()


def test_only_finance_records_payments(invoiced, actors, today_is):
    today_is(dt.date(2026, 3, 31))
    for actor in (actors.agent, actors.office_admin, actors.county_cadre):
        with pytest.raises(PermissionDenied):
            services.payment_record(
                actor=actor,
                invoice=invoiced,
                bank_reference="X",
                paid_on=dt.date(2026, 3, 1),
                amount="1",
            )


def test_when_cover_cannot_start_the_payment_is_kept_and_the_problem_shown(
    accepted, actors, plans, units, people, today_is
):
    """A member took overlapping cover meanwhile: the money is recorded, the invoice says why,
    and finance retries once the roster is fixed."""
    today_is(dt.date(2026, 3, 31))
    plan = plans["gx_designated_disease"]
    one = accepted(units.a1, plan, people[:2], 1)
    invoice = services.invoice_issue(actor=actors.finance, enrolment=one)
    # Meanwhile the member got overlapping cover in the same plan (written straight to the
    # table, as a concurrent transaction would have: the roster checks refuse it otherwise).
    factories.make_policy(people[0], plan, start=dt.date(2026, 3, 20), end=dt.date(2026, 12, 31))
    result = pay(invoice, actors, "80.00", on=dt.date(2026, 3, 15))
    assert not result.brought_into_force and result.activation_problem
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and invoice.activation_problem
    assert invoice.enrolment.status == EnrolmentStatus.INVOICED
    assert Payment.objects.filter(invoice=invoice, kind=PaymentKind.PAYMENT).count() == 1
    Policy.objects.filter(member=people[0], enrolment__kind="new").exclude(enrolment=one).update(
        status="cancelled"
    )
    services.invoice_activate(actor=actors.finance, invoice=invoice)
    invoice.refresh_from_db()
    assert invoice.activation_problem == "" and invoice.enrolment.status == EnrolmentStatus.IN_FORCE
