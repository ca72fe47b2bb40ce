"""Premiums in a real browser: finance records a payment on the invoice page, the unit's
agent is told (header badge), opens the invoice and downloads the enrolment certificate.

Screenshots go to ``test-artifacts/screenshots/premiums-*.png``; the certificate to
``test-artifacts/premiums-certificate.pdf``.
"""

from __future__ import annotations

import io
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from enrolment.models import EnrolmentStatus
from enrolment.services.drafts import enrolment_create
from enrolment.services.lines import lines_import
from enrolment.services.workflow import enrolment_accept, enrolment_check, enrolment_submit
from premiums import services
from premiums.models import Invoice, InvoiceStatus
from tests import factories
from tests.browser.helpers import ARTIFACTS_DIR, horizontal_overflow, log_in, snap

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def invoice(world):
    plans = factories.load_seed_plans(world)
    unit = factories.make_unit(world.unit)
    people = [factories.make_member(unit, name=name) for name in ("韦国庆", "黄秀兰", "覃建军")]
    agent, cadre, admin, finance = (
        world.actor(u) for u in (world.agent, world.county_cadre, world.office_admin, world.finance)
    )
    enrolment = enrolment_create(
        actor=agent, unit=unit, plan=plans["gx_designated_disease"], start_date=timezone.localdate()
    )
    lines_import(
        actor=agent, enrolment=enrolment, rows=[{"member": m, "shares": 2} for m in people]
    )
    enrolment_submit(actor=agent, enrolment=enrolment)
    enrolment_check(actor=cadre, enrolment=enrolment)
    enrolment_accept(actor=admin, enrolment=enrolment)
    return services.invoice_issue(actor=finance, enrolment=enrolment)


def test_finance_records_a_payment_and_the_agent_downloads_the_certificate(
    world, invoice, page, new_context, live_server
):
    base = live_server.url

    # 1. Finance: the queue shows the unpaid invoice; open it.
    page.goto("/premiums/invoices/")
    log_in(page, "finance", factories.PASSWORD)
    expect(page).to_have_url(f"{base}/premiums/invoices/")
    row = page.get_by_test_id("invoice-list").locator("tr", has_text=invoice.number)
    expect(row).to_contain_text("甲县医院工会")
    expect(row.get_by_test_id("invoice-status")).to_have_attribute(
        "class", re.compile("pay-unpaid")
    )
    snap(page, "premiums-01-finance-queue")
    row.locator("a", has_text=invoice.number).click()
    expect(page).to_have_url(f"{base}/premiums/invoices/{invoice.pk}/")
    expect(page.get_by_test_id("invoice-amount")).to_have_text("¥240.00")

    # 2. A payment of the whole amount, with the bank's reference.
    form = page.get_by_test_id("payment-form")
    form.locator("#id_pay-bank_reference").fill("icbc 2026 0042")
    form.locator("#id_pay-amount").fill("240.00")
    form.locator("#id_pay-party").select_option("union")
    snap(page, "premiums-02-payment-form")
    page.get_by_test_id("record-payment").click()
    expect(page).to_have_url(f"{base}/premiums/invoices/{invoice.pk}/")
    expect(page.get_by_test_id("enrolment-status")).to_have_attribute(
        "class", re.compile("status-in_force")
    )
    expect(page.get_by_test_id("payments")).to_contain_text("ICBC20260042")  # one token, upper case
    expect(page.get_by_test_id("invoice-balance")).to_have_text("¥0.00")
    snap(page, "premiums-03-paid")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert invoice.enrolment.status == EnrolmentStatus.IN_FORCE

    # 3. Recording the same transfer again is refused on its field; nothing is counted twice.
    form = page.get_by_test_id("payment-form")
    form.locator("#id_pay-bank_reference").fill("ICBC20260042")
    form.locator("#id_pay-amount").fill("240.00")
    page.get_by_test_id("record-payment").click()
    expect(
        page.locator(".field.has-error", has=page.locator("#id_pay-bank_reference"))
    ).to_be_visible()
    snap(page, "premiums-04-duplicate-refused")
    assert Invoice.objects.get(pk=invoice.pk).paid_total == invoice.amount

    # 4. The agent (a phone): the header badge counts the notifications; the invoice page
    #    offers the certificate.
    agent = new_context(phone=True).new_page()
    agent.goto("/notifications/")
    log_in(agent, "agent", factories.PASSWORD)
    expect(agent.get_by_test_id("notification-count")).to_have_text(re.compile(r"^\d+$"))
    expect(agent.get_by_test_id("notification-list")).to_contain_text("甲县医院工会")
    snap(agent, "premiums-05-agent-notifications")
    agent.goto(f"/premiums/invoices/{invoice.pk}/")
    assert horizontal_overflow(agent)["scrollWidth"] <= horizontal_overflow(agent)["innerWidth"] + 1
    snap(agent, "premiums-06-agent-invoice")
    with agent.expect_download() as download_info:
        agent.get_by_test_id("certificate-download").click()
    download = download_info.value
    assert download.suggested_filename.startswith("参保凭证-甲县医院工会")
    target = ARTIFACTS_DIR / "premiums-certificate.pdf"
    download.save_as(str(target))
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(target.read_bytes())).pages)
    for name in ("韦国庆", "黄秀兰", "覃建军"):
        assert name in text
    assert "人民币贰佰肆拾元整" in text
