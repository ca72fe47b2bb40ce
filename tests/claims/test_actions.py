"""One action table (``claims.access``): the services, the page's buttons and the API's
``allowed`` agree, state by state and person by person.

Documents (SPEC §8.2): the unit uploads while it prepares the application (a draft, or
documents asked for); the office's reviewer adds papers that came by post until the
claim is closed — a paid, rejected or expired claim takes no more documents, whoever
asks and however (page, API, service).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from claims import access
from claims.models import ClaimStatus
from claims.services import applications, payouts, reports, review
from mutualaid.core.errors import DomainError
from tests import factories

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PERSONAS = ("agent", "county_cadre", "office_admin", "reviewer", "finance", "auditor")
UNIT_SIDE = {"agent", "county_cadre", "office_admin", "reviewer"}  # reporters (SPEC §8.1)

#: Who may upload a document to a claim in each state (as SPEC §8 reads; written out, not
#: read from the table under test).
MAY_UPLOAD = {
    ClaimStatus.DRAFT: UNIT_SIDE,
    ClaimStatus.DOCUMENTS_REQUESTED: UNIT_SIDE,
    ClaimStatus.SUBMITTED: {"reviewer"},
    ClaimStatus.INVESTIGATION: {"reviewer"},
    ClaimStatus.SECOND_APPROVAL: {"reviewer"},
    ClaimStatus.APPROVED: {"reviewer"},
    ClaimStatus.IN_BATCH: {"reviewer"},
    ClaimStatus.PAID: set(),
    ClaimStatus.REJECTED: set(),
    ClaimStatus.EXPIRED: set(),
}
#: Roles that never upload: refused as a person (403), not for the moment (400).
NEVER = {"finance", "auditor"}

#: The page's mark of each claim action (a form or a button).
PAGE_MARKS = {
    "update": 'data-testid="application-form"',
    "upload": 'data-testid="document-form"',
    "submit": 'data-testid="submit-form"',
    "reassess": 'data-testid="reassess-form"',
    "approve": 'data-testid="approve"',
    "request_documents": 'data-testid="request-documents"',
    "investigate": 'data-testid="investigate"',
    "reject": 'data-testid="reject"',
    "correct_payee": 'data-testid="payee-form"',
    "notice": 'data-testid="notice-download"',
}


def client_of(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def claim_in(world, covered, status: str):
    member, plan, policy = covered
    return factories.make_claim(
        member, plan, status=status, policy=policy, amount="300.00", filed_by=world.agent
    )


def outcome(call) -> str:
    try:
        call()
    except PermissionDenied:
        return "forbidden"
    except DomainError:
        return "refused"
    return "done"


@pytest.mark.parametrize("status", list(MAY_UPLOAD), ids=[str(s) for s in MAY_UPLOAD])
def test_page_api_and_service_agree_on_who_uploads_documents(world, covered, status):
    claim = claim_in(world, covered, status)
    documents = f"/api/v1/claims/{claim.pk}/documents/"
    seen, expected = {}, {}
    for persona in PERSONAS:
        user = getattr(world, persona)
        allowed = persona in MAY_UPLOAD[status]
        want = "done" if allowed else "forbidden" if persona in NEVER else "refused"
        expected[persona] = (want, want, want, allowed, allowed)
        client = client_of(user)

        service = outcome(
            lambda user=user: applications.document_add(
                actor=world.actor(user), claim=claim, kind="other", upload=upload("a.pdf")
            )
        )
        page = client.post(
            f"/claims/{claim.pk}/documents/", {"kind": "other", "file": upload("b.pdf")}
        )
        api = client.post(documents, {"kind": "other", "file": upload("c.pdf")})
        codes = {302: "done", 201: "done", 403: "forbidden", 400: "refused"}
        shown = PAGE_MARKS["upload"] in client.get(f"/claims/{claim.pk}/").content.decode()
        listed = "upload" in client.get(f"/api/v1/claims/{claim.pk}/").json()["allowed"]
        seen[persona] = (
            service,
            codes[page.status_code],
            codes[api.status_code],
            shown,
            listed,
        )
    assert seen == expected
    assert claim.documents.count() == 3 * len(MAY_UPLOAD[status])


@pytest.mark.parametrize("status", list(MAY_UPLOAD), ids=[str(s) for s in MAY_UPLOAD])
def test_the_claim_pages_buttons_and_the_api_list_the_tables_actions(world, covered, status):
    """Every action the page shows is the table's, and the API lists the same (it has no
    endpoint for exclusions and the payee's correction: those are the page's alone)."""
    claim = claim_in(world, covered, status)
    api_only = set(PAGE_MARKS) - {"reassess", "correct_payee"}
    for persona in (*PERSONAS, "reviewer2"):
        client = client_of(getattr(world, persona))
        allowed = access.allowed_actions(world.actor(getattr(world, persona)), claim)
        page = client.get(f"/claims/{claim.pk}/").content.decode()
        shown = {name for name, mark in PAGE_MARKS.items() if mark in page}
        listed = set(client.get(f"/api/v1/claims/{claim.pk}/").json()["allowed"])
        assert (persona, shown) == (persona, allowed), status
        assert (persona, listed) == (persona, allowed & api_only), status


def test_a_batchs_steps_on_the_page_and_in_the_api(world, covered):
    """Finance approves a batch someone else built; its lines are marked once it is
    approved; the bank file goes out only then."""
    member, plan, policy = covered
    claim = factories.make_claim(member, plan, status="approved", amount="300.00", policy=policy)
    batch = payouts.batch_build(actor=world.actor(world.finance), tenant_id=world.tenant.pk)
    marks = {
        "approve": 'data-testid="batch-approve"',
        "mark_paid": 'data-testid="paid-form"',
        "mark_failed": 'data-testid="line-failed-form"',
        "bank_file": 'data-testid="bank-xlsx"',
        "notices": 'data-testid="batch-notices"',
    }
    steps = {"approve": "approve", "mark_paid": "mark-paid"}
    files = {"bank_file", "notices"}
    # finance built the batch: finance2 approves it.
    expected = {
        "built": {
            "finance": {"notices"},
            "finance2": {"approve", "notices"},
            "office_admin": {"notices"},
            "auditor": set(),
        },
        "approved": {
            "finance": {"mark_paid", "mark_failed", *files},
            "finance2": {"mark_paid", "mark_failed", *files},
            "office_admin": files,
            "auditor": set(),
        },
    }
    for state, people in expected.items():
        batch.refresh_from_db()
        assert batch.status == state
        for persona, want in people.items():
            user = getattr(world, persona)
            client = client_of(user)
            page = client.get(f"/claims/batches/{batch.pk}/").content.decode()
            assert {name for name, mark in marks.items() if mark in page} == want, (state, persona)
            assert access.allowed_actions(world.actor(user), batch) == want, (state, persona)
            for name, path in steps.items():
                url = f"/api/v1/payout-batches/{batch.pk}/{path}/"
                assert (name in client.get(url).json()["allowed"]) is (name in want)
        if state == "built":
            payouts.batch_approve(actor=world.actor(world.finance2), batch=batch)
    assert claim.payout_lines.count() == 1


def test_a_claim_under_investigation_is_not_sent_there_again(world, covered):
    claim = claim_in(world, covered, ClaimStatus.INVESTIGATION)
    client = client_of(world.reviewer)
    assert PAGE_MARKS["investigate"] not in client.get(f"/claims/{claim.pk}/").content.decode()
    decide = f"/api/v1/claims/{claim.pk}/decide/"
    assert client.get(decide).json()["allowed"] == ["approve", "request_documents", "reject"]
    body = {"action": "investigate", "reason": "再查"}
    refused = client.post(decide, body, content_type="application/json")
    assert refused.json() == {"non_field_errors": ["This claim is not waiting for a decision."]}
    with pytest.raises(DomainError):
        review.claim_decide(
            actor=world.actor(world.reviewer), claim=claim, action="investigate", reason="再查"
        )


def test_a_late_report_holds_the_submission_and_is_not_excused_by_its_reporter(world, covered):
    """The reviewer who reported a late incident is offered no decision on it, and the
    application is not offered for submission until another reviewer accepts it."""
    member, plan, _ = covered
    report = reports.report_create(
        actor=world.actor(world.reviewer),
        member=member,
        plan=plan,
        event_kind="illness",
        event_date=timezone.localdate() - dt.timedelta(days=60),
        description="确诊肺癌",
    )
    assert report.late
    claim_page = f"/claims/{report.claim.pk}/"
    late_api = f"/api/v1/incident-reports/{report.pk}/accept-late/"
    submit_api = f"/api/v1/claims/{report.claim.pk}/submit/"
    reporter, other, agent = (client_of(u) for u in (world.reviewer, world.reviewer2, world.agent))
    assert 'data-testid="late-form"' not in reporter.get(claim_page).content.decode()
    assert reporter.get(late_api).json()["allowed"] == []
    assert 'data-testid="late-form"' in other.get(claim_page).content.decode()
    assert other.get(late_api).json()["allowed"] == ["accept_late"]
    assert PAGE_MARKS["submit"] not in agent.get(claim_page).content.decode()
    assert agent.get(submit_api).json()["allowed"] == []

    reports.report_decide_late(
        actor=world.actor(world.reviewer2), report=report, accept=True, reason="住院抢救"
    )
    assert PAGE_MARKS["submit"] in agent.get(claim_page).content.decode()
    assert agent.get(submit_api).json()["allowed"] == ["submit"]
