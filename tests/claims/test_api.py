"""The claims API (SPEC §8, §10, §12): a claim from report to payment through the endpoints
only; the services' messages under the same field names as on the pages; the same roles
and scoping (404 for a sibling unit or another tenant); keyset lists with a pinned
number of queries; bank files and notices downloaded."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from drf_spectacular.validation import validate_schema

from claims.models import Claim, ClaimStatus, PayoutLine
from claims.services import applications, payouts, reports, steps
from mutualaid.audit.models import AuditEvent
from mutualaid.core.errors import DomainError
from tests import factories
from tests.claims.payout_support import CARD, PDF, approved_claims, pdf_upload
from tests.premiums.pdfcheck import text_of

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 25)
REPORTS = "/api/v1/incident-reports/"
CLAIMS = "/api/v1/claims/"
BATCHES = "/api/v1/payout-batches/"


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr(steps, "today", lambda: TODAY)


@pytest.fixture
def api(db):
    """``api(user)``: a client of its own logged in as ``user`` (personas side by side)."""

    def _api(user):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _api


def message_of(call) -> dict:
    """The service's own message_dict for a call that must fail (in English, as the API)."""
    with translation.override("en"), pytest.raises(DomainError) as failure:
        call()
    return failure.value.message_dict


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def patch(client, url, body):
    return client.patch(url, body, content_type="application/json")


def report_by_api(client, member, plan, **extra):
    body = {
        "member": str(member.pk),
        "plan": str(plan.pk),
        "event_kind": "illness",
        "event_date": "2026-11-20",
        "description": "确诊肺癌",
        **extra,
    }
    return post(client, REPORTS, body)


def apply_by_api(client, claim_id):
    """Condition, payee's bank and card, one diagnosis PDF: the application is complete."""
    url = f"{CLAIMS}{claim_id}/"
    body = {
        "condition": "malignant_tumour",
        "bank_name": "中国工商银行梧州分行",
        "bank_account": CARD,
    }
    updated = patch(client, url, body)
    assert updated.status_code == 200, updated.json()
    uploaded = client.post(f"{url}documents/", {"kind": "diagnosis", "file": pdf_upload()})
    assert uploaded.status_code == 201, uploaded.json()
    return uploaded.json()


# --- The whole journey ----------------------------------------------------------------------


