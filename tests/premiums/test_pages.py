"""Premium pages: finance's queue (filters, keyset paging, pinned queries), the invoice with
its payments and flags, the payment form, receipts and certificates, the renewal list with
its one-click submit, and notifications."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from enrolment.models import EnrolmentStatus
from mutualaid.notifications.models import Notification
from premiums import services
from premiums.models import Invoice, InvoiceStatus, Payment, Renewal
from premiums.renewals import renewals_run
from tests import factories
from tests.premiums.support import in_force


@pytest.fixture
def paid_twice(invoiced, actors, today_is):
    """The invoice overpaid: ¥400 then ¥50 more."""
    today_is(dt.date(2026, 3, 31))
    services.payment_record(
        actor=actors.finance,
        invoice=invoiced,
        bank_reference="P-1",
        paid_on=dt.date(2026, 3, 15),
        amount="400",
    )
    services.payment_record(
        actor=actors.finance,
        invoice=invoiced,
        bank_reference="P-2",
        paid_on=dt.date(2026, 3, 16),
        amount="50",
    )
    invoiced.refresh_from_db()
    return invoiced


def test_finance_records_a_payment_on_the_page(invoiced, world, as_user, today_is):
    today_is(dt.date(2026, 3, 31))
    client = as_user(world.finance)
    url = f"/premiums/invoices/{invoiced.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="payment-form"' in page.content.decode()
    response = client.post(
        url + "payments/",
        {
            "pay-bank_reference": "ICBC-778899",
            "pay-paid_on": "2026-03-15",
            "pay-amount": "400.00",
            "pay-party": "union",
        },
        follow=True,
    )
    body = response.content.decode()
    assert "the cover is in force from 2026-03-16" in body
    invoiced.refresh_from_db()
    assert (
        invoiced.status == InvoiceStatus.PAID
        and invoiced.enrolment.status == EnrolmentStatus.IN_FORCE
    )
    assert 'data-testid="certificate-download"' in body and 'data-testid="receipt-download"' in body


def test_a_duplicate_reference_is_refused_on_its_field(invoiced, world, as_user, today_is):
    today_is(dt.date(2026, 3, 31))
    client = as_user(world.finance)
    data = {"pay-bank_reference": "ICBC-1", "pay-paid_on": "2026-03-10", "pay-amount": "100"}
    client.post(f"/premiums/invoices/{invoiced.pk}/payments/", data)
    response = client.post(f"/premiums/invoices/{invoiced.pk}/payments/", data)
    assert response.status_code == 400
    assert "recorded already on invoice" in response.content.decode()
    assert Payment.objects.count() == 1


def test_over_and_under_payments_are_flagged(paid_twice, invoiced, world, as_user):
    body = as_user(world.finance).get(f"/premiums/invoices/{paid_twice.pk}/").content.decode()
    assert 'data-testid="overpaid"' in body and "¥50.00 was received too much" in body
    assert 'data-testid="refund-form"' in body
    queue = as_user(world.finance).get("/premiums/invoices/?status=open").content.decode()
    assert paid_twice.number in queue and "excess" in queue


def test_the_queue_filters_and_pages_by_keyset(world, as_user, units, django_assert_num_queries):
    for _ in range(7):
        factories.make_invoice(units.a1)
    paid = factories.make_invoice(units.a2)
    Invoice.objects.filter(pk=paid.pk).update(status=InvoiceStatus.PAID)
    client = as_user(world.finance)
    first = client.get("/premiums/invoices/?status=unpaid")
    numbers = [i.number for i in Invoice.objects.filter(status="unpaid")]
    body = first.content.decode()
    assert all(n in body for n in numbers) and paid.number not in body
    assert paid.number in client.get("/premiums/invoices/?status=paid").content.decode()
    from premiums import selectors

    page = selectors.invoice_page(actor=world.actor(world.finance), size=3)
    second = selectors.invoice_page(
        actor=world.actor(world.finance), size=3, after=page.next_cursor
    )
    assert not {i.pk for i in page.rows} & {i.pk for i in second.rows}


def test_queue_query_count_does_not_grow(world, as_user, units, django_assert_num_queries):
    client = as_user(world.finance)
    factories.make_invoice(units.a1)
    client.get("/premiums/invoices/")  # warm caches (content types, translations)
    # session, user, staff membership (actor), the org chain of the header, plans for the
    # filter, the page of invoices (with unit and plan joined).
    with django_assert_num_queries(8):
        client.get("/premiums/invoices/")
    for _ in range(10):
        factories.make_invoice(units.a2)
    with django_assert_num_queries(8):
        client.get("/premiums/invoices/")


def test_an_agent_reads_the_units_invoices_but_cannot_record_money(invoiced, world, as_user):
    client = as_user(world.agent)
    body = client.get(f"/premiums/invoices/{invoiced.pk}/").content.decode()
    assert invoiced.number in body and 'data-testid="payment-form"' not in body
    assert client.post(f"/premiums/invoices/{invoiced.pk}/payments/", {}).status_code == 403
    assert invoiced.number in client.get("/premiums/invoices/").content.decode()
    assert (
        invoiced.number
        not in as_user(world.sibling_agent).get("/premiums/invoices/").content.decode()
    )


def test_receipt_and_certificate_download(paid_twice, world, as_user):
    client = as_user(world.agent)
    payment = Payment.objects.get(bank_reference="P-1")
    receipt = client.get(f"/premiums/payments/{payment.pk}/receipt/")
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
    assert receipt.content.startswith(b"%PDF")
    certificate = client.get(f"/premiums/enrolments/{paid_twice.enrolment_id}/certificate/")
    assert certificate.status_code == 200 and certificate.content.startswith(b"%PDF")
    assert "filename*=UTF-8''" in certificate["Content-Disposition"]


def test_a_big_units_certificate_is_built_by_a_job(
    paid_twice, world, as_user, monkeypatch, django_capture_on_commit_callbacks
):
    from premiums import documents

    monkeypatch.setattr(documents, "CERTIFICATE_DIRECT_LIMIT", 2)
    client = as_user(world.agent)
    url = f"/premiums/enrolments/{paid_twice.enrolment_id}/certificate/"
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="certificate-build"' in page.content.decode()
    from mutualaid.jobs import tasks

    sent = []
    # The outbox publishes with apply_async (after the commit): catch the job id there.
    monkeypatch.setattr(tasks.run_job, "apply_async", lambda args, **_: sent.append(args[0]))
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(url)
    assert 'data-testid="job"' in started.content.decode() and len(sent) == 1
    assert tasks.run_job(sent[0]) == "succeeded"
    done = client.get(f"/jobs/{sent[0]}/")
    assert 'data-testid="job-download"' in done.content.decode()


def test_a_certificate_needs_cover_in_force(invoiced, world, as_user):
    response = as_user(world.agent).get(
        f"/premiums/enrolments/{invoiced.enrolment_id}/certificate/"
    )
    assert response.status_code == 409


def test_finance_issues_an_accepted_enrolment_from_the_list(
    accepted, plans, units, people, world, as_user
):
    enrolment = accepted(units.a1, plans["gx_group_accident"], people, 1)
    client = as_user(world.finance)
    assert enrolment.organisation.name in client.get("/premiums/to-invoice/").content.decode()
    response = client.post(f"/premiums/enrolments/{enrolment.pk}/invoice/")
    invoice = Invoice.objects.get(enrolment=enrolment)
    assert (
        response.status_code == 302 and response["Location"] == f"/premiums/invoices/{invoice.pk}/"
    )
    assert invoice.amount == Decimal("100.00")


@pytest.fixture
def due(accepted, actors, plans, units, people, today_is):
    today_is(dt.date(2025, 3, 31))
    last_year = in_force(accepted, actors, units.a1, plans["gx_designated_disease"], people, 2)
    renewals_run(today=dt.date(2026, 2, 20))
    return Renewal.objects.get(previous=last_year)


def test_the_agent_submits_a_renewal_in_one_click(due, world, as_user, today_is):
    today_is(dt.date(2026, 2, 20))
    client = as_user(world.agent)
    body = client.get("/premiums/renewals/").content.decode()
    assert (
        "甲县医院工会" in body and 'data-testid="renewal-submit"' in body and "2026-03-15" in body
    )
    response = client.post(f"/premiums/renewals/{due.pk}/submit/", follow=True)
    assert "was submitted" in response.content.decode()
    due.enrolment.refresh_from_db()
    assert due.enrolment.status == EnrolmentStatus.SUBMITTED
    assert "甲县医院工会" in client.get("/premiums/renewals/?state=in_progress").content.decode()


def test_the_sibling_does_not_see_the_renewal(due, world, as_user):
    assert (
        "甲县医院工会"
        not in as_user(world.sibling_agent).get("/premiums/renewals/").content.decode()
    )


def test_notifications_badge_list_and_open(due, world, as_user):
    client = as_user(world.agent)
    badge = client.get("/notifications/badge/").content.decode()
    unread = Notification.objects.filter(recipient=world.agent, read_at__isnull=True).count()
    assert unread >= 1 and f">{unread}<" in badge
    page = client.get("/notifications/").content.decode()
    assert "The renewal of" in page
    note = Notification.objects.get(recipient=world.agent, kind="premiums.renewal_prepared")
    response = client.post(f"/notifications/{note.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/premiums/renewals/"
    note.refresh_from_db()
    assert note.read_at is not None
    client.post("/notifications/read-all/")
    assert client.get("/notifications/badge/").content.decode().strip() == ""
    # Nobody opens another person's notification, whatever the role.
    assert as_user(world.office_admin).post(f"/notifications/{note.pk}/open/").status_code == 404


def test_the_header_loads_the_badge_without_a_query_on_every_page(world, as_user):
    body = as_user(world.agent).get("/premiums/renewals/").content.decode()
    assert 'hx-get="/notifications/badge/"' in body


def test_the_enrolment_page_links_to_its_certificate_once_in_force(
    paid_twice, invoiced, world, as_user
):
    client = as_user(world.agent)
    url = f"/premiums/enrolments/{paid_twice.enrolment_id}/certificate/"
    in_force = client.get(f"/enrolments/{paid_twice.enrolment_id}/").content.decode()
    assert url in in_force and 'data-testid="certificate"' in in_force
    assert client.get(url).content.startswith(b"%PDF")


def test_no_certificate_link_before_cover_is_in_force(invoiced, world, as_user):
    page = as_user(world.agent).get(f"/enrolments/{invoiced.enrolment_id}/").content.decode()
    assert 'data-testid="certificate"' not in page
