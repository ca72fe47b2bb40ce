"""The claim pages as the unit's agent, the office's reviewers and finance use them.

Every write goes through the page into the service; what the service refuses comes back
on the form field it names (one validation path). Scope (another tenant, a sibling unit)
is covered for every URL by tests/test_tenant_isolation.py; here: roles and flows.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from claims.models import BatchStatus, Claim, ClaimStatus, PayoutBatch, ReportStatus
from claims.services import applications, payouts, reports, review
from mutualaid.core import cleaning
from mutualaid.jobs.models import Job
from plans.terms import terms_of
from tests import factories

pytestmark = pytest.mark.django_db

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
CARD = "6222020200112345679"  # UnionPay, Luhn-valid


def _card(body: str = "622202020011234567") -> str:
    return next(body + d for d in "0123456789" if cleaning.luhn_ok(body + d))


def _text(response) -> str:
    return response.content.decode()


def _field_errors(body: str, field: str) -> str:
    """The error list printed under one field (plans/_field.html), as text."""
    match = re.search(rf'id="id_{field}".*?(<ul class="errorlist[^>]*>.*?</ul>)', body, flags=re.S)
    return match.group(1) if match else ""


def _report(world, member, plan, *, days_ago=3, actor=None, **extra):
    return reports.report_create(
        actor=actor or world.actor(world.agent),
        member=member,
        plan=plan,
        event_kind="illness",
        event_date=timezone.localdate() - dt.timedelta(days=days_ago),
        description="确诊肺癌",
        **extra,
    )


def _applied(world, member, plan, *, actor=None):
    """A report with a complete application and one document (not submitted)."""
    actor = actor or world.actor(world.agent)
    claim = _report(world, member, plan, actor=actor).claim
    claim = applications.claim_update(
        actor=actor,
        claim=claim,
        data={
            "condition": "malignant_tumour",
            "bank_name": "中国工商银行梧州分行",
            "bank_account": CARD,
        },
    )
    applications.document_add(
        actor=actor,
        claim=claim,
        kind="diagnosis",
        upload=SimpleUploadedFile("诊断证明.pdf", PDF, content_type="application/pdf"),
    )
    return claim


def _submitted(world, member, plan, *, actor=None):
    actor = actor or world.actor(world.agent)
    return applications.claim_submit(actor=actor, claim=_applied(world, member, plan, actor=actor))


# --- Reporting -----------------------------------------------------------------------------------


def test_an_agent_finds_the_member_and_reports_an_incident(world, covered, login):
    member, plan, _policy = covered
    client = login(world.agent)
    found = client.get("/claims/report/", {"q": "王建"}, HTTP_HX_REQUEST="true")
    assert found.status_code == 200 and member.name in _text(found)
    assert "<html" not in _text(found)  # the htmx partial only
    page = client.get("/claims/report/", {"member": member.pk})
    body = _text(page)
    assert page.status_code == 200 and 'data-testid="report-form"' in body
    assert plan.display_name in body and "2026-03-16" in body  # the member's cover

    event = timezone.localdate() - dt.timedelta(days=2)
    response = client.post(
        "/claims/report/",
        {
            "member": member.pk,
            "plan": plan.pk,
            "event_kind": "illness",
            "cause": "",
            "event_date": event.isoformat(),
            "description": "确诊肺癌, 在市人民医院住院",
            "reporter_name": "王建国之妻",
            "reporter_phone": "13800000000",
        },
    )
    claim = Claim.objects.get(member=member)
    assert response.status_code == 302 and response["Location"] == f"/claims/{claim.pk}/"
    detail = _text(client.get(response["Location"]))
    assert claim.report.deadline.isoformat() in detail and 'data-testid="late-flag"' not in detail
    assert "王建国之妻" in detail and 'data-testid="application-form"' in detail


def test_a_late_report_is_saved_and_flagged(world, covered, login):
    member, plan, _policy = covered
    client = login(world.agent)
    response = client.post(
        "/claims/report/",
        {
            "member": member.pk,
            "plan": plan.pk,
            "event_kind": "illness",
            "event_date": "2026-08-01",
            "description": "确诊肺癌",
        },
        follow=True,
    )
    body = _text(response)
    report = Claim.objects.get(member=member).report
    assert report.late and report.status == ReportStatus.LATE
    assert 'data-testid="late-flag"' in body and 'data-testid="late-notice"' in body
    assert 'data-testid="late-form"' not in body  # the agent cannot decide on it


def test_the_report_form_shows_the_services_messages_on_its_fields(world, covered, login):
    member, plan, _policy = covered
    client = login(world.agent)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(
        "/claims/report/",
        {
            "member": member.pk,
            "plan": plan.pk,
            "event_kind": "",
            "event_date": tomorrow,
            "description": "",
        },
    )
    body = _text(response)
    assert response.status_code == 400
    assert "errorlist" in _field_errors(body, "event_kind")
    assert "errorlist" in _field_errors(body, "description")
    assert "errorlist" in _field_errors(body, "event_date")
    assert not Claim.objects.filter(member=member).exists()


def test_a_member_without_cover_in_the_plan_cannot_be_reported(world, covered, login):
    _member, plan, _policy = covered
    stranger = factories.make_member(world.unit, name="李无保")
    body = _text(login(world.agent).get("/claims/report/", {"member": stranger.pk}))
    assert 'data-testid="report-form"' not in body and 'class="badge bad"' in body


def test_another_units_member_cannot_be_reported(world, covered, login):
    member, _plan, _policy = covered
    client = login(world.sibling_agent)
    assert client.get("/claims/report/", {"member": member.pk}).status_code == 404
    found = _text(client.get("/claims/report/", {"q": member.name}))
    assert 'data-testid="choose-member"' not in found and str(member.pk) not in found
    assert login(world.finance).get("/claims/report/").status_code == 403


def test_office_staff_report_on_behalf_of_a_member(world, covered, login):
    member, plan, _policy = covered
    client = login(world.reviewer)
    event = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(
        "/claims/report/",
        {
            "member": member.pk,
            "plan": plan.pk,
            "event_kind": "illness",
            "event_date": event.isoformat(),
            "description": "家属电话报案",
        },
    )
    assert response.status_code == 302
    assert Claim.objects.get(member=member).filed_by_id == world.reviewer.pk


# --- The application -----------------------------------------------------------------------------


def test_the_application_asks_for_the_facts_the_plan_needs(world, seed_plans, login):
    """职工综合: an accident hospital stay reads the self-paid cost; no disability grade,
    no condition."""
    member = factories.make_member(world.unit, name="韦住院")
    plan = seed_plans["gx_comprehensive"]
    factories.make_policy(member, plan, start=dt.date(2026, 1, 1))
    report = reports.report_create(
        actor=world.actor(world.agent),
        member=member,
        plan=plan,
        event_kind="hospital_stay",
        cause="accident",
        event_date=timezone.localdate() - dt.timedelta(days=1),
        description="摔伤住院",
    )
    body = _text(login(world.agent).get(f"/claims/{report.claim.pk}/"))
    assert 'name="self_paid"' in body
    assert 'name="disability_grade"' not in body and 'name="condition"' not in body


def test_the_condition_comes_from_the_versions_list(world, covered, login):
    member, plan, _policy = covered
    claim = _report(world, member, plan).claim
    body = _text(login(world.agent).get(f"/claims/{claim.pk}/"))
    assert 'name="condition"' in body and 'value="malignant_tumour"' in body
    assert 'name="self_paid"' not in body  # a fixed amount per share reads no facts


def test_the_application_shows_the_services_messages_on_its_fields(world, covered, login):
    member, plan, _policy = covered
    claim = _report(world, member, plan).claim
    client = login(world.agent)
    wrong_check_digit = CARD[:-1] + ("0" if CARD[-1] != "0" else "1")
    response = client.post(
        f"/claims/{claim.pk}/application/",
        {
            "condition": "no_such_condition",
            "payee_name": "王建国",
            "payee_relation": "self",
            "bank_name": "工商银行",
            "bank_account": wrong_check_digit,
        },
    )
    body = _text(response)
    assert response.status_code == 400
    assert "errorlist" in _field_errors(body, "bank_account")
    assert "errorlist" in _field_errors(body, "condition")
    saved = client.post(
        f"/claims/{claim.pk}/application/",
        {
            "condition": "malignant_tumour",
            "payee_name": "王建国",
            "payee_relation": "self",
            "bank_name": "工商银行",
            "bank_account": _card(),
        },
    )
    assert saved.status_code == 302
    claim.refresh_from_db()
    assert claim.condition == "malignant_tumour" and claim.bank_account == _card()


def test_documents_are_checked_by_content_and_read_through_the_claim(world, covered, login):
    member, plan, _policy = covered
    claim = _report(world, member, plan).claim
    client = login(world.agent)
    renamed = SimpleUploadedFile(
        "诊断证明.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    refused = client.post(f"/claims/{claim.pk}/documents/", {"kind": "diagnosis", "file": renamed})
    assert refused.status_code == 400 and "errorlist" in _field_errors(_text(refused), "file")
    no_kind = client.post(
        f"/claims/{claim.pk}/documents/",
        {"kind": "", "file": SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")},
    )
    assert no_kind.status_code == 400 and "errorlist" in _field_errors(_text(no_kind), "kind")
    ok = client.post(
        f"/claims/{claim.pk}/documents/",
        {
            "kind": "diagnosis",
            "file": SimpleUploadedFile("诊断证明.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert ok.status_code == 302
    document = claim.documents.get()
    body = _text(client.get(f"/claims/{claim.pk}/"))
    url = f"/claims/{claim.pk}/documents/{document.pk}/"
    assert url in body and "/media/" not in body
    download = client.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    # Through another claim's URL the document does not exist.
    other = _report(world, member, plan).claim
    assert client.get(f"/claims/{other.pk}/documents/{document.pk}/").status_code == 404


def test_submitting_an_incomplete_application_marks_what_is_missing(world, covered, login):
    member, plan, _policy = covered
    claim = _report(world, member, plan).claim
    client = login(world.agent)
    response = client.post(f"/claims/{claim.pk}/submit/")
    body = _text(response)
    assert response.status_code == 400
    assert "errorlist" in _field_errors(body, "bank_account")
    assert "errorlist" in _field_errors(body, "file")
    assert 'data-testid="submit-errors"' in body
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DRAFT


def test_a_submitted_claim_shows_its_assessment_and_explanation(world, covered, login):
    member, plan, _policy = covered
    claim = _applied(world, member, plan)
    client = login(world.agent)
    response = client.post(f"/claims/{claim.pk}/submit/", follow=True)
    body = _text(response)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    assert 'data-testid="assessment-total"' in body and "¥45000.00" in body
    for line in claim.assessment["explanation"]:
        assert line in body
    assert 'data-testid="application-form"' not in body  # with the reviewer now
    assert 'data-testid="decision-form"' not in body  # an agent does not review


# --- Review --------------------------------------------------------------------------------------


def test_the_filer_sees_no_approve_button_and_the_service_refuses_anyway(world, covered, login):
    member, plan, _policy = covered
    claim = _submitted(world, member, plan, actor=world.actor(world.reviewer))
    client = login(world.reviewer)
    body = _text(client.get(f"/claims/{claim.pk}/"))
    assert 'data-testid="decision-form"' in body and 'data-testid="approve"' not in body
    assert 'data-testid="no-approve"' in body
    forced = client.post(
        f"/claims/{claim.pk}/decide/", {"action": "approve", "amount": "", "reason": ""}
    )
    assert forced.status_code == 400 and 'data-testid="form-errors"' in _text(forced)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED


def test_four_eyes_through_the_page(world, covered, login):
    member, plan, _policy = covered
    claim = _submitted(world, member, plan)
    first = login(world.reviewer)
    assert 'data-testid="approve"' in _text(first.get(f"/claims/{claim.pk}/"))
    response = first.post(
        f"/claims/{claim.pk}/decide/", {"action": "approve", "amount": "45000.00"}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SECOND_APPROVAL
    again = _text(first.get(f"/claims/{claim.pk}/"))
    assert 'data-testid="approve"' not in again and 'data-testid="first-approval"' in again
    second = login(world.reviewer2)
    assert 'data-testid="approve"' in _text(second.get(f"/claims/{claim.pk}/"))
    second.post(f"/claims/{claim.pk}/decide/", {"action": "approve"})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED and claim.approved_amount == Decimal("45000.00")
    assert claim.payout_due is not None


def test_an_adjusted_amount_needs_a_reason_on_the_reason_field(world, covered, login):
    member, plan, _policy = covered
    claim = _submitted(world, member, plan)
    client = login(world.reviewer)
    response = client.post(
        f"/claims/{claim.pk}/decide/", {"action": "approve", "amount": "30000.00", "reason": ""}
    )
    assert response.status_code == 400
    assert "errorlist" in _field_errors(_text(response), "reason")
    bad_amount = client.post(
        f"/claims/{claim.pk}/decide/", {"action": "approve", "amount": "三万", "reason": "x"}
    )
    assert "errorlist" in _field_errors(_text(bad_amount), "amount")


def test_asking_for_documents_sends_the_claim_back_to_the_agent(world, covered, login):
    member, plan, _policy = covered
    claim = _submitted(world, member, plan)
    reviewer = login(world.reviewer)
    missing = reviewer.post(f"/claims/{claim.pk}/decide/", {"action": "request_documents"})
    assert missing.status_code == 400 and "errorlist" in _field_errors(_text(missing), "reason")
    reviewer.post(
        f"/claims/{claim.pk}/decide/",
        {"action": "request_documents", "reason": "请补充出院小结和医疗费票据"},
    )
    body = _text(login(world.agent).get(f"/claims/{claim.pk}/"))
    assert "请补充出院小结和医疗费票据" in body and 'data-testid="application-form"' in body
    assert 'data-testid="document-form"' in body


def test_exclusions_and_a_new_assessment(world, covered, login):
    member, plan, _policy = covered
    claim = _submitted(world, member, plan)
    client = login(world.reviewer)
    code = next(iter(terms_of(claim.policy.plan_version).exclusions))
    response = client.post(f"/claims/{claim.pk}/reassess/", {"exclusions": [code]}, follow=True)
    claim.refresh_from_db()
    assert claim.exclusions == [code] and claim.assessed_amount == Decimal("0.00")
    assert "属于除外责任" in _text(response)  # the engine's reason, in Chinese
    unknown = client.post(f"/claims/{claim.pk}/reassess/", {"exclusions": ["made_up"]})
    assert unknown.status_code == 400


def test_a_reviewer_accepts_a_late_report_only_with_a_reason(world, covered, login):
    member, plan, _policy = covered
    report = _report(world, member, plan, days_ago=60)
    assert report.late
    client = login(world.reviewer)
    body = _text(client.get(f"/claims/{report.claim.pk}/"))
    assert 'data-testid="late-form"' in body
    missing = client.post(f"/claims/{report.claim.pk}/late-report/", {"decision": "accept"})
    assert missing.status_code == 400 and "errorlist" in _field_errors(_text(missing), "reason")
    client.post(
        f"/claims/{report.claim.pk}/late-report/",
        {"decision": "accept", "reason": "会员住院抢救, 家属无法及时报案"},
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED and report.late_reason


def test_a_cadre_reads_the_subtrees_claims_without_review_actions(world, covered, login):
    member, plan, _policy = covered
    claim = _submitted(world, member, plan)
    client = login(world.county_cadre)
    assert claim.number in _text(client.get("/claims/"))
    body = _text(client.get(f"/claims/{claim.pk}/"))
    assert 'data-testid="decision-form"' not in body and "¥45000.00" in body
    assert client.post(f"/claims/{claim.pk}/decide/", {"action": "approve"}).status_code == 403


# --- Payout batches ------------------------------------------------------------------------------


def _approved(world, member, plan):
    claim = _submitted(world, member, plan)
    claim = review.claim_decide(actor=world.actor(world.reviewer), claim=claim, action="approve")
    return review.claim_decide(actor=world.actor(world.reviewer2), claim=claim, action="approve")


def test_finance_builds_another_approves_and_downloads_the_bank_file(world, covered, login):
    member, plan, _policy = covered
    claim = _approved(world, member, plan)
    builder = login(world.finance)
    listing = _text(builder.get("/claims/batches/"))
    assert 'data-testid="batch-build"' in listing and "¥45000.00" in listing
    built = builder.post("/claims/batches/build/")
    batch = PayoutBatch.objects.get()
    assert built.status_code == 302 and built["Location"] == f"/claims/batches/{batch.pk}/"
    page = _text(builder.get(built["Location"]))
    assert claim.number in page and 'data-testid="batch-approve"' not in page
    assert 'data-testid="builder-note"' in page
    builder.post(f"/claims/batches/{batch.pk}/approve/")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.BUILT  # the builder cannot approve
    assert builder.post("/claims/batches/build/").status_code == 302  # nothing left: a message

    approver = login(world.finance2)
    approver.post(f"/claims/batches/{batch.pk}/approve/")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPROVED and batch.approved_by_id == world.finance2.pk
    xlsx = approver.get(f"/claims/batches/{batch.pk}/bank-file.xlsx")
    assert xlsx.status_code == 200 and b"".join(xlsx.streaming_content)[:2] == b"PK"
    assert "attachment" in xlsx["Content-Disposition"]
    csv = approver.get(f"/claims/batches/{batch.pk}/bank-file.csv")
    text = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert claim.number in text and "45000.00" in text
    notices = approver.get(f"/claims/batches/{batch.pk}/notices.pdf")
    assert notices.status_code == 200 and notices.content.startswith(b"%PDF")


def test_lines_fail_with_a_reason_and_the_rest_are_marked_paid(world, covered, seed_plans, login):
    member, plan, _policy = covered
    first = _approved(world, member, plan)
    other = factories.make_member(world.unit, name="黄秀兰")
    factories.make_policy(other, plan, shares=1, start=dt.date(2026, 1, 1))
    second = _approved(world, other, plan)
    batch = payouts.batch_build(actor=world.actor(world.finance), tenant_id=world.tenant.pk)
    payouts.batch_approve(actor=world.actor(world.finance2), batch=batch)
    client = login(world.finance2)
    line = batch.lines.get(claim=second)
    missing = client.post(f"/claims/batches/{batch.pk}/lines/{line.pk}/failed/", {"reason": ""})
    assert missing.status_code == 400 and "errorlist" in _field_errors(_text(missing), "reason")
    client.post(f"/claims/batches/{batch.pk}/lines/{line.pk}/failed/", {"reason": "户名不符"})
    second.refresh_from_db()
    assert second.status == ClaimStatus.APPROVED  # back in the queue for the next batch
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    refused = client.post(f"/claims/batches/{batch.pk}/paid/", {"paid_on": future, "which": "all"})
    assert refused.status_code == 400 and "errorlist" in _field_errors(_text(refused), "paid_on")
    today = timezone.localdate().isoformat()
    client.post(f"/claims/batches/{batch.pk}/paid/", {"paid_on": today, "which": "all"})
    first.refresh_from_db()
    batch.refresh_from_db()
    assert first.status == ClaimStatus.PAID and batch.status == BatchStatus.CLOSED
    page = _text(client.get(f"/claims/batches/{batch.pk}/"))
    assert "户名不符" in page and 'data-testid="paid-form"' not in page
    # The corrected account goes with the next batch.
    corrected = client.post(
        f"/claims/{second.pk}/payee/", {"bank_name": "农业银行", "bank_account": _card("622848001")}
    )
    assert corrected.status_code == 302


def test_only_the_ticked_lines_are_marked_paid(world, covered, login):
    member, plan, _policy = covered
    claims = []
    for name in ("甲", "乙"):
        person = factories.make_member(world.unit, name=f"周{name}")
        factories.make_policy(person, plan, shares=1, start=dt.date(2026, 1, 1))
        claims.append(_approved(world, person, plan))
    batch = payouts.batch_build(actor=world.actor(world.finance), tenant_id=world.tenant.pk)
    payouts.batch_approve(actor=world.actor(world.finance2), batch=batch)
    client = login(world.finance2)
    today = timezone.localdate().isoformat()
    none = client.post(f"/claims/batches/{batch.pk}/paid/", {"paid_on": today, "which": "selected"})
    assert none.status_code == 400
    line = batch.lines.get(claim=claims[0])
    client.post(
        f"/claims/batches/{batch.pk}/paid/",
        {"paid_on": today, "which": "selected", "line": [line.pk]},
    )
    statuses = dict(Claim.objects.filter(pk__in=[c.pk for c in claims]).values_list("pk", "status"))
    assert statuses == {claims[0].pk: "paid", claims[1].pk: "in_batch"}


def test_a_big_batchs_bank_file_is_built_by_a_job(
    world, covered, login, monkeypatch, django_capture_on_commit_callbacks
):
    from claims.views import batches
    from mutualaid.jobs import tasks

    member, plan, _policy = covered
    _approved(world, member, plan)
    batch = payouts.batch_build(actor=world.actor(world.finance), tenant_id=world.tenant.pk)
    monkeypatch.setattr(batches, "BANK_FILE_DIRECT_LIMIT", 0)
    client = login(world.finance)
    url = f"/claims/batches/{batch.pk}/bank-file.xlsx"
    # Not approved yet: no bank file, the page says why (the same rule as the API).
    refused = client.get(url, follow=True)
    assert "The batch must be approved before its bank file is sent." in _text(refused) or (
        "给付批次审批通过后才能导出银行转账文件。" in _text(refused)
    )
    payouts.batch_approve(actor=world.actor(world.finance2), batch=batch)
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="batch-file-build"' in _text(page)
    sent = []
    # The outbox publishes with apply_async (after the commit): catch the job id there.
    monkeypatch.setattr(tasks.run_job, "apply_async", lambda args, **_: sent.append(args[0]))
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(url)
    assert 'data-testid="job"' in _text(started) and len(sent) == 1
    assert tasks.run_job(sent[0]) == "succeeded"
    job = Job.objects.get(pk=sent[0])
    assert job.organisation_id == world.office.pk and job.result_name.endswith(".xlsx")
    done = client.get(f"/jobs/{job.pk}/download/")
    assert done.status_code == 200


def test_batches_are_for_office_finance(world, login):
    assert login(world.agent).get("/claims/batches/").status_code == 403
    assert login(world.auditor).get("/claims/batches/").status_code == 200
    auditor = login(world.auditor)
    assert 'data-testid="batch-build"' not in _text(auditor.get("/claims/batches/"))
    assert auditor.post("/claims/batches/build/").status_code == 403


def test_the_payout_notice_of_an_approved_claim(world, covered, login):
    member, plan, _policy = covered
    claim = _approved(world, member, plan)
    client = login(world.agent)
    assert 'data-testid="notice-download"' in _text(client.get(f"/claims/{claim.pk}/"))
    response = client.get(f"/claims/{claim.pk}/notice/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    draft = _report(world, member, plan).claim
    assert client.get(f"/claims/{draft.pk}/notice/").status_code == 404


# --- Admin ---------------------------------------------------------------------------------------


def test_the_admin_lists_claims_read_only_within_the_subtree(world, covered, client):
    from mutualaid.tenancy.models import User

    member, plan, _policy = covered
    claim = _submitted(world, member, plan)
    User.objects.filter(pk=world.county_cadre.pk).update(is_staff=True, is_superuser=True)
    client.force_login(User.objects.get(pk=world.county_cadre.pk))
    listing = client.get("/admin/claims/claim/")
    assert listing.status_code == 200 and claim.number in _text(listing)
    change = client.get(f"/admin/claims/claim/{claim.pk}/change/")
    assert change.status_code == 200 and 'name="_save"' not in _text(change)
    assert client.get("/admin/claims/claim/add/").status_code == 403
