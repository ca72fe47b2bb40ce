"""The premiums API: the queue, an invoice with its payments, recording money (idempotent by
bank reference), issuing invoices, the renewal queue."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from premiums.models import Payment
from tests import factories


@pytest.fixture
def api(login):
    def _api(user):
        client = login(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return _api


def test_finance_records_a_payment_and_a_retry_never_pays_twice(invoiced, world, api, today_is):
    today_is(dt.date(2026, 3, 31))
    client = api(world.finance)
    url = f"/api/v1/invoices/{invoiced.pk}/payments/"
    body = {
        "bank_reference": "API-0001",
        "paid_on": "2026-03-15",
        "amount": "400.00",
        "party": "union",
    }
    first = client.post(url, body, content_type="application/json")
    assert first.status_code == 201, first.json()
    data = first.json()
    assert data["brought_into_force"] is True
    assert (
        data["invoice"]["status"],
        data["invoice"]["balance"],
        data["invoice"]["enrolment_status"],
    ) == ("paid", "0.00", "in_force")
    retry = client.post(url, body, content_type="application/json")
    assert retry.status_code == 400
    assert "bank_reference" in retry.json()
    assert Payment.objects.filter(invoice=invoiced).count() == 1
    detail = client.get(f"/api/v1/invoices/{invoiced.pk}/").json()
    assert [p["bank_reference"] for p in detail["payments"]] == ["API-0001"]
    assert sum(Decimal(s["amount"]) for s in detail["shares"]) == Decimal(detail["amount"])


def test_refund_through_the_api(invoiced, world, api, today_is):
    today_is(dt.date(2026, 3, 31))
    client = api(world.finance)
    url = f"/api/v1/invoices/{invoiced.pk}/payments/"
    client.post(
        url,
        {"bank_reference": "A-1", "paid_on": "2026-03-15", "amount": "410"},
        content_type="application/json",
    )
    refund = client.post(
        url,
        {"kind": "refund", "bank_reference": "A-R", "paid_on": "2026-03-20", "amount": "10"},
        content_type="application/json",
    )
    assert refund.status_code == 201 and refund.json()["invoice"]["status"] == "paid"


def test_agents_read_but_do_not_record(invoiced, world, api):
    client = api(world.agent)
    assert client.get(f"/api/v1/invoices/{invoiced.pk}/").status_code == 200
    assert (
        client.post(
            f"/api/v1/invoices/{invoiced.pk}/payments/", {}, content_type="application/json"
        ).status_code
        == 403
    )
    listed = client.get("/api/v1/invoices/?status=open").json()["results"]
    assert [i["number"] for i in listed] == [invoiced.number]
    assert api(world.sibling_agent).get("/api/v1/invoices/").json()["results"] == []


def test_issue_an_invoice_through_the_api(accepted, plans, units, people, world, api):
    enrolment = accepted(units.a1, plans["gx_group_accident"], people[:2], 1)
    client = api(world.finance)
    assert client.get(f"/api/v1/enrolments/{enrolment.pk}/invoice/").json()["invoice"] is None
    created = client.post(f"/api/v1/enrolments/{enrolment.pk}/invoice/")
    assert created.status_code == 201 and created.json()["amount"] == "40.00"
    again = client.post(f"/api/v1/enrolments/{enrolment.pk}/invoice/")
    assert again.status_code == 400


def test_invoice_list_pages_by_cursor(world, api, units, django_assert_num_queries):
    for _ in range(5):
        factories.make_invoice(units.a1)
    client = api(world.finance)
    first = client.get("/api/v1/invoices/?page_size=2").json()
    second = client.get(first["next"]).json()
    assert len(first["results"]) == 2 and len(second["results"]) == 2
    assert not {i["id"] for i in first["results"]} & {i["id"] for i in second["results"]}


def test_renewal_queue(world, api, units):
    renewal = factories.make_renewal(units.a1)
    rows = api(world.agent).get("/api/v1/renewals/?state=all").json()["results"]
    assert [r["id"] for r in rows] == [str(renewal.pk)]
    assert api(world.sibling_agent).get("/api/v1/renewals/?state=all").json()["results"] == []