def test_report_apply_review_batch_pay_through_the_api(world, covered, api, tmp_path):
    member, plan, _policy = covered
    agent = api(world.agent)

    created = report_by_api(agent, member, plan, reporter_name="王建国之妻")
    assert created.status_code == 201, created.json()
    report = created.json()
    assert (report["late"], report["status"], report["deadline"]) == (
        False,
        "accepted",
        "2026-11-30",
    )
    claim_id = report["claim"]
    document = apply_by_api(agent, claim_id)
    assert document["content_type"] == "application/pdf" and document["kind"] == "diagnosis"
    listed = agent.get(f"{CLAIMS}{claim_id}/documents/").json()
    assert [d["id"] for d in listed] == [document["id"]]
    file = agent.get(f"{CLAIMS}{claim_id}/documents/{document['id']}/file/")
    assert file.status_code == 200 and b"".join(file.streaming_content) == PDF

    assert agent.get(f"{CLAIMS}{claim_id}/submit/").json()["allowed"] == ["submit"]
    submitted = post(agent, f"{CLAIMS}{claim_id}/submit/")
    assert submitted.status_code == 200, submitted.json()
    assert (submitted.json()["status"], submitted.json()["assessed_amount"]) == (
        "submitted",
        "45000.00",
    )

    # The reviewer reads the engine's explanation and the decisions so far.
    reviewer = api(world.reviewer)
    detail = reviewer.get(f"{CLAIMS}{claim_id}/").json()
    assert detail["assessment"]["total"] == "45000.00"
    assert detail["assessment"]["explanation"]
    assert [d["action"] for d in detail["decisions"]] == ["submit"]
    assert detail["needs_four_eyes"] is True
    assert "approve" in detail["allowed"]
    queue = reviewer.get(CLAIMS).json()["results"]  # a reviewer opens on the review queue
    assert [c["number"] for c in queue] == [detail["number"]]
    assert queue[0]["due"]["sla"] in ("ok", "warn", "bad")

    first = post(reviewer, f"{CLAIMS}{claim_id}/decide/", {"action": "approve"})
    assert first.status_code == 200 and first.json()["status"] == "second"
    # The first approver cannot give the second approval too (four-eyes).
    again = post(reviewer, f"{CLAIMS}{claim_id}/decide/", {"action": "approve"})
    assert again.status_code == 400
    assert again.json()["non_field_errors"] == [
        "You gave the first approval: a second reviewer must confirm it."
    ]
    second = post(api(world.reviewer2), f"{CLAIMS}{claim_id}/decide/", {"action": "approve"})
    assert second.status_code == 200
    assert (second.json()["status"], second.json()["approved_amount"]) == ("approved", "45000.00")
    assert "notice" in second.json()["allowed"]

    finance, finance2 = api(world.finance), api(world.finance2)
    built = post(finance, BATCHES)
    assert built.status_code == 201, built.json()
    batch = built.json()
    assert (batch["line_count"], batch["total"], batch["status"]) == (1, "45000.00", "built")
    assert batch["summary"]["pending"] == 1
    batch_url = f"{BATCHES}{batch['id']}/"
    # Nothing left to gather: the message, and no empty batch.
    empty = post(finance, BATCHES)
    assert empty.status_code == 400 and "non_field_errors" in empty.json()
    # The builder does not approve; the bank file waits for the approval.
    assert finance.get(f"{batch_url}approve/").json()["allowed"] == []
    refused = post(finance, f"{batch_url}approve/")
    assert refused.status_code == 400
    assert finance.get(f"{batch_url}bank-file/xlsx/").status_code == 400
    approved = post(finance2, f"{batch_url}approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert post(finance2, f"{batch_url}approve/").json()["status"] == "approved"  # double click

    xlsx = finance2.get(f"{batch_url}bank-file/xlsx/")
    assert xlsx.status_code == 200
    assert "attachment" in xlsx["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    row = [c.value for c in list(sheet.iter_rows())[2]]
    assert row[1:5] == ["王建国", CARD, "中国工商银行梧州分行", 45000]
    csv_response = finance2.get(f"{batch_url}bank-file/csv/")
    raw = b"".join(csv_response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[1][1:6] == ["王建国", CARD, "中国工商银行梧州分行", "45000.00", detail["number"]]
    notices = finance2.get(f"{batch_url}notices/")
    assert notices.status_code == 200 and notices["Content-Type"] == "application/pdf"
    text = "".join(text_of(b"".join(notices.streaming_content)).split())
    assert "王建国" in text and "人民币肆万伍仟元整" in text

    paid = post(finance2, f"{batch_url}mark-paid/", {"paid_on": "2026-11-24"})
    assert paid.status_code == 200, paid.json()
    assert (paid.json()["paid"], paid.json()["batch"]["status"]) == (1, "closed")
    retry = post(finance2, f"{batch_url}mark-paid/", {"paid_on": "2026-11-24"})
    assert (retry.status_code, retry.json()["paid"]) == (200, 0)  # a retry pays nothing
    claim = agent.get(f"{CLAIMS}{claim_id}/").json()
    assert (claim["status"], claim["paid_amount"], claim["paid_on"]) == (
        "paid",
        "45000.00",
        "2026-11-24",
    )
    assert [line["status"] for line in claim["payout_lines"]] == ["paid"]
    assert PayoutLine.objects.filter(claim_id=claim_id, status="paid").count() == 1
    notice = agent.get(f"{CLAIMS}{claim_id}/notice/")
    assert notice.status_code == 200


# --- One validation path: the services' messages, field by field ----------------------------------


def test_report_errors_are_the_services_messages(world, covered, api):
    member, plan, _ = covered
    response = report_by_api(
        api(world.agent), member, plan, event_date="2026-12-01", event_kind="flood", description=""
    )
    assert response.status_code == 400
    expected = message_of(
        lambda: reports.report_create(
            actor=world.actor(world.agent),
            member=member,
            plan=plan,
            event_kind="flood",
            event_date="2026-12-01",
            description="",
            reported_on=TODAY,
        )
    )
    assert response.json() == expected
    assert set(expected) == {"event_kind", "event_date", "description"}


def test_update_errors_are_the_services_messages(world, covered, api):
    member, plan, _ = covered
    client = api(world.agent)
    claim_id = report_by_api(client, member, plan).json()["claim"]
    body = {"bank_account": CARD[:-1] + "0", "self_paid": "12.345", "payee_relation": "cousin"}
    response = patch(client, f"{CLAIMS}{claim_id}/", body)
    assert response.status_code == 400
    claim = Claim.objects.get(pk=claim_id)
    expected = message_of(
        lambda: applications.claim_update(actor=world.actor(world.agent), claim=claim, data=body)
    )
    assert response.json() == expected
    assert set(expected) == {"bank_account", "self_paid", "payee_relation"}
    # Numbers in JSON are raw values too: the service reads them.
    ok = patch(client, f"{CLAIMS}{claim_id}/", {"self_paid": 1234.5, "hospital_days": 3})
    assert ok.status_code == 200
    assert ok.json()["facts"] == {"self_paid": "1234.50", "hospital_days": "3"}


def test_a_file_that_is_not_pdf_jpeg_or_png_is_refused_whatever_its_name(world, covered, api):
    member, plan, _ = covered
    client = api(world.agent)
    claim_id = report_by_api(client, member, plan).json()["claim"]
    fake = pdf_upload("诊断证明.pdf", b"MZ\x90\x00 this is a program")
    response = client.post(f"{CLAIMS}{claim_id}/documents/", {"kind": "diagnosis", "file": fake})
    assert response.status_code == 400
    assert response.json() == {
        "file": ["Only PDF, JPEG or PNG files are accepted; this file is none of them."]
    }
    missing = client.post(f"{CLAIMS}{claim_id}/documents/", {"kind": "x-ray"})
    assert missing.status_code == 400 and set(missing.json()) == {"kind"}
    # Submitting without a document: the submit step's own message.
    patch(client, f"{CLAIMS}{claim_id}/", {"bank_name": "工行", "bank_account": CARD})
    refused = post(client, f"{CLAIMS}{claim_id}/submit/")
    assert refused.status_code == 400 and set(refused.json()) == {"file"}


def test_rejecting_needs_a_reason(world, covered, api):
    member, plan, _ = covered
    agent = api(world.agent)
    claim_id = report_by_api(agent, member, plan).json()["claim"]
    apply_by_api(agent, claim_id)
    post(agent, f"{CLAIMS}{claim_id}/submit/")
    reviewer = api(world.reviewer)
    response = post(reviewer, f"{CLAIMS}{claim_id}/decide/", {"action": "reject"})
    assert response.status_code == 400
    assert response.json() == {
        "reason": ["Write the reason: the agent and the member will read it."]
    }
    unknown = post(reviewer, f"{CLAIMS}{claim_id}/decide/", {"action": "pay_twice"})
    assert unknown.status_code == 400 and set(unknown.json()) == {"action"}
    done = post(
        reviewer, f"{CLAIMS}{claim_id}/decide/", {"action": "reject", "reason": "不属于保障范围"}
    )
    assert done.status_code == 200 and done.json()["status"] == "rejected"
    assert done.json()["decision_reason"] == "不属于保障范围"


# --- Roles: the pages' rules --------------------------------------------------------------------


def test_the_filer_never_approves_and_agents_do_not_decide(world, covered, api):
    member, plan, _ = covered
    reviewer = api(world.reviewer)  # office staff report on behalf of a member too
    claim_id = report_by_api(reviewer, member, plan).json()["claim"]
    apply_by_api(reviewer, claim_id)
    assert post(reviewer, f"{CLAIMS}{claim_id}/submit/").status_code == 200
    own = post(reviewer, f"{CLAIMS}{claim_id}/decide/", {"action": "approve"})
    assert own.status_code == 400
    assert own.json() == {
        "non_field_errors": ["You filed this claim, so someone else must approve it."]
    }
    assert "approve" not in reviewer.get(f"{CLAIMS}{claim_id}/decide/").json()["allowed"]
    agent = api(world.agent)
    assert post(agent, f"{CLAIMS}{claim_id}/decide/", {"action": "approve"}).status_code == 403
    assert post(api(world.agent), BATCHES).status_code == 403
    assert post(api(world.reviewer2), BATCHES).status_code == 403
    # Bank files and notices name payees and accounts: finance and the office admin only.
    batch = factories.make_claim(
        factories.make_member(world.unit), plan, status="approved", amount="300.00"
    )
    built = payouts.batch_build(actor=None, tenant_id=world.tenant.pk, claim_ids=[batch.pk])
    for user in (world.reviewer2, world.auditor):
        client = api(user)
        assert client.get(f"{BATCHES}{built.pk}/").status_code == 200
        assert client.get(f"{BATCHES}{built.pk}/bank-file/csv/").status_code == 403
        assert client.get(f"{BATCHES}{built.pk}/notices/").status_code == 403
    assert Claim.objects.get(pk=claim_id).status == ClaimStatus.SUBMITTED


def test_a_late_report_is_accepted_only_with_a_reason(world, covered, api):
    member, plan, _ = covered
    report = reports.report_create(
        actor=world.actor(world.agent),
        member=member,
        plan=plan,
        event_kind="illness",
        event_date="2026-08-01",
        description="确诊肺癌",
        reported_on=dt.date(2026, 9, 1),
    )
    assert report.late
    url = f"{REPORTS}{report.pk}/"
    agent, reviewer = api(world.agent), api(world.reviewer)
    late = reviewer.get(f"{REPORTS}?status=late").json()["results"]
    assert [r["number"] for r in late] == [report.number]
    assert post(agent, f"{url}accept-late/", {"reason": "住院期间无法报案"}).status_code == 403
    assert reviewer.get(f"{url}accept-late/").json()["allowed"] == ["accept_late"]
    blank = post(reviewer, f"{url}accept-late/", {"reason": ""})
    assert blank.status_code == 400 and blank.json() == {"reason": ["This field is required."]}
    blocked = post(agent, f"{CLAIMS}{report.claim.pk}/submit/")
    assert blocked.status_code == 400 and "non_field_errors" in blocked.json()
    accepted = post(reviewer, f"{url}accept-late/", {"reason": "住院期间无法报案"})
    assert accepted.status_code == 200
    assert (accepted.json()["status"], accepted.json()["late_reason"]) == (
        "accepted",
        "住院期间无法报案",
    )
    assert post(reviewer, f"{url}refuse-late/", {"reason": "x"}).status_code == 400


def test_a_failed_line_sends_the_claim_back_to_the_queue(world, seed_plans, api):
    approved_claims(world, seed_plans["gx_designated_disease"], ["500.00", "700.00"])
    finance, finance2 = api(world.finance), api(world.finance2)
    batch = post(finance, BATCHES).json()
    url = f"{BATCHES}{batch['id']}/"
    post(finance2, f"{url}approve/")
    lines = finance.get(f"{url}lines/").json()["results"]
    assert sorted(line["amount"] for line in lines) == ["500.00", "700.00"]
    assert [line["id"] for line in lines] == sorted(line["id"] for line in lines)  # line order
    lines.sort(key=lambda line: line["amount"])  # fail the 500.00 one
    failed = post(finance2, f"{url}lines/{lines[0]['id']}/mark-failed/", {"reason": ""})
    assert failed.status_code == 400 and set(failed.json()) == {"reason"}
    failed = post(finance2, f"{url}lines/{lines[0]['id']}/mark-failed/", {"reason": "户名不符"})
    assert failed.status_code == 200
    assert (failed.json()["status"], failed.json()["failure_reason"]) == ("failed", "户名不符")
    claim = Claim.objects.get(pk=lines[0]["claim"])
    assert claim.status == ClaimStatus.APPROVED  # back in the queue for the next batch
    again = post(finance2, f"{url}lines/{lines[0]['id']}/mark-failed/", {"reason": "户名不符"})
    assert again.status_code == 400  # only a pending line fails
    paid = post(finance2, f"{url}mark-paid/", {"paid_on": "2026-11-24"}).json()
    assert paid["paid"] == 1
    assert paid["batch"]["status"] == "closed"
    assert paid["batch"]["summary"] == {
        "pending": 0,
        "paid": 1,
        "failed": 1,
        "paid_total": "700.00",
    }
    # The bank file of the closed batch has nothing left to pay.
    body = b"".join(finance.get(f"{url}bank-file/csv/").streaming_content).decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(body)))) == 1
    retry = post(finance2, f"{url}mark-paid/", {"paid_on": "2026-11-24"})
    assert (retry.status_code, retry.json()["paid"]) == (200, 0)
    # The failed claim goes into the next batch.
    rebuilt = post(finance, BATCHES).json()
    assert (rebuilt["line_count"], rebuilt["total"]) == (1, "500.00")


