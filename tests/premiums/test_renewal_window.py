"""A renewal is invoiced and paid only inside its renewal window (SPEC §7; issue 16 item 5):
from the day the daily run prepares it (30 days before the previous end) to the end of its
grace. Paid by the deadline the cover continues; later inside the window it starts anew;
outside the window it is refused — pages and API alike, by one check in the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from enrolment.models import EnrolmentStatus
from enrolment.policies import Period, renewal_window
from enrolment.services.drafts import enrolment_create
from premiums import services
from premiums.models import Payment, Renewal
from premiums.renewals import renewals_run
from tests.premiums.conftest import accept
from tests.premiums.support import LAST_YEAR_END, in_force

D = dt.date
TODAY = D(2026, 2, 20)  # inside the notice window of the cover ending 2026-03-15


@pytest.mark.parametrize(
    "renewal, window",
    [
        ({"deadline_days_before_end": 0}, (D(2026, 2, 13), D(2026, 4, 14))),
        ({"deadline_days_before_end": 20}, (D(2026, 2, 13), D(2026, 4, 14))),  # 绍兴
        ({"grace_days_after_end": 45}, (D(2026, 2, 13), D(2026, 4, 29))),
        (None, (D(2026, 2, 13), D(2026, 4, 14))),
    ],
)
def test_the_window_opens_with_the_notice_and_closes_at_the_grace_end(renewal, window):
    assert renewal_window(LAST_YEAR_END, renewal, notice_days=30) == Period(*window)


@pytest.fixture
def prepared(accepted, actors, plans, units, people, today_is):
    """Last year's cover (2025-03-16 … 2026-03-15), its renewal prepared by the run and
    invoiced on a day inside the window."""
    today_is(D(2025, 3, 31))
    last_year = in_force(accepted, actors, units.a1, plans["gx_designated_disease"], people, 2)
    renewals_run(today=TODAY)
    draft = accept(Renewal.objects.get(previous=last_year).enrolment, actors)
    today_is(TODAY)
    invoice = services.invoice_issue(actor=actors.finance, enrolment=draft)
    today_is(D(2026, 6, 30))
    return invoice


@pytest.mark.parametrize(
    "paid_on, accepted_, start",
    [
        (D(2026, 2, 12), False, None),  # the day before the window opens
        (D(2026, 2, 13), True, D(2026, 3, 16)),  # its first day: cover continues
        (D(2026, 4, 14), True, D(2026, 4, 15)),  # its last day: late, starts as new cover
        (D(2026, 4, 15), False, None),  # the day after
    ],
)
def test_a_renewal_is_paid_only_inside_its_window(prepared, actors, paid_on, accepted_, start):
    pay = dict(bank_reference="RN-1", paid_on=paid_on, amount=prepared.amount)
    if not accepted_:
        with pytest.raises(ValidationError) as refused:
            services.payment_record(actor=actors.finance, invoice=prepared, **pay)
        [error] = refused.value.error_dict["paid_on"]
        assert error.code == "outside_renewal_window"
        assert "2026-02-13" in error.message and "2026-04-14" in error.message
        assert not Payment.objects.filter(invoice=prepared).exists()
        prepared.enrolment.refresh_from_db()
        assert prepared.enrolment.status == EnrolmentStatus.INVOICED
        return
    result = services.payment_record(actor=actors.finance, invoice=prepared, **pay)
    assert result.brought_into_force
    prepared.enrolment.refresh_from_db()
    assert prepared.enrolment.coverage_start == start


def test_a_second_transfer_for_a_renewal_in_force_is_recorded_whenever_it_comes(prepared, actors):
    services.payment_record(
        actor=actors.finance,
        invoice=prepared,
        bank_reference="RN-1",
        paid_on=D(2026, 3, 1),
        amount=prepared.amount,
    )
    again = services.payment_record(
        actor=actors.finance,
        invoice=prepared,
        bank_reference="RN-2",
        paid_on=D(2026, 6, 1),
        amount="10.00",
    )
    assert again.invoice.status == "overpaid"


def test_a_renewal_of_a_renewal_is_not_invoiced_or_paid_a_year_ahead(
    accepted, actors, plans, units, people, today_is, login
):
    """The issue's case: the chain renewed twice on 2026-12-05, the second renewal (2028–
    2029) invoiced and paid before the cover before it had started."""
    today_is(D(2026, 12, 5))
    plan = plans["gx_designated_disease"]
    first = in_force(
        accepted, actors, units.a1, plan, people[:1], 1, start=D(2026, 12, 6), paid=D(2026, 12, 5)
    )
    ahead = accept(
        enrolment_create(actor=actors.agent, unit=units.a1, kind="renewal", previous=first),
        actors,
    )
    with pytest.raises(ValidationError) as refused:
        services.invoice_issue(actor=actors.finance, enrolment=ahead)
    assert "2027-11-05" in refused.value.messages[0] and "2028-01-04" in refused.value.messages[0]
    ahead.refresh_from_db()
    assert ahead.status == EnrolmentStatus.ACCEPTED
    # The daily job leaves it accepted too, and invoices it once its window has opened.
    assert services.invoices_issue_accepted() == 0
    today_is(D(2027, 11, 5))
    assert services.invoices_issue_accepted() == 1

    # Payment page and API refuse a payment dated before the window, naming it.
    invoice = ahead.invoice
    client = login(actors.finance.user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.post(
        f"/premiums/invoices/{invoice.pk}/payments/",
        {
            "pay-bank_reference": "EARLY-1",
            "pay-paid_on": "2026-12-05",
            "pay-amount": str(invoice.amount),
        },
    )
    assert "renewal window, 2027-11-05 to 2028-01-04" in page.content.decode()
    api = client.post(
        f"/api/v1/invoices/{invoice.pk}/payments/",
        {"bank_reference": "EARLY-2", "paid_on": "2026-12-05", "amount": str(invoice.amount)},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert "2027-11-05 to 2028-01-04" in str(api.json()["paid_on"])
    assert not Payment.objects.filter(invoice=invoice).exists()
