"""A payee's bank account is whole only for the roles that pay (finance, office admins):
reviewers, cadres, agents and auditors see ``6222 **** **** 5679`` on the claim, the payout
batch, their API answers and the audit log, and the forms that let them change an account
never carry the whole number (issue 12, item 8; docs/decisions.md "Bank accounts")."""

from __future__ import annotations

import datetime as dt

import pytest

from claims.models import ClaimStatus
from claims.services.applications import claim_update, document_add
from claims.services.payouts import batch_build
from claims.services.reports import report_create
from mutualaid.audit.models import AuditEvent
from tests.claims.payout_support import CARD, approved_claim, pdf_upload

MASKED = "6222 **** **** 5679"
PAYING = ["office_admin", "finance"]
NOT_PAYING = ["reviewer", "auditor", "county_cadre", "agent"]
BATCH_READERS = ["office_admin", "finance", "auditor"]
NEW_CARD = "6228480402564890018"  # Luhn-valid


@pytest.fixture
def in_batch(world, covered):
    member, plan, _policy = covered
    claim = approved_claim(world, member, plan)
    batch = batch_build(actor=world.actor(world.finance), tenant_id=world.tenant.pk)
    return claim, batch, batch.lines.get()


@pytest.mark.parametrize("who", PAYING + NOT_PAYING)
def test_the_claim_shows_the_account_as_the_role_may_see_it(world, in_batch, login, who):
    claim, _batch, _line = in_batch
    client = login(getattr(world, who))
    page = client.get(f"/claims/{claim.pk}/").content.decode()
    api = client.get(f"/api/v1/claims/{claim.pk}/").json()
    expected = CARD if who in PAYING else MASKED
    assert expected in page and api["bank_account"] == expected
    if who in NOT_PAYING:
        assert CARD not in page and CARD not in str(api)


@pytest.mark.parametrize("who", BATCH_READERS)
def test_the_batch_lines_show_the_account_as_the_role_may_see_it(world, in_batch, login, who):
    _claim, batch, line = in_batch
    client = login(getattr(world, who))
    page = client.get(f"/claims/batches/{batch.pk}/").content.decode()
    lines = client.get(f"/api/v1/payout-batches/{batch.pk}/lines/").json()["results"]
    one = client.get(f"/api/v1/payout-batches/{batch.pk}/lines/{line.pk}/mark-failed/").json()
    expected = CARD if who in PAYING else MASKED
    assert expected in page
    assert [r["bank_account"] for r in lines] == [expected] and one["bank_account"] == expected
    if who not in PAYING:
        assert CARD not in page + str(lines) + str(one)


def test_an_agent_edits_the_application_without_reading_the_account(world, covered, login):
    member, plan, _policy = covered
    agent = world.actor(world.agent)
    report = report_create(
        actor=agent,
        member=member,
        plan=plan,
        event_kind="illness",
        event_date="2026-08-01",
        description="确诊肺癌",
        reported_on=dt.date(2026, 8, 5),
    )
    claim = claim_update(
        actor=agent,
        claim=report.claim,
        data={"condition": "malignant_tumour", "bank_name": "工商银行", "bank_account": CARD},
    )
    client = login(world.agent)
    page = client.get(f"/claims/{claim.pk}/").content.decode()
    assert CARD not in page and MASKED in page
    # Submitting without a document: the refused page binds the claim's values, not the account.
    refused = client.post(f"/claims/{claim.pk}/submit/")
    assert refused.status_code == 400 and CARD not in refused.content.decode()
    # Saving with the account left empty keeps it; a typed one replaces it.
    data = {"condition": "malignant_tumour", "payee_name": "王建国", "payee_relation": "self"}
    saved = client.post(
        f"/claims/{claim.pk}/application/", {**data, "bank_name": "工商银行", "bank_account": ""}
    )
    assert saved.status_code == 302
    claim.refresh_from_db()
    assert claim.bank_account == CARD
    client.post(
        f"/claims/{claim.pk}/application/",
        {**data, "bank_name": "农业银行", "bank_account": NEW_CARD},
    )
    claim.refresh_from_db()
    assert (claim.bank_name, claim.bank_account) == ("农业银行", NEW_CARD)
    document_add(actor=agent, claim=claim, kind="diagnosis", upload=pdf_upload())
    events = AuditEvent.objects.filter(action="claim.updated", object_id=str(claim.pk))
    logged = " ".join(str(e.before) + str(e.after) for e in events)
    assert CARD not in logged and NEW_CARD not in logged and MASKED in logged


def test_a_reviewer_corrects_the_payee_without_reading_the_account(world, covered, login):
    member, plan, _policy = covered
    claim = approved_claim(world, member, plan)
    assert claim.status == ClaimStatus.APPROVED
    client = login(world.reviewer)
    page = client.get(f"/claims/{claim.pk}/").content.decode()
    assert 'data-testid="bank-account"' in page and CARD not in page
    # Only the bank is corrected: the account on file stays.
    kept = client.post(f"/claims/{claim.pk}/payee/", {"bank_name": "工商银行梧州分行营业部"})
    assert kept.status_code == 302
    claim.refresh_from_db()
    assert (claim.bank_name, claim.bank_account) == ("工商银行梧州分行营业部", CARD)
    client.post(f"/claims/{claim.pk}/payee/", {"bank_name": "农业银行", "bank_account": NEW_CARD})
    claim.refresh_from_db()
    assert claim.bank_account == NEW_CARD
    event = AuditEvent.objects.filter(action="claim.payee_corrected").latest("at")
    assert event.before["bank_account"] == MASKED
    assert event.after["bank_account"] == "6228 **** **** 0018"
    # Finance, who pays, gets the whole number in the same form.
    finance_form = login(world.finance).get(f"/claims/{claim.pk}/").context["payee_form"]
    assert finance_form.initial["bank_account"] == NEW_CARD


def test_the_claim_admin_masks_the_account_for_a_reviewer(world, in_batch, client):
    from mutualaid.tenancy.models import User

    claim, _batch, _line = in_batch
    User.objects.filter(pk__in=[world.reviewer.pk, world.finance.pk]).update(
        is_staff=True, is_superuser=True
    )
    url = f"/admin/claims/claim/{claim.pk}/change/"
    client.force_login(User.objects.get(pk=world.reviewer.pk))
    body = client.get(url).content.decode()
    assert CARD not in body and MASKED in body
    client.force_login(User.objects.get(pk=world.finance.pk))
    assert CARD in client.get(url).content.decode()