def test_paying_with_a_date_in_the_future_is_refused(world, seed_plans, api):
    approved_claims(world, seed_plans["gx_designated_disease"], ["500.00"])
    batch = post(api(world.finance), BATCHES).json()
    url = f"{BATCHES}{batch['id']}/"
    post(api(world.finance2), f"{url}approve/")
    response = post(api(world.finance2), f"{url}mark-paid/", {"paid_on": "2026-12-01"})
    assert response.status_code == 400
    assert response.json() == {"paid_on": ["The payment date cannot be in the future."]}


# --- Scoping ---------------------------------------------------------------------------------


def test_sibling_units_and_other_tenants_get_404(world, covered, api):
    member, plan, _ = covered
    claim_id = report_by_api(api(world.agent), member, plan).json()["claim"]
    for user in (world.sibling_agent, world.other_tenant_admin):
        client = api(user)
        assert client.get(f"{CLAIMS}{claim_id}/").status_code == 404
        assert post(client, f"{CLAIMS}{claim_id}/submit/").status_code in (403, 404)
        assert client.get(CLAIMS + "?status=all").json()["results"] == []
        assert client.get(REPORTS).json()["results"] == []
    # A member of the sibling unit cannot be reported by A1's agent (not found, not "forbidden").
    stranger = factories.make_member(world.sibling_unit)
    assert report_by_api(api(world.agent), stranger, plan).status_code == 404
    # The county above sees it; the office's batches are out of a unit's reach.
    assert api(world.county_cadre).get(f"{CLAIMS}{claim_id}/").status_code == 200


