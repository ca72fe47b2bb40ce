"""Claims in a real browser: the unit's agent reports an incident and applies with
documents (on a phone), a reviewer approves it, finance builds a payout batch, a second
finance user approves it and downloads the bank file.

Screenshots go to ``test-artifacts/screenshots/claims-*.png`` (the queue and the claim page
at phone and desktop widths among them); the bank file to ``test-artifacts/``.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from claims.models import BatchStatus, Claim, ClaimStatus, PayoutBatch
from tests import factories
from tests.browser.helpers import ARTIFACTS_DIR, horizontal_overflow, log_in, snap

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (220, 220, 210)).save(out, format="PNG")
    return out.getvalue()


def _card(body: str = "622202210000123456") -> str:
    from mutualaid.core.cleaning import luhn_ok

    return next(body + d for d in "0123456789" if luhn_ok(body + d))


@pytest.fixture
def covered(world):
    """A member of unit A1 with 3 shares of 职工指定疾病(手术), covered for months now."""
    plan = factories.load_seed_plans(world)["gx_designated_disease"]
    member = factories.make_member(world.unit, name="韦建华")
    start = timezone.localdate() - dt.timedelta(days=200)
    factories.make_policy(member, plan, shares=3, start=start, waiting_days=120)
    return member, plan


def _no_overflow(page) -> None:
    width = horizontal_overflow(page)
    assert width["scrollWidth"] <= width["innerWidth"] + 1, width


def test_report_apply_approve_batch_and_download_the_bank_file(
    world, covered, new_context, live_server, tmp_path
):
    member, plan = covered
    base = live_server.url

    # 1. The agent, on a phone: find the member, report the incident.
    agent = new_context(phone=True).new_page()
    agent.goto("/claims/report/")
    log_in(agent, "agent", factories.PASSWORD)
    expect(agent).to_have_url(f"{base}/claims/report/")
    agent.locator("#member-q").fill("韦建")  # htmx search as you type
    results = agent.get_by_test_id("member-results")
    expect(results).to_contain_text("韦建华")
    results.get_by_test_id("choose-member").first.click()
    form = agent.get_by_test_id("report-form")
    expect(form).to_be_visible()
    form.locator("#id_plan").select_option(str(plan.pk))
    form.locator("#id_event_kind").select_option("illness")
    event = timezone.localdate() - dt.timedelta(days=2)
    form.locator("#id_event_date").fill(event.isoformat())
    form.locator("#id_description").fill("冠心病发作, 在梧州市人民医院植入冠脉支架。")
    form.locator("#id_reporter_name").fill("韦建华之妻")
    snap(agent, "claims-01-agent-report-phone")
    agent.get_by_test_id("report-save").click()
    claim = Claim.objects.get(member=member)
    expect(agent).to_have_url(f"{base}/claims/{claim.pk}/")
    expect(agent.get_by_test_id("report-deadline")).to_contain_text(
        claim.report.deadline.isoformat()
    )
    expect(agent.get_by_test_id("late-flag")).to_have_count(0)

    # 2. The application: the plan's condition list, the payee's bank; then the documents.
    application = agent.get_by_test_id("application-form")
    application.locator("#id_condition").select_option("coronary_stent")
    expect(application.locator("#id_payee_name")).to_have_value("韦建华")
    application.locator("#id_bank_name").fill("中国工商银行梧州分行")
    application.locator("#id_bank_account").fill(_card())
    agent.get_by_test_id("application-save").click()
    expect(agent.locator(".messages .msg-success")).to_be_visible()
    for kind, name, data in (("diagnosis", "诊断证明.pdf", PDF), ("receipts", "票据.png", _png())):
        path = tmp_path / name
        path.write_bytes(data)
        upload = agent.get_by_test_id("document-form")
        upload.locator("#id_kind").select_option(kind)
        upload.locator("#id_file").set_input_files(str(path))
        agent.get_by_test_id("document-upload").click()
        expect(agent.get_by_test_id("documents")).to_contain_text(name)
    _no_overflow(agent)
    snap(agent, "claims-02-agent-application-phone")
    agent.once("dialog", lambda dialog: dialog.accept())
    agent.get_by_test_id("claim-submit").click()
    expect(agent.get_by_test_id("claim-status")).to_have_attribute("data-status", "submitted")
    expect(agent.get_by_test_id("assessment-total")).to_have_text("¥9000.00")
    expect(agent.get_by_test_id("explanation")).to_contain_text("冠状动脉支架植入术")
    snap(agent, "claims-03-agent-submitted-phone")

    # 3. A reviewer: the queue (desktop and phone), the claim page, approve as assessed.
    reviewer = new_context().new_page()
    reviewer.goto("/claims/")
    log_in(reviewer, "reviewer", factories.PASSWORD)
    row = reviewer.get_by_test_id("claim-list").locator("tr", has_text=claim.number)
    expect(row.get_by_test_id("sla")).to_have_attribute("data-sla", "ok")
    snap(reviewer, "claims-04-queue-desktop")
    phone_reviewer = new_context(phone=True)
    phone_queue = phone_reviewer.new_page()
    phone_queue.goto("/claims/")
    log_in(phone_queue, "reviewer", factories.PASSWORD)
    expect(phone_queue.get_by_test_id("claim-list")).to_contain_text(claim.number)
    _no_overflow(phone_queue)
    snap(phone_queue, "claims-05-queue-phone")
    row.locator("a", has_text=claim.number).click()
    expect(reviewer).to_have_url(f"{base}/claims/{claim.pk}/")
    expect(reviewer.get_by_test_id("assessment-lines")).to_contain_text("¥9000.00")
    snap(reviewer, "claims-06-claim-desktop")
    phone_queue.goto(f"/claims/{claim.pk}/")
    _no_overflow(phone_queue)
    snap(phone_queue, "claims-07-claim-phone")
    decision = reviewer.get_by_test_id("decision-form")
    expect(decision.locator("#id_amount")).to_have_value("9000.00")
    reviewer.get_by_test_id("approve").click()
    expect(reviewer.get_by_test_id("claim-status")).to_have_attribute("data-status", "approved")
    expect(reviewer.get_by_test_id("payout-due")).to_be_visible()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED and claim.first_approver_id == world.reviewer.pk

    # 4. Finance builds the batch; the builder is not offered the approval.
    finance = new_context().new_page()
    finance.goto("/claims/batches/")
    log_in(finance, "finance", factories.PASSWORD)
    expect(finance.get_by_test_id("waiting")).to_contain_text("¥9000.00")
    finance.once("dialog", lambda dialog: dialog.accept())
    finance.get_by_test_id("batch-build").click()
    batch = PayoutBatch.objects.get(tenant=world.tenant)
    expect(finance).to_have_url(f"{base}/claims/batches/{batch.pk}/")
    expect(finance.get_by_test_id("batch-lines")).to_contain_text(claim.number)
    expect(finance.get_by_test_id("batch-approve")).to_have_count(0)
    expect(finance.get_by_test_id("builder-note")).to_be_visible()
    snap(finance, "claims-08-batch-built")

    # 5. A second finance user approves it and downloads the bank file.
    second = new_context().new_page()
    second.goto(f"/claims/batches/{batch.pk}/")
    log_in(second, "finance2", factories.PASSWORD)
    expect(second).to_have_url(f"{base}/claims/batches/{batch.pk}/")
    second.once("dialog", lambda dialog: dialog.accept())
    second.get_by_test_id("batch-approve").click()
    expect(second.get_by_test_id("batch-status")).to_have_attribute("data-status", "approved")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPROVED and batch.approved_by_id == world.finance2.pk
    with second.expect_download() as download_info:
        second.get_by_test_id("bank-xlsx").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    assert batch.number in download.suggested_filename
    target = ARTIFACTS_DIR / "claims-bank-file.xlsx"
    target.parent.mkdir(parents=True, exist_ok=True)
    download.save_as(str(target))
    sheet = load_workbook(target, read_only=True).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert claim.number in cells and "韦建华" in cells and _card() in cells
    assert any(re.fullmatch(r"9000(\.0+)?", c) for c in cells), cells
    snap(second, "claims-09-batch-approved")
