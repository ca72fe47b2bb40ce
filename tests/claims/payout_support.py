"""Helpers of the API, bank file, notice and task tests: claims taken to approval through
the real services (so the assessment on the notice is the engine's), and many approved
claims written straight to the tables (``factories.make_claim``) for files with rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from claims.models import Claim
from claims.services import applications, reports, review
from tests import factories

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
CARD = "6222020200112345679"  # UnionPay, Luhn-valid


def pdf_upload(name: str = "诊断证明.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def submitted_claim(world, member, plan) -> Claim:
    """Reported on 2026-08-05 for an illness of 2026-08-01 (malignant tumour), applied with
    a diagnosis PDF, submitted: assessed by the engine."""
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
    claim = applications.claim_update(
        actor=agent,
        claim=report.claim,
        data={
            "condition": "malignant_tumour",
            "bank_name": "中国工商银行梧州分行",
            "bank_account": CARD,
        },
    )
    applications.document_add(actor=agent, claim=claim, kind="diagnosis", upload=pdf_upload())
    return applications.claim_submit(actor=agent, claim=claim)


def approved_claim(world, member, plan) -> Claim:
    """Submitted, then approved by two reviewers (45,000 is above the four-eyes threshold)."""
    claim = submitted_claim(world, member, plan)
    claim = review.claim_decide(actor=world.actor(world.reviewer), claim=claim, action="approve")
    return review.claim_decide(actor=world.actor(world.reviewer2), claim=claim, action="approve")


def approved_claims(world, plan, amounts, *, unit=None, names=None) -> list[Claim]:
    """Approved claims (one member each) written straight to the tables."""
    out = []
    for i, amount in enumerate(amounts):
        name = names[i] if names else None
        member = factories.make_member(unit or world.unit, name=name)
        out.append(
            factories.make_claim(
                member,
                plan,
                status="approved",
                amount=Decimal(amount),
                filed_by=world.agent,
                approved_on=dt.date(2026, 8, 21),
                submitted_at=dt.datetime(2026, 8, 10, 1, i, tzinfo=dt.UTC),
            )
        )
    return out