# --- Lists: keyset pages, filters, a constant number of queries ---------------------------------


def test_claim_list_pages_by_keyset_with_a_constant_number_of_queries(world, seed_plans, api):
    plan = seed_plans["gx_designated_disease"]
    approved_claims(world, plan, ["100.00"] * 7, names=[f"黄{i}号" for i in range(7)])
    client = api(world.office_admin)
    seen, url = [], f"{CLAIMS}?status=all&page_size=3"
    counts = []
    while url:
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).json()
        counts.append(len(queries))
        seen += [c["number"] for c in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == 7
    # Per request: 1 session, 2 user, 3 the tenant scope (role and tenant, one statement),
    # 4 staff membership with tenant and node (the actor), 5 the page (claims joined to
    # member, unit, plan and report; one row more than the page tells whether there is a
    # next one), 6–7 the tenant's calendar days and years (the deadlines and SLA colours),
    # 8 the scope restored. Pages of 3 and the last page of 1 cost the same.
    assert counts == [8, 8, 8], counts
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    found = client.get(f"{CLAIMS}?status=approved&q=黄3").json()["results"]
    assert [c["member_name"] for c in found] == ["黄3号"]


def test_report_and_batch_lists_page_too(world, seed_plans, api, django_assert_num_queries):
    plan = seed_plans["gx_designated_disease"]
    approved_claims(world, plan, ["100.00"] * 3)
    client = api(world.office_admin)
    # 1 session, 2 user, 3 the actor, 4 the page (reports joined to member, unit, plan, claim).
    with django_assert_num_queries(6):
        first = client.get(f"{REPORTS}?page_size=2").json()
    assert len(first["results"]) == 2 and first["next"]
    rest = client.get(first["next"]).json()
    assert len(rest["results"]) == 1 and rest["next"] is None
    post(api(world.finance), BATCHES)
    # 1 session, 2 user, 3 the actor, 4 the page (batches joined to builder and approver).
    with django_assert_num_queries(6):
        batches = client.get(BATCHES).json()["results"]
    assert len(batches) == 1 and batches[0]["line_count"] == 3
    # … 4 the batch, 5 the lines with claim, member and unit.
    with django_assert_num_queries(7):
        lines = client.get(f"{BATCHES}{batches[0]['id']}/lines/?page_size=2").json()
    assert len(lines["results"]) == 2 and lines["next"]


def test_claim_detail_costs_the_same_with_more_decisions_and_documents(
    world, covered, api, django_assert_num_queries
):
    member, plan, _ = covered
    agent = api(world.agent)
    claim_id = report_by_api(agent, member, plan).json()["claim"]
    url = f"{CLAIMS}{claim_id}/"
    # 1 session, 2 user, 3 the actor, 4 the claim with member, unit, plan, report, policy
    # and version, people; 5 decisions, 6 documents, 7 payout lines; 8–9 the calendar.
    with django_assert_num_queries(11):
        assert agent.get(url).status_code == 200
    apply_by_api(agent, claim_id)
    agent.post(f"{url}documents/", {"kind": "receipts", "file": pdf_upload("票据.pdf")})
    post(agent, f"{url}submit/")
    with django_assert_num_queries(11):
        detail = agent.get(url).json()
    assert len(detail["documents"]) == 2 and len(detail["decisions"]) == 1


def test_bad_filter_values_answer_like_the_services(world, api):
    response = api(world.reviewer).get(f"{CLAIMS}?submitted_from=yesterday")
    assert response.status_code == 400 and set(response.json()) == {"submitted_from"}


# --- Tokens and the schema ----------------------------------------------------------------------


def test_token_clients_read_the_queue(world, covered):
    member, plan, _ = covered
    token = factories.make_token(world.agent)
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE="en")
    created = report_by_api(client, member, plan)  # token writes need no CSRF token
    assert created.status_code == 201
    listed = client.get(CLAIMS).json()["results"]
    assert [c["id"] for c in listed] == [created.json()["claim"]]
    before = AuditEvent.objects.count()
    assert patch(client, f"{CLAIMS}{listed[0]['id']}/", {"hospital_days": "4"}).status_code == 200
    assert AuditEvent.objects.count() == before + 1  # the service audits API writes too


