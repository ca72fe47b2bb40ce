"""The member's own door on a phone (issue 17): a member signs in with the code the SMS
backend (locmem) received, sees their cover and a claim's progress, reports an incident
and uploads a document; the office's reviewer then finds the member-filed report in the
work inbox. Screenshots: ``test-artifacts/screenshots/member-*.png`` at 390 × 844."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from claims.models import ClaimDecision, ClaimDocument, IncidentReport
from mutualaid.notifications import sms
from tests import factories
from tests.browser.helpers import horizontal_overflow, log_in, snap

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13912345678"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_member_signs_in_reports_and_uploads_then_the_reviewer_sees_it(
    world, new_context, live_server, tmp_path
):
    sms.outbox.clear()
    unit = factories.make_unit(world.unit)
    member = factories.make_member(unit, name="韦小宝", phone=PHONE)
    plan = factories.make_plan(world.office, name="职工重大疾病互助保障计划")
    start = timezone.localdate() - dt.timedelta(days=30)
    policy = factories.make_policy(member, plan, start=start, waiting_days=90, shares=2)
    claim = factories.make_claim(
        member,
        plan,
        policy=policy,
        status="documents",
        event_date=timezone.localdate() - dt.timedelta(days=20),
        decision_reason="请补充出院小结",
    )
    ClaimDecision.objects.create(
        tenant_id=claim.tenant_id,
        claim=claim,
        action="request_documents",
        from_status="submitted",
        to_status="documents",
        reason="请补充出院小结",
        actor=world.reviewer,
    )

    page = new_context(phone=True).new_page()
    # 1. Sign in: ID number, the phone on file, the code from the SMS backend.
    page.goto("/me/")
    page.locator("#id_id_number").fill(member.id_number)
    page.locator("#id_phone").fill(PHONE)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.locator("#id_code")).to_be_visible()
    code = re.search(r"\d{6}", sms.outbox[-1].text).group(0)
    page.locator("#id_code").fill(code)
    page.get_by_role("button", name="登录").click()

    # 2. My cover: the plan, the shares, the end of the waiting period.
    expect(page.get_by_test_id("me-policy")).to_contain_text("职工重大疾病互助保障计划")
    waiting_end = (start + dt.timedelta(days=90)).isoformat()
    expect(page.get_by_test_id("me-policy")).to_contain_text(f"{waiting_end} 起全额保障")
    assert horizontal_overflow(page)["scrollWidth"] <= 390
    snap(page, "member-01-cover-phone")

    # 3. My claims, and one claim's progress: what the office asked for.
    page.get_by_role("link", name="我的申领").click()
    expect(page.get_by_test_id("me-claim")).to_contain_text("需补充材料")
    assert horizontal_overflow(page)["scrollWidth"] <= 390
    snap(page, "member-02-claims-phone")
    page.get_by_test_id("me-claim").first.click()
    expect(page.get_by_test_id("me-timeline")).to_contain_text("需补充材料")
    expect(page.locator("main")).to_contain_text("请补充出院小结")

    # 4. Upload a document to that claim (checked by content like the agent's).
    pdf = tmp_path / "出院小结.pdf"
    pdf.write_bytes(PDF)
    page.locator("#id_kind").select_option("hospital")
    page.locator("#id_file").set_input_files(str(pdf))
    page.get_by_role("button", name="上传").click()
    expect(page.locator(".me-docs")).to_contain_text("出院小结.pdf")
    snap(page, "member-03-claim-phone")
    assert ClaimDocument.objects.get(claim=claim).by_member

    # 5. Report an incident: the claim page shows the computed deadline.
    page.get_by_role("link", name="报案").first.click()
    page.locator("#id_event_kind").select_option("illness")
    page.locator("#id_event_date").fill((timezone.localdate() - dt.timedelta(days=1)).isoformat())
    page.locator("#id_description").fill("体检发现，医院确诊")
    page.get_by_role("button", name="提交报案").click()
    report = IncidentReport.objects.get(member=member, by_member=True)
    expect(page.get_by_test_id("me-report-deadline")).to_contain_text(report.deadline.isoformat())
    snap(page, "member-04-reported-phone")

    # 6. The reviewer signs in and finds the member's own report in the inbox.
    reviewer = new_context().new_page()
    reviewer.goto("/accounts/login/")
    log_in(reviewer, world.reviewer.username, factories.PASSWORD)
    section = reviewer.get_by_test_id("inbox-claims.member_reports")
    expect(section).to_contain_text(report.number)
    expect(section).to_contain_text("会员本人")
    snap(reviewer, "member-05-reviewer-inbox")
