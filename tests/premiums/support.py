"""A unit's enrolment in force for 2025-03-16 … 2026-03-15, ready to be renewed."""

from __future__ import annotations

import datetime as dt

from premiums import services

LAST_YEAR_START = dt.date(2025, 3, 16)
LAST_YEAR_PAID = dt.date(2025, 3, 15)
LAST_YEAR_END = dt.date(2026, 3, 15)


def in_force(
    accepted,
    actors,
    unit,
    plan,
    members,
    shares=2,
    *,
    start=LAST_YEAR_START,
    paid=LAST_YEAR_PAID,
    ref=None,
    **kwargs,
):
    """An enrolment taken through the premiums side: invoice, full payment, in force."""
    enrolment = accepted(unit, plan, members, shares, start=start, **kwargs)
    invoice = services.invoice_issue(actor=actors.finance, enrolment=enrolment)
    services.payment_record(
        actor=actors.finance,
        invoice=invoice,
        bank_reference=ref or f"LY-{enrolment.pk}",
        paid_on=paid,
        amount=invoice.amount,
    )
    enrolment.refresh_from_db()
    return enrolment


def renew_and_pay(renewal, actors, *, paid, ref="RN-1"):
    """Submit, check, accept, invoice and pay a prepared renewal draft."""
    from tests.premiums.conftest import accept

    enrolment = accept(renewal, actors)
    invoice = services.invoice_issue(actor=actors.finance, enrolment=enrolment)
    result = services.payment_record(
        actor=actors.finance,
        invoice=invoice,
        bank_reference=ref,
        paid_on=paid,
        amount=invoice.amount,
    )
    enrolment.refresh_from_db()
    return enrolment, result
