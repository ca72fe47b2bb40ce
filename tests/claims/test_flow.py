"""One claim from report to payment through the services, as the office works it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from claims.models import BatchStatus, ClaimStatus, PayoutLine
from claims.services import applications, payouts, reports, review, steps
from mutualaid.core.errors import DomainError

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _pdf(name="诊断证明.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.mark.django_db
def test_report_apply_assess_approve_batch_pay(world, covered):
    member, plan, _policy = covered
    agent = world.actor(world.agent)
    report = reports.report_create(
        actor=agent,
        member=member,
        plan=plan,
        event_kind="illness",
        event_date="2026-08-01",
        description="确诊肺癌",
        reported_on=dt.date(2026, 8, 5),
    )
    assert not report.late and report.deadline == dt.date(2026, 8, 11)
    claim = report.claim
    claim = applications.claim_update(
        actor=agent,
        claim=claim,
        data={
            "condition": "malignant_tumour",
            "bank_name": "工商银行",
            "bank_account": "1234567890123",
        },
    )
    applications.document_add(actor=agent, claim=claim, kind="diagnosis", upload=_pdf())
    claim = applications.claim_submit(actor=agent, claim=claim)
    assert claim.status == ClaimStatus.SUBMITTED
    assert claim.assessed_amount == Decimal("45000.00")
    assert claim.needs_four_eyes
    claim = review.claim_decide(actor=world.actor(world.reviewer), claim=claim, action="approve")
    assert claim.status == ClaimStatus.SECOND_APPROVAL
    with pytest.raises(DomainError):
        review.claim_decide(actor=world.actor(world.reviewer), claim=claim, action="approve")
    claim = review.claim_decide(actor=world.actor(world.reviewer2), claim=claim, action="approve")
    assert claim.status == ClaimStatus.APPROVED and claim.approved_amount == Decimal("45000.00")
    batch = payouts.batch_build(actor=world.actor(world.finance), tenant_id=world.tenant.pk)
    assert batch.line_count == 1 and batch.total == Decimal("45000.00")
    assert payouts.batch_build(actor=world.actor(world.finance), tenant_id=world.tenant.pk) is None
    with pytest.raises(DomainError):
        payouts.batch_approve(actor=world.actor(world.finance), batch=batch)
    batch = payouts.batch_approve(actor=world.actor(world.finance2), batch=batch)
    assert batch.status == BatchStatus.APPROVED
    today = steps.today()
    assert (
        payouts.lines_mark_paid(actor=world.actor(world.finance2), batch=batch, paid_on=today) == 1
    )
    assert (
        payouts.lines_mark_paid(actor=world.actor(world.finance2), batch=batch, paid_on=today) == 0
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID and claim.paid_amount == Decimal("45000.00")
    assert PayoutLine.objects.filter(claim=claim, status="paid").count() == 1
    # The filer is told once, with a link to the claim.
    from mutualaid.notifications.models import Notification

    told = Notification.objects.filter(recipient=world.agent, kind="claims.paid")
    assert told.count() == 1
    assert told.get().link == f"/claims/{claim.pk}/"
    assert told.get().params == {
        "number": claim.number,
        "member": "王建国",
        "amount": "45000.00",
        "date": today.isoformat(),
    }
