"""The payout notice (给付通知书, SPEC §8.5): one per claim, or a batch's notices in one PDF.

A notice tells the member what was paid and why: the benefit items the engine assessed
(with the reasons an item paid less or nothing), the engine's explanation, the approved
amount in figures and in Chinese capitals, an adjustment's reason, and the payee with
the bank and a masked account (whoever prints it: the paper goes to the member). Rendered
by ``mutualaid.pdf`` with the bundled font, in Simplified Chinese whatever the reader's
language (an official paper, like the premium receipt). ID numbers are always masked,
through ``members.access.display_id_number`` (the one place that decides how an ID
number shows), asked never to reveal.

Only claims with an approved amount get a notice (approved, in a batch, or paid); a
batch's notices cover its lines that are not failed, in line order, and are rendered
as one HTML document, so the font is loaded once for all of them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from claims.access import has_notice
from claims.models import Claim, LineStatus, PayoutBatch, PayoutLine
from members.access import display_id_number
from mutualaid import pdf
from mutualaid.core.cleaning import mask_bank_account
from mutualaid.money import capitals, fmt_yuan
from mutualaid.tenancy.scoping import Actor
from plans.rules.assessment import explanation_for_member
from plans.rules.vocab import CAUSES, EVENT_KINDS, REASON_LABELS

DOCUMENT_LANGUAGE = "zh-hans"
TEMPLATE = "pdf/claim_notice.html"
#: A batch's notices are built while the user waits up to this many claims (≈ 0.1 s a
#: page); bigger batches print through a background job.
BATCH_NOTICES_DIRECT_LIMIT = 200

_RELATED = ("member", "organisation", "plan", "report", "tenant", "policy__plan_version")


def _lines(assessment: dict[str, Any] | None) -> list[dict[str, Any]]:
    rows = []
    for line in (assessment or {}).get("lines", []):
        reasons = [REASON_LABELS.get(code, code) for code in line.get("reasons", [])]
        rows.append(
            {
                "name": line.get("item_name") or line.get("item_code", ""),
                "amount": fmt_yuan(Decimal(line.get("amount") or "0")),
                "reasons": "；".join(reasons),
                "steps": explanation_for_member(line.get("steps", [])),
            }
        )
    return rows


def notice_context(
    claim: Claim, *, actor: Actor | None = None, line: PayoutLine | None = None
) -> dict[str, Any]:
    """What one notice shows. ``line``: the claim's payout line (batch number, paid date)."""
    amount = claim.paid_amount if claim.paid_amount is not None else claim.approved_amount
    assessment = claim.assessment or {}
    version = claim.policy.plan_version if claim.policy_id else None
    return {
        "claim": claim,
        "issuer": claim.tenant.name,
        "member_name": claim.member.name,
        "id_number": display_id_number(claim.member, actor, reveal=False),
        "unit_name": claim.organisation.name,
        "plan_name": claim.plan.name + (f"（{version.label}）" if version else ""),
        "event_kind": EVENT_KINDS.get(claim.event_kind, claim.event_kind),
        "cause": CAUSES.get(claim.cause, claim.cause) if claim.cause else "",
        "report_number": claim.report.number,
        "lines": _lines(assessment),
        "explanation": explanation_for_member(assessment.get("explanation", [])),
        "assessed": fmt_yuan(claim.assessed_amount) if claim.assessed_amount is not None else "",
        "amount_figures": fmt_yuan(amount),
        "amount_capitals": capitals(amount),
        "adjusted": claim.adjustment_reason,
        "payee_name": claim.payee_name,
        "payee_relation": claim.get_payee_relation_display(),
        "bank_name": claim.bank_name,
        "bank_account": mask_bank_account(claim.bank_account),
        "batch_number": line.batch.number if line is not None else "",
        "paid_on": claim.paid_on,
        "approved_on": claim.approved_on,
    }


def _render(notices: list[dict[str, Any]], *, title: str, issuer: str) -> bytes:
    return pdf.render_pdf(
        TEMPLATE,
        {"notices": notices, "title": title, "issuer": issuer, "printed_on": timezone.localdate()},
    )


def _live_line(claim: Claim) -> PayoutLine | None:
    return (
        PayoutLine.objects.filter(claim_id=claim.pk)
        .exclude(status=LineStatus.FAILED)
        .select_related("batch")
        .order_by("-id")
        .first()
    )


def notice_pdf(claim: Claim, *, actor: Actor | None = None) -> bytes:
    """The payout notice of one claim (approved, in a batch, or paid)."""
    if not has_notice(claim):
        raise ValueError("only a claim with an approved amount has a payout notice")
    claim = Claim.objects.select_related(*_RELATED).get(pk=claim.pk)
    with translation.override(DOCUMENT_LANGUAGE):
        context = notice_context(claim, actor=actor, line=_live_line(claim))
        return _render([context], title=claim.number, issuer=claim.tenant.name)


def batch_notice_rows(batch: PayoutBatch):
    """The batch's lines that are not failed, with their claims (one query)."""
    return (
        PayoutLine.objects.filter(batch_id=batch.pk)
        .filter(~Q(status=LineStatus.FAILED))
        .select_related("batch", *(f"claim__{name}" for name in _RELATED))
        .order_by("id")
    )


def batch_notices_pdf(batch: PayoutBatch, *, actor: Actor | None = None) -> bytes:
    """Every notice of a batch in one PDF, a page (or more) per claim, in line order."""
    with translation.override(DOCUMENT_LANGUAGE):
        notices = [
            notice_context(line.claim, actor=actor, line=line)
            for line in batch_notice_rows(batch).iterator(chunk_size=500)
        ]
        return _render(notices, title=batch.number, issuer=batch.tenant.name)


def notice_filename(claim: Claim) -> str:
    with translation.override(DOCUMENT_LANGUAGE):
        return _("payout-notice-%(number)s") % {"number": claim.number} + ".pdf"


def batch_notices_filename(batch: PayoutBatch) -> str:
    with translation.override(DOCUMENT_LANGUAGE):
        return _("payout-notices-%(number)s") % {"number": batch.number} + ".pdf"