def test_schema_lists_the_claims_endpoints(client, world):
    client.force_login(world.agent, backend="django.contrib.auth.backends.ModelBackend")
    schema = client.get("/api/schema/", {"format": "json"}).json()
    validate_schema(schema)
    paths = set(schema["paths"])
    assert {
        "/api/v1/incident-reports/",
        "/api/v1/incident-reports/{report_id}/accept-late/",
        "/api/v1/claims/",
        "/api/v1/claims/{claim_id}/",
        "/api/v1/claims/{claim_id}/documents/",
        "/api/v1/claims/{claim_id}/decide/",
        "/api/v1/payout-batches/",
        "/api/v1/payout-batches/{batch_id}/mark-paid/",
        "/api/v1/payout-batches/{batch_id}/bank-file/xlsx/",
    } <= paths
    upload = schema["paths"]["/api/v1/claims/{claim_id}/documents/"]["post"]["requestBody"]
    assert "multipart/form-data" in upload["content"]
    ids = [
        op["operationId"]
        for ops in schema["paths"].values()
        for op in ops.values()
        if isinstance(op, dict) and "operationId" in op
    ]
    assert len(ids) == len(set(ids))


def test_amounts_are_decimal_strings(world, seed_plans, api):
    approved_claims(world, seed_plans["gx_designated_disease"], ["1234.50"])
    rows = api(world.office_admin).get(f"{CLAIMS}?status=approved").json()["results"]
    assert Decimal(rows[0]["approved_amount"]) == Decimal("1234.50")
