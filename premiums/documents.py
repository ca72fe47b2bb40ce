"""Printable documents of premiums: the receipt of a payment and the unit's enrolment
certificate (参保凭证), rendered by ``mutualaid.pdf`` with the bundled font.

Documents are official papers in Chinese: they are rendered in Simplified Chinese
whatever the reader's language. ID numbers are always masked on them.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from enrolment.models import Enrolment, Policy, ShareTranche
from mutualaid import pdf
from mutualaid.core.cleaning import mask_id_number
from mutualaid.money import capitals, fmt_yuan
from premiums.models import Invoice, Payment, PaymentKind

#: Certificates of units up to this many members are built while the user waits; bigger
#: ones by a background job with a progress bar (a 1,000-member certificate takes seconds).
CERTIFICATE_DIRECT_LIMIT = 300
DOCUMENT_LANGUAGE = "zh-hans"


def receipt_filename(payment: Payment) -> str:
    return f"收据-{payment.receipt_number or payment.bank_reference}.pdf"


def certificate_filename(enrolment: Enrolment) -> str:
    start = enrolment.coverage_start.isoformat() if enrolment.coverage_start else ""
    return f"参保凭证-{enrolment.organisation.name}-{enrolment.plan.display_name}-{start}.pdf"


def received_as_of(payment: Payment) -> Decimal:
    """What the invoice had received once ``payment`` was in: the payments and refunds up to
    and including it, in the order ``services._settle`` counts them (date, then recording).
    A receipt printed again later still shows the figure of its own day."""
    total = Decimal("0.00")
    for pk, kind, amount in (
        Payment.objects.filter(invoice_id=payment.invoice_id)
        .order_by("paid_on", "recorded_at", "id")
        .values_list("id", "kind", "amount")
    ):
        total += amount if kind == PaymentKind.PAYMENT else -amount
        if pk == payment.pk:
            break
    return total


def receipt_context(payment: Payment) -> dict:
    invoice: Invoice = payment.invoice
    enrolment = invoice.enrolment
    return {
        # The cover actually bought (fixed by the date the invoice was paid in full); the
        # requested period only while the invoice is not yet paid in full.
        "cover_start": enrolment.coverage_start or enrolment.start_date,
        "cover_end": enrolment.coverage_end or enrolment.end_date,
        "cover_actual": enrolment.coverage_start is not None,
        "received_as_of": received_as_of(payment),
        "payment": payment,
        "invoice": invoice,
        "enrolment": enrolment,
        "issuer": payment.tenant.name if hasattr(payment, "tenant") else "",
        "unit_name": invoice.organisation.name,
        "plan_name": enrolment.plan.name,
        "amount_capitals": capitals(payment.amount),
        "amount_figures": fmt_yuan(payment.amount),
        "party_label": payment.get_party_display() if payment.party else "",
        "recorded_by": str(payment.recorded_by) if payment.recorded_by_id else "",
        "printed_on": timezone.localdate(),
    }


def receipt_pdf(payment: Payment) -> bytes:
    with translation.override(DOCUMENT_LANGUAGE):
        return pdf.render_pdf("pdf/receipt.html", receipt_context(payment))


def _waiting_text(tranches: list[tuple[int, object, object]]) -> str:
    """ "none" when every share is covered from the start; else each tranche's first covered
    day ("2 shares: none; 1 share: 2026-07-14")."""
    waiting = [(shares, start, end) for shares, start, end in tranches if end > start]
    if not waiting:
        return _("none")
    if len(tranches) == 1:
        return tranches[0][2].isoformat()
    return "; ".join(
        _("%(n)d shares: %(day)s")
        % {"n": shares, "day": _("none") if end <= start else end.isoformat()}
        for shares, start, end in tranches
    )


def certificate_rows(enrolment: Enrolment, *, policy_id=None) -> list[dict]:
    """The member list in name order: two queries (policies with members, tranches).
    ``policy_id``: that member's row alone (the member's own certificate)."""
    only = {"pk": policy_id} if policy_id is not None else {}
    only_tranches = {"policy_id": policy_id} if policy_id is not None else {}
    policies = list(
        Policy.objects.filter(enrolment_id=enrolment.pk, **only)
        .exclude(status="cancelled")
        .order_by("member__name", "member_id")
        .values_list("id", "member__name", "member__id_number", "shares", "tier", "start", "end")
    )
    tranches: dict = {}
    for tranche_policy, shares, start, waiting_end in (
        ShareTranche.objects.filter(**only_tranches, policy__enrolment_id=enrolment.pk)
        .order_by("policy_id", "start", "id")
        .values_list("policy_id", "shares", "start", "waiting_end")
    ):
        tranches.setdefault(tranche_policy, []).append((shares, start, waiting_end))
    rows = []
    for number, (policy_id, name, id_number, shares, tier, _start, _end) in enumerate(
        policies, start=1
    ):
        rows.append(
            {
                "n": number,
                "name": name,
                "id_number": mask_id_number(id_number),
                "shares": tier or f"{shares}",
                "waiting": _waiting_text(tranches.get(policy_id, [])),
            }
        )
    return rows


def certificate_context(enrolment: Enrolment, *, policy: Policy | None = None) -> dict:
    """The unit's certificate; with ``policy``, the member's own copy: their row alone,
    their shares, and not the unit's premium (what the unit paid is the unit's)."""
    rows = certificate_rows(enrolment, policy_id=policy.pk if policy is not None else None)
    invoice = Invoice.objects.filter(enrolment_id=enrolment.pk).first()
    if policy is not None:
        return {
            "enrolment": enrolment,
            "issuer": enrolment.tenant.name,
            "unit_name": enrolment.organisation.name,
            "plan_name": enrolment.plan.name,
            "version_label": enrolment.plan_version.label,
            "rows": rows,
            "member_count": len(rows),
            "share_total": policy.shares,
            "member_copy": True,
            "policy": policy,
            "invoice": None,
            # Who paid: a member of gifted cover sees the federation named as on the unit's.
            "payers": list(invoice.shares.order_by("id")) if invoice is not None else [],
            "certificate_number": (
                f"PZ{policy.start:%Y%m%d}-{str(enrolment.pk)[:8].upper()}"
                f"-{str(policy.pk)[:4].upper()}"
            ),
            "printed_on": timezone.localdate(),
        }
    return {
        "enrolment": enrolment,
        "issuer": enrolment.tenant.name,
        "unit_name": enrolment.organisation.name,
        "plan_name": enrolment.plan.name,
        "version_label": enrolment.plan_version.label,
        "rows": rows,
        "member_count": len(rows),
        "share_total": enrolment.share_count,
        "premium": fmt_yuan(enrolment.premium_total),
        "premium_capitals": capitals(enrolment.premium_total),
        "invoice": invoice,
        # Who paid (SPEC §5, §6): for cover a federation gifted, the federation is named.
        "payers": list(invoice.shares.order_by("id")) if invoice is not None else [],
        "certificate_number": (
            f"PZ{enrolment.coverage_start:%Y%m%d}-{str(enrolment.pk)[:8].upper()}"
        ),
        "printed_on": timezone.localdate(),
    }


#: Rows of the certificate's member table on its first page (under the heading and the
#: facts) and on each further page, when no row wraps: where the parts are cut.
CERTIFICATE_FIRST_PAGE_ROWS = 23
CERTIFICATE_PAGE_ROWS = 35


def certificate_htmls(context: dict, *, parts: int | None = None) -> list[str]:
    """The certificate as one HTML document, or as ``parts`` runs of its member rows
    (default: one per free core for a long roster, ``pdf.part_count``) to be rendered side by
    side and joined by ``pdf.html_parts_to_pdf``: the first with the heading, the last with
    the note and signature, each with the table's header row."""
    rows = context["rows"]
    runs = pdf.split_rows(
        rows,
        pdf.part_count(len(rows)) if parts is None else parts,
        first_page=CERTIFICATE_FIRST_PAGE_ROWS,
        per_page=CERTIFICATE_PAGE_ROWS,
    )
    if len(runs) == 1:
        return [pdf.render_html("pdf/certificate.html", context)]
    last = len(runs) - 1
    return [
        pdf.render_html(
            "pdf/certificate.html",
            {
                **context,
                "rows": run,
                "part": {"first": i == 0, "last": i == last},
                "pdf_numbers_later": True,
            },
        )
        for i, run in enumerate(runs)
    ]


def certificate_bytes(context: dict, *, parts: int | None = None) -> bytes:
    return pdf.html_parts_to_pdf(certificate_htmls(context, parts=parts))


def certificate_pdf(enrolment: Enrolment) -> bytes:
    with translation.override(DOCUMENT_LANGUAGE):
        return certificate_bytes(certificate_context(enrolment))


def member_certificate_filename(policy: Policy) -> str:
    return f"参保凭证-{policy.enrolment.plan.display_name}-{policy.start.isoformat()}.pdf"


def member_certificate_pdf(policy: Policy) -> bytes:
    """The member's own one-page certificate (self-service)."""
    with translation.override(DOCUMENT_LANGUAGE):
        return pdf.render_pdf(
            "pdf/certificate.html", certificate_context(policy.enrolment, policy=policy)
        )


def certificate_write(enrolment: Enrolment, target: Path, report=None) -> Path:
    with translation.override(DOCUMENT_LANGUAGE):
        context = certificate_context(enrolment)
        if report is not None:
            report(1, 3)
        htmls = certificate_htmls(context)
        if report is not None:
            report(2, 3)
        data = pdf.html_parts_to_pdf(htmls)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(target)
    if report is not None:
        report(3, 3)
    return target
