"""Writes of claims and payout batches: keyword-only, one transaction each, audited.

Incident reports and applications (SPEC §8)
    report_create(*, actor, member, plan, event_kind, event_date, description, cause="",
                  reporter_name="", reporter_phone="", reported_on=None) -> IncidentReport
        Computes the report deadline (plan terms + the tenant's work calendar, SPEC §9),
        flags a late report, and opens the claim (draft) for the application.
    report_decide_late(*, actor, report, accept, reason) -> IncidentReport
    claim_update(*, actor, claim, data) -> Claim            (facts, payee; raw values)
    document_add(*, actor, claim, kind, upload) -> ClaimDocument
    claim_submit(*, actor, claim) -> Claim                  (assessed on the way in)
    claim_reassess(*, actor, claim, exclusions) -> Claim    (reviewer: exclusions found)

Review
    claim_decide(*, actor, claim, action, amount=None, reason="") -> Claim
        action: "approve" (as assessed, or ``amount`` with a reason), "request_documents",
        "investigate", "reject". Four-eyes above the tenant's threshold; the filer never
        approves; the second approver is another person.

Payouts (SPEC §10)
    batch_build(*, actor=None, tenant, claim_ids=None) -> PayoutBatch | None
    batch_approve(*, actor, batch) -> PayoutBatch
    lines_mark_paid(*, actor, batch, line_ids=None, paid_on) -> int
    line_mark_failed(*, actor, line, reason) -> PayoutLine

Daily (claims.tasks)
    claims_expire_due(*, today) -> int; claims_remind_expiry(*, today) -> int;
    claims_flag_near_limit(*, today) -> int

Raw values come in (form data, JSON, strings); every service cleans its own input and
raises ``DomainError`` with Chinese, field-keyed messages — pages and API show the same.
Money is Decimal yuan; dates are Asia/Shanghai.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import unicodedata
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from claims import notices
from claims.models import (
    EDITABLE_STATUSES,
    BatchStatus,
    Claim,
    ClaimDecision,
    ClaimDocument,
    ClaimStatus,
    DocumentKind,
    IncidentReport,
    LineStatus,
    PayeeRelation,
    PayoutBatch,
    PayoutLine,
    ReportStatus,
)
from enrolment.models import Policy, PolicyStatus
from enrolment.policies import add_months
from members.models import Member
from mutualaid.audit.services import record
from mutualaid.calendar.selectors import work_calendar_for
from mutualaid.core.cleaning import mask_bank_account
from mutualaid.core.errors import DomainError
from mutualaid.core.numbering import next_number
from mutualaid.money import CENT, parse_amount
from mutualaid.notifications.services import notify, notify_agents_sql
from mutualaid.tenancy.models import Organisation, Role, Staff
from mutualaid.tenancy.scoping import Actor
from mutualaid.tenancy.selectors import unit_agents
from plans.models import Plan
from plans.rules import (
    CAUSES,
    EVENT_KINDS,
    FACTS,
    ClaimFacts,
    EarlierPayout,
    PolicySnapshot,
    ShareTranche,
    assess,
)
from plans.terms import terms_of

#: Who may report incidents and prepare applications (SPEC §8: agents, and office staff
#: on behalf of a member).
REPORTERS = (Role.AGENT, Role.CADRE, Role.OFFICE_ADMIN, Role.REVIEWER)
#: Who reviews claims.
REVIEWERS = (Role.REVIEWER,)
#: Who builds payout batches (the scheduled job builds them too) and who approves them.
BATCH_BUILDERS = (Role.FINANCE, Role.OFFICE_ADMIN)
BATCH_APPROVERS = (Role.FINANCE,)

#: Days before the claim expiry when the filer is reminded (SPEC §8).
EXPIRY_REMINDER_DAYS = (30, 7)
#: Working days before the payout limit when an approved claim is flagged (SPEC §10).
NEAR_LIMIT_WORKING_DAYS = 5

#: Accepted document types, recognised by their first bytes (never by the name).
SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}

REVIEW_ACTIONS = ("approve", "request_documents", "investigate", "reject")


def today() -> dt.date:
    return timezone.localdate()


def _decision(
    claim: Claim,
    *,
    actor: Actor | None,
    action: str,
    before: str,
    amount: Decimal | None = None,
    reason: str = "",
) -> None:
    ClaimDecision.objects.create(
        tenant_id=claim.tenant_id,
        claim=claim,
        action=action,
        from_status=before,
        to_status=claim.status,
        amount=amount,
        reason=reason,
        actor=actor.user if actor is not None else None,
    )
    record(
        actor=actor,
        action=f"claim.{action}",
        obj=claim,
        organisation=claim.organisation,
        before={"status": before},
        after={
            "status": claim.status,
            **({"amount": str(amount)} if amount is not None else {}),
            **({"reason": reason} if reason else {}),
        },
    )


def _lock(claim: Claim) -> Claim:
    return (
        # of=self: lock the claim only, not its organisation and tenant rows (every claim
        # write of the tenant would otherwise queue on the tenant's row).
        Claim.objects.select_for_update(of=("self",))
        .select_related("organisation", "tenant")
        .get(pk=claim.pk)
    )


def _require(actor: Actor, organisation: Organisation, roles: tuple) -> None:
    if not (actor.has_role(*roles) and actor.reaches(organisation)):
        raise PermissionDenied


def can_report(actor: Actor | None, organisation: Organisation) -> bool:
    return actor is not None and actor.has_role(*REPORTERS) and actor.reaches(organisation)


def can_review(actor: Actor | None, claim: Claim) -> bool:
    return actor is not None and actor.has_role(*REVIEWERS) and actor.reaches(claim.organisation)


def filed(actor: Actor, claim: Claim) -> bool:
    """Whoever reported the incident or submitted the application filed the claim (an
    office reviewer submitting for a member files it as much as the agent does)."""
    return (
        claim.filed_by_id == actor.user.pk
        or claim.decisions.filter(
            action=ClaimDecision.Action.SUBMIT, actor_id=actor.user.pk
        ).exists()
    )


def may_approve(actor: Actor, claim: Claim) -> bool:
    """Separation of duties: never the filer; the second approver is another person."""
    if filed(actor, claim):
        return False
    if claim.status == ClaimStatus.SECOND_APPROVAL and claim.first_approver_id == actor.user.pk:
        return False
    return can_review(actor, claim)


# --- cleaning (shared by pages and API) ------------------------------------------------


def _text(raw: Any, *, field: str, max_length: int, required: bool = False) -> str:
    value = unicodedata.normalize("NFKC", str(raw or "")).strip()
    if required and not value:
        raise DomainError(_("This field is required."), field=field, code="required")
    if len(value) > max_length:
        raise DomainError(
            _("At most %(max)d characters.") % {"max": max_length}, field=field, code="max_length"
        )
    return value


def clean_date(raw: Any, *, field: str) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = unicodedata.normalize("NFKC", str(raw or "")).strip()
    if not text:
        raise DomainError(_("This field is required."), field=field, code="required")
    try:
        return dt.date.fromisoformat(text.replace("/", "-"))
    except ValueError:
        raise DomainError(_("Enter a date like 2026-09-28."), field=field) from None


def clean_money(raw: Any, *, field: str) -> Decimal | None:
    """Yuan with at most two decimals, not negative; "" or None → None."""
    if raw is None:
        return None
    if not str(raw).strip():
        return None
    try:
        value = parse_amount(raw if isinstance(raw, Decimal | int) else str(raw))
    except (TypeError, ValueError):
        raise DomainError(_("Enter an amount in yuan, e.g. 3500.00."), field=field) from None
    if not value.is_finite() or value < 0:
        raise DomainError(_("Enter an amount that is not negative."), field=field)
    if value != value.quantize(CENT):
        raise DomainError(_("Amounts have at most two decimal places."), field=field)
    if value >= Decimal("1000000000"):
        raise DomainError(_("This amount is too large."), field=field)
    return value.quantize(CENT)


def clean_count(raw: Any, *, field: str) -> int | None:
    if raw is None:
        return None
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 6:
        raise DomainError(_("Enter a whole number."), field=field)
    return int(text)


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def clean_bank_account(raw: Any, *, field: str = "bank_account") -> str:
    """Digits only (spaces and dashes dropped), 10–30 of them; bank cards of the UnionPay
    network (16–19 digits starting 62) carry a Luhn check digit, so it is checked."""
    text = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", str(raw or "")))
    if not text:
        raise DomainError(_("Enter the payee's account number."), field=field, code="required")
    if not text.isdigit():
        raise DomainError(_("An account number has digits only."), field=field)
    if not 10 <= len(text) <= 30:
        raise DomainError(_("An account number has 10 to 30 digits."), field=field)
    if text.startswith("62") and 16 <= len(text) <= 19 and not luhn_ok(text):
        raise DomainError(
            _("The card number's check digit is wrong: please check the number on the card."),
            field=field,
        )
    return text


# --- incident reports -------------------------------------------------------------------


def _member_policies(member: Member, plan: Plan):
    return Policy.objects.filter(member=member, plan=plan).exclude(status=PolicyStatus.CANCELLED)


def policy_on(member: Member, plan: Plan, day: dt.date) -> Policy | None:
    """The member's policy in the plan covering ``day`` (the first day of a later one is
    not cover for an earlier event); else the latest before it, for the engine to say why
    there is no cover."""
    qs = _member_policies(member, plan).select_related("plan_version")
    covering = qs.filter(start__lte=day, end__gte=day).order_by("-start").first()
    if covering is not None:
        return covering
    return qs.filter(start__lte=day).order_by("-start").first() or qs.order_by("start").first()


def report_create(
    *,
    actor: Actor,
    member: Member,
    plan: Plan,
    event_kind: Any,
    event_date: Any,
    description: Any,
    cause: Any = "",
    reporter_name: Any = "",
    reporter_phone: Any = "",
    reported_on: dt.date | None = None,
) -> IncidentReport:
    member_org = member.organisation
    if not can_report(actor, member_org):
        raise PermissionDenied
    reported_on = reported_on or today()
    errors: dict[str, list] = {}

    def check(fn):
        try:
            return fn()
        except DomainError as exc:
            for key, msgs in exc.message_dict.items():
                errors.setdefault(key, []).extend(msgs)
            return None

    event_kind = str(event_kind or "").strip()
    if event_kind not in EVENT_KINDS:
        errors["event_kind"] = [_("Choose what happened.")]
    cause = str(cause or "").strip()
    if cause and cause not in CAUSES:
        errors["cause"] = [_("Choose a cause from the list.")]
    day = check(lambda: clean_date(event_date, field="event_date"))
    if day is not None and day > reported_on:
        errors["event_date"] = [_("The event date cannot be after the day of the report.")]
    text = check(lambda: _text(description, field="description", max_length=2000, required=True))
    name = check(lambda: _text(reporter_name, field="reporter_name", max_length=100))
    phone = check(lambda: _text(reporter_phone, field="reporter_phone", max_length=30))
    if plan.tenant_id != actor.tenant_id:
        raise PermissionDenied
    if errors:
        raise DomainError(errors)
    policy = policy_on(member, plan, day)
    if policy is None:
        raise DomainError(
            _("%(member)s has never been covered by %(plan)s.")
            % {"member": member.name, "plan": plan.name},
            field="plan",
        )
    # The policy's own version: its terms (deadline, expiry) are what the member bought.
    terms = terms_of(policy.plan_version)
    calendar = work_calendar_for(actor.tenant)
    deadline = calendar.deadline_after(
        day, terms.report_deadline_days_for(event_kind, cause or None)
    )
    late = reported_on > deadline.date
    with transaction.atomic():
        report = IncidentReport.objects.create(
            tenant_id=actor.tenant_id,
            organisation=member_org,
            member=member,
            plan=plan,
            number=next_number(
                tenant_id=actor.tenant_id, kind="report", prefix="BA", year=reported_on.year
            ),
            event_kind=event_kind,
            cause=cause,
            event_date=day,
            description=text,
            reported_on=reported_on,
            deadline=deadline.date,
            deadline_provisional=deadline.provisional,
            late=late,
            status=ReportStatus.LATE if late else ReportStatus.ACCEPTED,
            reporter_name=name,
            reporter_phone=phone,
            created_by=actor.user,
        )
        claim = Claim.objects.create(
            tenant_id=actor.tenant_id,
            organisation=member_org,
            report=report,
            member=member,
            member_name=member.name,
            plan=plan,
            policy=policy,
            number=next_number(
                tenant_id=actor.tenant_id, kind="claim", prefix="LP", year=reported_on.year
            ),
            event_kind=event_kind,
            event_date=day,
            cause=cause,
            expires_on=add_months(day, terms.claim_expiry_months),
            payee_name=member.name,
            filed_by=actor.user,
        )
        record(
            actor=actor,
            action="claim.reported",
            obj=report,
            organisation=member_org,
            after={
                "member": str(member.pk),
                "event_kind": event_kind,
                "event_date": day.isoformat(),
                "deadline": deadline.date.isoformat(),
                "late": late,
                "claim": claim.number,
            },
        )
    return report


def report_decide_late(
    *, actor: Actor, report: IncidentReport, accept: bool, reason: Any
) -> IncidentReport:
    """A reviewer accepts a late report (only with a written reason), or refuses it (the
    claim is closed as rejected)."""
    _require(actor, report.organisation, REVIEWERS)
    if report.created_by_id == actor.user.pk:
        raise DomainError(
            _("You reported this incident, so another reviewer must decide on its lateness."),
            code="filer",
        )
    reason = _text(reason, field="reason", max_length=2000, required=True)
    with transaction.atomic():
        report = IncidentReport.objects.select_for_update().get(pk=report.pk)
        if report.status != ReportStatus.LATE:
            raise DomainError(_("This report is not waiting for a decision on lateness."))
        report.status = ReportStatus.ACCEPTED if accept else ReportStatus.REFUSED
        report.late_reason = reason
        report.late_decided_by = actor.user
        report.save(update_fields=["status", "late_reason", "late_decided_by"])
        record(
            actor=actor,
            action="claim.late_report_accepted" if accept else "claim.late_report_refused",
            obj=report,
            organisation=report.organisation,
            before={"status": ReportStatus.LATE},
            after={"status": report.status, "reason": reason},
        )
        if not accept:
            claim = _lock(report.claim)
            if claim.status in EDITABLE_STATUSES:
                before = claim.status
                claim.status = ClaimStatus.REJECTED
                claim.decision_reason = reason
                claim.save(update_fields=["status", "decision_reason", "updated_at"])
                _decision(claim, actor=actor, action="reject", before=before, reason=reason)
    return report


# --- the application --------------------------------------------------------------------


def clean_facts(data: dict[str, Any]) -> dict[str, str]:
    """The formula facts from raw input: money as "1234.50", counts as "3" ("" dropped)."""
    facts: dict[str, str] = {}
    errors: dict[str, list] = {}
    for name, (_label, _unit, kind) in FACTS.items():
        if name not in data:
            continue
        try:
            value = (
                clean_money(data[name], field=name)
                if kind == "money"
                else clean_count(data[name], field=name)
            )
        except DomainError as exc:
            errors.update(exc.message_dict)
            continue
        if value is not None:
            facts[name] = str(value)
    if errors:
        raise DomainError(errors)
    return facts


CLAIM_FIELDS = ("condition", "payee_name", "payee_relation", "bank_name", "bank_account")


def _audited(claim: Claim, names) -> dict[str, Any]:
    # The audit log keeps accounts masked: auditors read it, and they see accounts masked.
    out = {name: getattr(claim, name) for name in names} | {"facts": claim.facts}
    if "bank_account" in out:
        out["bank_account"] = mask_bank_account(out["bank_account"])
    return out


def claim_update(*, actor: Actor, claim: Claim, data: dict[str, Any]) -> Claim:
    """The application's facts, condition and payee, from raw values (fields absent from
    ``data`` are kept)."""
    if not can_report(actor, claim.organisation):
        raise PermissionDenied
    errors: dict[str, list] = {}
    changes: dict[str, Any] = {}
    try:
        facts = clean_facts(data)
    except DomainError as exc:
        errors.update(exc.message_dict)
        facts = {}
    version = claim.policy.plan_version if claim.policy_id else None
    if "condition" in data:
        condition = str(data.get("condition") or "").strip()
        if condition and version is not None:
            covered = terms_of(version).covered_conditions
            if covered and condition not in covered:
                errors["condition"] = [_("Choose a condition from the plan's list.")]
        changes["condition"] = condition
    if "payee_name" in data:
        try:
            changes["payee_name"] = _text(data["payee_name"], field="payee_name", max_length=100)
        except DomainError as exc:
            errors.update(exc.message_dict)
    if "payee_relation" in data:
        relation = str(data.get("payee_relation") or PayeeRelation.SELF)
        if relation not in PayeeRelation.values:
            errors["payee_relation"] = [_("Choose the payee's relation to the member.")]
        changes["payee_relation"] = relation
    if "bank_name" in data:
        try:
            changes["bank_name"] = _text(data["bank_name"], field="bank_name", max_length=100)
        except DomainError as exc:
            errors.update(exc.message_dict)
    if "bank_account" in data and str(data.get("bank_account") or "").strip():
        try:
            changes["bank_account"] = clean_bank_account(data["bank_account"])
        except DomainError as exc:
            errors.update(exc.message_dict)
    elif "bank_account" in data:
        changes["bank_account"] = ""
    if errors:
        raise DomainError(errors)
    with transaction.atomic():
        claim = _lock(claim)
        if claim.status not in EDITABLE_STATUSES:
            raise DomainError(_("This claim is with the reviewer and cannot be changed now."))
        before = _audited(claim, changes)
        for name, value in changes.items():
            setattr(claim, name, value)
        if any(name in data for name in FACTS):
            merged = {k: v for k, v in claim.facts.items() if k not in data}
            merged.update(facts)
            claim.facts = merged
        claim.save()
        record(
            actor=actor,
            action="claim.updated",
            obj=claim,
            organisation=claim.organisation,
            before=before,
            after=_audited(claim, changes),
        )
    return claim


def sniff_content_type(head: bytes) -> str | None:
    for content_type, signatures in SIGNATURES.items():
        if any(head.startswith(sig) for sig in signatures):
            return content_type
    return None


def _check_image(data: bytes) -> bool:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except Exception:  # noqa: BLE001 - any decoder error means "not a readable image"
        return False
    return True


def document_add(*, actor: Actor, claim: Claim, kind: Any, upload) -> ClaimDocument:
    """Store one supporting document: PDF, JPEG or PNG recognised by content (a renamed
    .exe is refused whatever its name), at most ``CLAIM_DOCUMENT_MAX_BYTES``."""
    if not can_report(actor, claim.organisation) and not can_review(actor, claim):
        raise PermissionDenied
    kind = str(kind or "")
    if kind not in DocumentKind.values:
        raise DomainError(_("Choose what the document is."), field="kind")
    if upload is None:
        raise DomainError(_("Choose a file to upload."), field="file", code="required")
    limit = settings.CLAIM_DOCUMENT_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise DomainError(
            _("The file is %(size)s MB; at most %(max)s MB is accepted.")
            % {"size": f"{size / 1048576:.1f}", "max": f"{limit / 1048576:.0f}"},
            field="file",
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise DomainError(
            _("The file is larger than %(max)s MB.") % {"max": f"{limit / 1048576:.0f}"},
            field="file",
        )
    if not data:
        raise DomainError(_("The file is empty."), field="file")
    content_type = sniff_content_type(data[:16])
    if content_type is None:
        raise DomainError(
            _("Only PDF, JPEG or PNG files are accepted; this file is none of them."),
            field="file",
            code="file_type",
        )
    if content_type == "application/pdf" and b"%%EOF" not in data[-2048:]:
        raise DomainError(_("The PDF file is incomplete or damaged."), field="file")
    if content_type != "application/pdf" and not _check_image(data):
        raise DomainError(_("The image file is damaged and cannot be read."), field="file")
    original = Path(str(getattr(upload, "name", "") or "document")).name[:200]
    doc_id = uuid.uuid4()
    relative = f"{claim.tenant_id}/{claim.pk}/{doc_id}{EXTENSIONS[content_type]}"
    target = Path(settings.PRIVATE_MEDIA_ROOT) / relative
    with transaction.atomic():
        claim = _lock(claim)
        if claim.status not in EDITABLE_STATUSES and not can_review(actor, claim):
            raise DomainError(_("Documents can no longer be added to this claim."))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        try:
            document = ClaimDocument.objects.create(
                id=doc_id,
                tenant_id=claim.tenant_id,
                claim=claim,
                kind=kind,
                original_name=original,
                path=relative,
                content_type=content_type,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                uploaded_by=actor.user,
            )
            record(
                actor=actor,
                action="claim.document_added",
                obj=claim,
                organisation=claim.organisation,
                after={"document": original, "kind": kind, "size": len(data)},
            )
        except Exception:
            target.unlink(missing_ok=True)
            raise
    return document


def document_path(document: ClaimDocument) -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT) / document.path


# --- assessment -------------------------------------------------------------------------


def facts_of(claim: Claim) -> ClaimFacts:
    values: dict[str, Any] = {}
    for name, raw in (claim.facts or {}).items():
        if name not in FACTS:
            continue
        values[name] = Decimal(raw) if FACTS[name][2] == "money" else int(raw)
    return ClaimFacts(
        event_kind=claim.event_kind,
        event_date=claim.event_date,
        condition=claim.condition or None,
        cause=claim.cause or None,
        event_ref=str(claim.report_id),
        exclusions=tuple(claim.exclusions or ()),
        **values,
    )


#: Claims whose money counts as paid or promised when a later claim is assessed.
COUNTED_STATUSES = (
    ClaimStatus.SECOND_APPROVAL,
    ClaimStatus.APPROVED,
    ClaimStatus.IN_BATCH,
    ClaimStatus.PAID,
)


#: Item code for money approved on a claim whose assessment had no payable line.
ADJUSTMENT_ITEM = "adjustment"


def _granted_lines(claim: Claim) -> list[tuple[str, Decimal]]:
    """The claim's money by benefit item, as approved (or paid), not as assessed: when the
    reviewer adjusted the amount, the assessed lines are scaled to it (the last line takes
    the rounding), so caps and limits count what the member really gets."""
    lines = [
        (line["item_code"], Decimal(line["amount"]))
        for line in (claim.assessment or {}).get("lines", [])
        if Decimal(line["amount"]) > 0
    ]
    granted = claim.paid_amount if claim.paid_amount is not None else claim.approved_amount
    assessed = sum((amount for _code, amount in lines), Decimal("0.00"))
    if granted is None or granted == assessed:
        return lines
    if not lines:
        return [(ADJUSTMENT_ITEM, granted)] if granted > 0 else []
    scaled = [(code, (amount * granted / assessed).quantize(CENT)) for code, amount in lines]
    rest = granted - sum((amount for _code, amount in scaled), Decimal("0.00"))
    scaled[-1] = (scaled[-1][0], scaled[-1][1] + rest)
    return [(code, amount) for code, amount in scaled if amount > 0]


def snapshot_of(policy: Policy, *, excluding: Claim | None = None) -> PolicySnapshot:
    """The engine's picture of a policy: its tranches (each with its own waiting period)
    and what earlier claims on it have been approved or paid."""
    terms = terms_of(policy.plan_version)
    tranches = tuple(
        ShareTranche(shares=t.shares, start=t.start, waiting_end=t.waiting_end)
        for t in policy.tranches.order_by("start", "id")
    )
    earlier = []
    others = Claim.objects.filter(policy=policy, status__in=COUNTED_STATUSES)
    if excluding is not None:
        others = others.exclude(pk=excluding.pk)
    for other in others.only("assessment", "report_id", "approved_amount", "paid_amount"):
        for code, amount in _granted_lines(other):
            earlier.append(
                EarlierPayout(item_code=code, amount=amount, event_ref=str(other.report_id))
            )
    return PolicySnapshot(
        terms=terms,
        start=policy.start,
        end=policy.end,
        tranches=tranches,
        tier=policy.tier or None,
        cover_ended_on=policy.ended_on,
        earlier_payouts=tuple(earlier),
        plan_name=policy.plan.name,
    )


def _assess(claim: Claim) -> None:
    """Run the engine against the policy in force on the event date; store the result."""
    policy = policy_on(claim.member, claim.plan, claim.event_date)
    if policy is None:  # pragma: no cover - a report needs a policy of the plan
        raise DomainError(_("No policy of this plan was found for the member."))
    claim.policy = policy
    result = assess(
        snapshot_of(policy, excluding=claim),
        facts_of(claim),
        four_eyes_threshold=claim.tenant.four_eyes_threshold,
    )
    claim.assessment = result.to_dict()
    claim.assessed_amount = result.total
    claim.needs_four_eyes = result.needs_four_eyes
    claim.assessed_at = timezone.now()


def claim_submit(*, actor: Actor, claim: Claim) -> Claim:
    """Send the application to the office: checks it is complete and in time, runs the
    assessment, and puts it in the reviewer queue."""
    if not can_report(actor, claim.organisation):
        raise PermissionDenied
    with transaction.atomic():
        claim = _lock(claim)
        report = claim.report
        if claim.status == ClaimStatus.EXPIRED:
            raise DomainError(
                _("The time to apply ended on %(date)s: the claim is forfeited.")
                % {"date": claim.expires_on.isoformat()}
            )
        if claim.status not in EDITABLE_STATUSES:
            raise DomainError(_("This claim has been submitted already."))
        if report.status == ReportStatus.LATE:
            raise DomainError(
                _(
                    "The incident was reported after its deadline (%(deadline)s): a reviewer "
                    "must accept the late report first."
                )
                % {"deadline": report.deadline.isoformat()}
            )
        if report.status == ReportStatus.REFUSED:
            raise DomainError(_("The late report was refused: this claim cannot be submitted."))
        if today() > claim.expires_on:
            raise DomainError(
                _("The time to apply ended on %(date)s: the claim is forfeited.")
                % {"date": claim.expires_on.isoformat()}
            )
        errors: dict[str, list] = {}
        if not claim.payee_name:
            errors["payee_name"] = [_("Enter the payee.")]
        if not claim.bank_name:
            errors["bank_name"] = [_("Enter the payee's bank.")]
        if not claim.bank_account:
            errors["bank_account"] = [_("Enter the payee's account number.")]
        if claim.event_kind == "death" and claim.payee_relation == PayeeRelation.SELF:
            errors["payee_relation"] = [
                _("For a death, the payee is the next of kin: choose the relation.")
            ]
        if not claim.documents.exists():
            errors["file"] = [_("Upload at least one document (diagnosis, bills, certificate…).")]
        if errors:
            raise DomainError(errors)
        before = claim.status
        _assess(claim)
        claim.status = ClaimStatus.SUBMITTED
        claim.submitted_at = timezone.now()
        claim.save()
        _decision(claim, actor=actor, action="submit", before=before, amount=claim.assessed_amount)
    return claim


def claim_reassess(*, actor: Actor, claim: Claim, exclusions: list[str]) -> Claim:
    """The reviewer records which exclusions apply (or none) and the engine runs again."""
    _require(actor, claim.organisation, REVIEWERS)
    with transaction.atomic():
        claim = _lock(claim)
        if claim.status not in (ClaimStatus.SUBMITTED, ClaimStatus.INVESTIGATION):
            raise DomainError(_("Only a claim under review can be assessed again."))
        terms = terms_of(claim.policy.plan_version)
        known = set(terms.exclusions)
        chosen = [str(code) for code in exclusions or []]
        unknown = [code for code in chosen if known and code not in known]
        if unknown:
            raise DomainError(
                _("Unknown exclusion: %(codes)s") % {"codes": ", ".join(unknown)},
                field="exclusions",
            )
        before = claim.assessed_amount
        claim.exclusions = chosen
        _assess(claim)
        claim.save()
        record(
            actor=actor,
            action="claim.reassessed",
            obj=claim,
            organisation=claim.organisation,
            before={"assessed": str(before)},
            after={"assessed": str(claim.assessed_amount), "exclusions": chosen},
        )
    return claim


# --- review ----------------------------------------------------------------------------


def _approve_finally(claim: Claim, *, on: dt.date) -> None:
    claim.status = ClaimStatus.APPROVED
    claim.approved_on = on
    limit = terms_of(claim.policy.plan_version).payout_limit_working_days
    due = work_calendar_for(claim.tenant).add_working_days(on, limit)
    claim.payout_due = due.date
    claim.payout_due_provisional = due.provisional
    _end_cover_if_due(claim)


def _end_cover_if_due(claim: Claim) -> None:
    """A benefit that ends cover (a death benefit, total disability …: ``ends_cover`` in the
    assessment) ends the policy on the event date once the claim is approved (SPEC §3)."""
    if not (claim.assessment or {}).get("ends_cover") or claim.policy_id is None:
        return
    policy = Policy.objects.select_for_update(of=("self",)).get(pk=claim.policy_id)
    if policy.status != PolicyStatus.IN_FORCE or claim.event_date >= policy.end:
        return
    before = {"status": policy.status, "ended_on": None}
    policy.status, policy.ended_on = PolicyStatus.ENDED, claim.event_date
    policy.end_reason = (
        _("Cover ended by the benefit paid on claim %(number)s.") % {"number": claim.number}
    )[:200]
    policy.save(update_fields=["status", "ended_on", "end_reason"])
    record(
        actor=None,
        action="policy.end",
        obj=policy,
        organisation=policy.organisation,
        before=before,
        after={"status": policy.status, "ended_on": policy.ended_on, "claim": claim.number},
    )


def claim_decide(
    *,
    actor: Actor,
    claim: Claim,
    action: str,
    amount: Any = None,
    reason: Any = "",
) -> Claim:
    if action not in REVIEW_ACTIONS:
        raise DomainError(_("Unknown decision."), field="action")
    _require(actor, claim.organisation, REVIEWERS)
    reason = _text(reason, field="reason", max_length=2000)
    with transaction.atomic():
        claim = _lock(claim)
        before = claim.status
        if action == "approve":
            return _approve(actor, claim, amount=amount, reason=reason)
        if claim.status not in (
            ClaimStatus.SUBMITTED,
            ClaimStatus.INVESTIGATION,
            ClaimStatus.SECOND_APPROVAL,
        ):
            raise DomainError(_("This claim is not waiting for a decision."))
        if not reason:
            raise DomainError(
                _("Write the reason: the agent and the member will read it."),
                field="reason",
                code="required",
            )
        if action == "request_documents":
            claim.status = ClaimStatus.DOCUMENTS_REQUESTED
        elif action == "investigate":
            claim.status = ClaimStatus.INVESTIGATION
        else:
            claim.status = ClaimStatus.REJECTED
        claim.first_approver = None
        claim.approved_amount = None
        claim.decision_reason = reason
        claim.save()
        _decision(claim, actor=actor, action=action, before=before, reason=reason)
        recipients = [claim.filed_by_id] if claim.filed_by_id else []
        params = {"number": claim.number, "member": claim.member.name, "reason": reason}
        if action == "request_documents":
            notify(
                recipients=recipients,
                organisation=claim.organisation,
                kind=notices.DOCUMENTS_REQUESTED,
                params=params,
                link=_link(claim),
            )
        elif action == "reject":
            notify(
                recipients=recipients,
                organisation=claim.organisation,
                kind=notices.DECIDED,
                params={**params, "decision": str(ClaimStatus.REJECTED.label), "detail": reason},
                link=_link(claim),
            )
    return claim


def _link(claim: Claim) -> str:
    return reverse("claims:claim_detail", args=[claim.pk])


def _approve(actor: Actor, claim: Claim, *, amount: Any, reason: str) -> Claim:
    before = claim.status
    if claim.status not in (
        ClaimStatus.SUBMITTED,
        ClaimStatus.INVESTIGATION,
        ClaimStatus.SECOND_APPROVAL,
    ):
        raise DomainError(_("This claim is not waiting for approval."))
    if filed(actor, claim):
        raise DomainError(_("You filed this claim, so someone else must approve it."), code="filer")
    if claim.status == ClaimStatus.SECOND_APPROVAL:
        if claim.first_approver_id == actor.user.pk:
            raise DomainError(
                _("You gave the first approval: a second reviewer must confirm it."),
                code="four_eyes",
            )
        if amount not in (None, "") and clean_money(amount, field="amount") != (
            claim.approved_amount
        ):
            raise DomainError(
                _(
                    "The second approval confirms ¥%(amount)s as first approved; to change the "
                    "amount, send the claim back to investigation."
                )
                % {"amount": claim.approved_amount},
                field="amount",
                code="four_eyes_amount",
            )
        claim.second_approver = actor.user
        _approve_finally(claim, on=today())
        claim.save()
        _decision(
            claim,
            actor=actor,
            action="second_approval",
            before=before,
            amount=claim.approved_amount,
            reason=reason,
        )
        _notify_approved(claim)
        return claim
    # Other claims of the policy may have been approved since this one was assessed (yearly
    # caps, payout counts, death less disability already paid): assess it again now, first
    # approvals of one policy taking turns on its row, so together they stay within terms.
    Policy.objects.select_for_update(no_key=True).only("id").get(pk=claim.policy_id)
    was = claim.assessed_amount
    _assess(claim)
    if claim.assessed_amount != was:
        record(
            actor=actor,
            action="claim.reassessed",
            obj=claim,
            organisation=claim.organisation,
            before={"assessed": str(was)},
            after={"assessed": str(claim.assessed_amount), "why": "approval"},
        )
    assessed = claim.assessed_amount or Decimal("0.00")
    value = clean_money(amount, field="amount") if amount not in (None, "") else assessed
    if value != assessed and not reason:
        raise DomainError(
            _("The amount differs from the assessment (¥%(assessed)s): write the reason.")
            % {"assessed": assessed},
            field="reason",
            code="required",
        )
    if value <= 0:
        raise DomainError(
            _("Nothing is payable: reject the claim with a reason instead."), field="amount"
        )
    claim.approved_amount = value
    claim.adjustment_reason = reason if value != assessed else ""
    claim.decision_reason = reason
    claim.first_approver = actor.user
    threshold = claim.tenant.four_eyes_threshold
    if claim.needs_four_eyes or value > threshold:
        claim.status = ClaimStatus.SECOND_APPROVAL
        claim.save()
        _decision(
            claim, actor=actor, action="first_approval", before=before, amount=value, reason=reason
        )
        return claim
    _approve_finally(claim, on=today())
    claim.save()
    _decision(claim, actor=actor, action="approve", before=before, amount=value, reason=reason)
    _notify_approved(claim)
    return claim


def _notify_approved(claim: Claim) -> None:
    recipients = [claim.filed_by_id] if claim.filed_by_id else []
    notify(
        recipients=recipients,
        organisation=claim.organisation,
        kind=notices.DECIDED,
        params={
            "number": claim.number,
            "member": claim.member.name,
            "decision": str(ClaimStatus.APPROVED.label),
            "detail": f"¥{claim.approved_amount}",
        },
        link=_link(claim),
    )


# --- payout batches ---------------------------------------------------------------------

#: Advisory lock key of batch building (with the tenant's hash): builders take turns.
LOCK_KEY_BATCH = 0x62617463  # "batc"


def _office(tenant_id) -> Organisation:
    return Organisation.objects.get(tenant_id=tenant_id, depth=1)


def batch_build(
    *, actor: Actor | None, tenant_id, claim_ids: list | None = None
) -> PayoutBatch | None:
    """Gather the office's approved, unpaid claims (or the given ones) into a new batch.

    One conditional UPDATE moves the claims from approved to in-batch and feeds the lines'
    INSERT (``WITH moved AS (UPDATE … RETURNING …) INSERT … SELECT``): a claim another
    builder took first is simply not approved any more, and the partial unique index on
    live lines refuses a second line even if this code were wrong. Returns None when
    there was nothing to gather."""
    office = _office(tenant_id)
    if actor is not None:
        if actor.tenant_id != tenant_id:
            raise PermissionDenied
        _require(actor, office, BATCH_BUILDERS)
    year = today().year
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(
                "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [LOCK_KEY_BATCH, str(tenant_id)]
            )
        batch = PayoutBatch.objects.create(
            tenant_id=tenant_id,
            organisation=office,
            number=next_number(tenant_id=tenant_id, kind="payout_batch", prefix="GF", year=year),
            built_by=actor.user if actor is not None else None,
        )
        with connection.cursor() as cur:
            cur.execute(
                """
                WITH moved AS (
                    UPDATE claims_claim c SET status = %(in_batch)s, updated_at = now()
                    WHERE c.tenant_id = %(tenant)s AND c.status = %(approved)s
                      AND c.approved_amount > 0
                      AND (%(ids)s::uuid[] IS NULL OR c.id = ANY(%(ids)s::uuid[]))
                    RETURNING c.id, c.approved_amount, c.payee_name, c.bank_name, c.bank_account,
                              c.approved_on, c.number
                ), lines AS (
                    INSERT INTO claims_payoutline (
                        tenant_id, batch_id, claim_id, amount, payee_name,
                                                   bank_name, bank_account, status, failure_reason)
                    SELECT %(tenant)s, %(batch)s, m.id, m.approved_amount, m.payee_name,
                           m.bank_name, m.bank_account, %(pending)s, ''
                    FROM moved m ORDER BY m.approved_on, m.number
                    RETURNING claim_id, amount
                ), decisions AS (
                    INSERT INTO claims_claimdecision (tenant_id, claim_id, action, from_status,
                                                      to_status, amount, reason, actor_id, at)
                    SELECT %(tenant)s, l.claim_id, 'batched', %(approved)s, %(in_batch)s,
                           l.amount, %(batch_number)s, %(actor)s, clock_timestamp()
                    FROM lines l
                    RETURNING amount
                )
                SELECT count(*), COALESCE(sum(amount), 0) FROM decisions
                """,
                {
                    "tenant": tenant_id,
                    "batch": batch.pk,
                    "batch_number": batch.number,
                    "approved": ClaimStatus.APPROVED.value,
                    "in_batch": ClaimStatus.IN_BATCH.value,
                    "pending": LineStatus.PENDING.value,
                    "ids": [str(i) for i in claim_ids] if claim_ids is not None else None,
                    "actor": actor.user.pk if actor is not None else None,
                },
            )
            count, total = cur.fetchone()
        if not count:
            transaction.set_rollback(True)
            return None
        batch.line_count = count
        batch.total = total
        batch.save(update_fields=["line_count", "total"])
        record(
            actor=actor,
            action="claim.batch_built",
            obj=batch,
            organisation=office,
            after={"claims": count, "total": str(total), "by": "job" if actor is None else "user"},
        )
    return batch


def batch_approve(*, actor: Actor, batch: PayoutBatch) -> PayoutBatch:
    """Finance approves a batch someone else built (a database check says so too)."""
    _require(actor, batch.organisation, BATCH_APPROVERS)
    if batch.built_by_id == actor.user.pk:
        raise DomainError(_("You built this batch, so another finance officer must approve it."))
    with transaction.atomic():
        updated = PayoutBatch.objects.filter(pk=batch.pk, status=BatchStatus.BUILT).update(
            status=BatchStatus.APPROVED, approved_by=actor.user, approved_at=timezone.now()
        )
        batch.refresh_from_db()
        if not updated:
            if batch.status == BatchStatus.BUILT:  # pragma: no cover
                raise DomainError(_("The batch could not be approved."))
            return batch  # approved already (a double click): nothing changes
        record(
            actor=actor,
            action="claim.batch_approved",
            obj=batch,
            organisation=batch.organisation,
            before={"status": "built"},
            after={"status": "approved", "total": str(batch.total)},
        )
    return batch


def lines_mark_paid(
    *, actor: Actor, batch: PayoutBatch, paid_on: Any, line_ids: list | None = None
) -> int:
    """Mark pending lines paid (all of the batch, or the given ones) and their claims paid,
    set-based, with conditional updates: a line or claim already paid is left alone, so a
    retry or a second click pays nothing twice. Returns the number of lines paid now."""
    _require(actor, batch.organisation, BATCH_APPROVERS)
    day = clean_date(paid_on, field="paid_on")
    if day > today():
        raise DomainError(_("The payment date cannot be in the future."), field="paid_on")
    with transaction.atomic():
        batch = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status == BatchStatus.CLOSED:
            return 0  # every line was marked already (a retry, a second click)
        if batch.status != BatchStatus.APPROVED:
            raise DomainError(_("Only an approved batch can be paid."))
        with connection.cursor() as cur:
            cur.execute(
                """
                WITH paid AS (
                    UPDATE claims_payoutline l
                    SET status = 'paid', paid_on = %(day)s, marked_by_id = %(actor)s,
                        marked_at = now()
                    WHERE l.batch_id = %(batch)s AND l.status = 'pending'
                      AND (%(ids)s::bigint[] IS NULL OR l.id = ANY(%(ids)s::bigint[]))
                    RETURNING l.claim_id, l.amount
                ), claims AS (
                    UPDATE claims_claim c
                    SET status = 'paid', paid_amount = p.amount, paid_on = %(day)s,
                        near_limit = false, updated_at = now()
                    FROM paid p
                    WHERE c.id = p.claim_id AND c.status = 'in_batch'
                    RETURNING c.id, c.paid_amount
                ), decisions AS (
                    INSERT INTO claims_claimdecision (tenant_id, claim_id, action, from_status,
                                                      to_status, amount, reason, actor_id, at)
                    SELECT %(tenant)s, c.id, 'paid', 'in_batch', 'paid', c.paid_amount,
                           %(number)s, %(actor)s, clock_timestamp()
                    FROM claims c RETURNING claim_id
                )
                SELECT (SELECT count(*) FROM paid), (SELECT count(*) FROM decisions)
                """,
                {
                    "day": day,
                    "actor": actor.user.pk,
                    "batch": batch.pk,
                    "tenant": batch.tenant_id,
                    "number": batch.number,
                    "ids": [int(i) for i in line_ids] if line_ids is not None else None,
                },
            )
            lines, claims = cur.fetchone()
        if lines != claims:
            # A line whose claim was not in the batch state: refuse the whole step.
            raise DomainError(
                _("Some claims of this batch are not waiting for payment; nothing was marked.")
            )
        _close_if_done(batch)
        if lines:
            record(
                actor=actor,
                action="claim.batch_paid",
                obj=batch,
                organisation=batch.organisation,
                after={"lines": lines, "paid_on": day.isoformat()},
            )
            _notify_paid(batch, day)
    return lines


def _notify_paid(batch: PayoutBatch, day: dt.date) -> None:
    """Tell each filer their claim was paid: one INSERT … SELECT for the whole batch (a
    batch has thousands of lines), skipped for a claim already told (its key)."""
    zero = uuid.UUID(int=0)
    before, _zero, after = reverse("claims:claim_detail", args=[zero]).partition(str(zero))
    notify_agents_sql(
        select_sql="""
            SELECT c.tenant_id, c.organisation_id, c.filed_by_id,
                   jsonb_build_object('number', c.number, 'member', c.member_name,
                                      'amount', l.amount::text, 'date', %(day)s::text),
                   %(before)s || c.id::text || %(after)s, 'paid:' || c.id::text
            FROM claims_payoutline l JOIN claims_claim c ON c.id = l.claim_id
            WHERE l.batch_id = %(batch)s AND l.status = 'paid' AND l.paid_on = %(day)s
              AND c.filed_by_id IS NOT NULL
        """,
        params={"batch": batch.pk, "day": day, "before": before, "after": after},
        kind=notices.PAID,
    )


def _close_if_done(batch: PayoutBatch) -> None:
    if not batch.lines.filter(status=LineStatus.PENDING).exists():
        PayoutBatch.objects.filter(pk=batch.pk, status=BatchStatus.APPROVED).update(
            status=BatchStatus.CLOSED
        )


def line_mark_failed(*, actor: Actor, line: PayoutLine, reason: Any) -> PayoutLine:
    """The bank returned the transfer: the line fails and the claim goes back to the
    approved queue (the next batch takes it, with a corrected account if needed)."""
    _require(actor, line.batch.organisation, BATCH_APPROVERS)
    reason = _text(reason, field="reason", max_length=300, required=True)
    with transaction.atomic():
        # Only what was sent to the bank can come back: a pending line of an approved batch.
        updated = PayoutLine.objects.filter(
            pk=line.pk, status=LineStatus.PENDING, batch__status=BatchStatus.APPROVED
        ).update(
            status=LineStatus.FAILED,
            failure_reason=reason,
            marked_by=actor.user,
            marked_at=timezone.now(),
        )
        line.refresh_from_db()
        if not updated:
            if line.status == LineStatus.PENDING:
                raise DomainError(_("The batch is not approved yet: nothing was sent to the bank."))
            raise DomainError(_("Only a line waiting for payment can be marked failed."))
        claim = _lock(line.claim)
        if claim.status == ClaimStatus.IN_BATCH:
            claim.status = ClaimStatus.APPROVED
            claim.save(update_fields=["status", "updated_at"])
            _decision(
                claim,
                actor=actor,
                action="payment_failed",
                before=ClaimStatus.IN_BATCH,
                amount=line.amount,
                reason=reason,
            )
        _close_if_done(line.batch)
    return line


def claim_correct_payee(*, actor: Actor, claim: Claim, data: dict[str, Any]) -> Claim:
    """After a failed payment, finance or the reviewer corrects the payee's account (the
    claim is approved again, not in a batch)."""
    if not (actor.has_role(Role.FINANCE, Role.REVIEWER) and actor.reaches(claim.organisation)):
        raise PermissionDenied
    bank_name = _text(data.get("bank_name"), field="bank_name", max_length=100, required=True)
    account = clean_bank_account(data.get("bank_account"))
    with transaction.atomic():
        claim = _lock(claim)
        if claim.status != ClaimStatus.APPROVED:
            raise DomainError(
                _("The account can be corrected only while the claim waits for a batch.")
            )
        before = {
            "bank_name": claim.bank_name,
            "bank_account": mask_bank_account(claim.bank_account),
        }
        claim.bank_name, claim.bank_account = bank_name, account
        claim.save(update_fields=["bank_name", "bank_account", "updated_at"])
        record(
            actor=actor,
            action="claim.payee_corrected",
            obj=claim,
            organisation=claim.organisation,
            before=before,
            after={"bank_name": bank_name, "bank_account": mask_bank_account(account)},
        )
    return claim


# --- daily jobs -------------------------------------------------------------------------


def claims_expire_due(*, today_: dt.date | None = None) -> int:
    """Applications not submitted by their expiry date are forfeited (set-based)."""
    day = today_ or today()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            """
            WITH expired AS (
                UPDATE claims_claim c SET status = 'expired', updated_at = now()
                WHERE c.status IN ('draft', 'documents') AND c.expires_on < %(day)s
                RETURNING c.id, c.tenant_id, c.organisation_id, c.number
            ), decisions AS (
                INSERT INTO claims_claimdecision (tenant_id, claim_id, action, from_status,
                                                  to_status, amount, reason, actor_id, at)
                SELECT e.tenant_id, e.id, 'expired', '', 'expired', NULL, '', NULL,
                       clock_timestamp()
                FROM expired e RETURNING claim_id
            ), audit AS (
                INSERT INTO audit_auditevent (at, tenant_id, organisation_id, actor_id, action,
                                              object_type, object_id, object_repr, before, after)
                SELECT clock_timestamp(), e.tenant_id, e.organisation_id, NULL, 'claim.expired',
                       'claims.claim', e.id::text, e.number, NULL,
                       jsonb_build_object('status', 'expired', 'by', 'daily job')
                FROM expired e RETURNING 1
            )
            SELECT count(*) FROM decisions
            """,
            {"day": day},
        )
        return cur.fetchone()[0]


def claims_remind_expiry(*, today_: dt.date | None = None) -> int:
    """Remind the filer and the unit's agents 30 and 7 days before an application expires
    (once each: the flags are set by the same conditional update)."""
    day = today_ or today()
    sent = 0
    # The nearest first: a claim 5 days from expiry gets the 7-day reminder (which marks
    # the 30-day one sent too), not both at once.
    for days in sorted(EXPIRY_REMINDER_DAYS):
        flag = f"reminded_{days}"
        with transaction.atomic():
            due = list(
                Claim.objects.filter(
                    status__in=EDITABLE_STATUSES,
                    expires_on__gte=day,
                    expires_on__lte=day + dt.timedelta(days=days),
                    **{flag: False},
                )
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("organisation", "member")
            )
            for claim in due:
                recipients = set(unit_agents(claim.organisation))
                if claim.filed_by_id:
                    recipients.add(claim.filed_by_id)
                notify(
                    recipients=sorted(recipients, key=str),
                    organisation=claim.organisation,
                    kind=notices.EXPIRY_REMINDER,
                    params={
                        "number": claim.number,
                        "member": claim.member.name,
                        "expires": claim.expires_on.isoformat(),
                        "days": (claim.expires_on - day).days,
                    },
                    link=_link(claim),
                    key=f"expiry{days}:{claim.pk}",
                )
            sent += Claim.objects.filter(pk__in=[c.pk for c in due]).update(
                **{flag: True, **({"reminded_30": True} if days == 7 else {})}
            )
    return sent


def claims_flag_near_limit(*, today_: dt.date | None = None) -> int:
    """Flag approved, unpaid claims whose payout limit (30 working days, D5) is within
    ``NEAR_LIMIT_WORKING_DAYS`` working days, and tell each office's finance once a day."""
    day = today_ or today()
    flagged = 0
    tenant_ids = (
        Claim.objects.filter(status__in=(ClaimStatus.APPROVED, ClaimStatus.IN_BATCH))
        .values_list("tenant_id", flat=True)
        .distinct()
    )
    from mutualaid.tenancy.models import Tenant

    for tenant in Tenant.objects.filter(pk__in=list(tenant_ids)):
        horizon = work_calendar_for(tenant).add_working_days(day, NEAR_LIMIT_WORKING_DAYS).date
        with transaction.atomic():
            count = Claim.objects.filter(
                tenant=tenant,
                status__in=(ClaimStatus.APPROVED, ClaimStatus.IN_BATCH),
                payout_due__lte=horizon,
                near_limit=False,
            ).update(near_limit=True)
            flagged += count
            near = Claim.objects.filter(
                tenant=tenant,
                status__in=(ClaimStatus.APPROVED, ClaimStatus.IN_BATCH),
                near_limit=True,
            )
            total = near.count()
            if total:
                office = _office(tenant.pk)
                first = near.order_by("payout_due").values_list("payout_due", flat=True).first()
                finance = (
                    Staff.objects.filter(tenant=tenant, roles__contains=[Role.FINANCE])
                    .filter(Q(organisation=office))
                    .values_list("user_id", flat=True)
                )
                notify(
                    recipients=list(finance),
                    organisation=office,
                    kind=notices.NEAR_LIMIT,
                    params={"count": total, "first": first.isoformat() if first else ""},
                    key=f"near_limit:{day.isoformat()}",
                )
    return flagged


__all__ = [
    "BATCH_APPROVERS",
    "BATCH_BUILDERS",
    "REPORTERS",
    "REVIEWERS",
    "batch_approve",
    "batch_build",
    "can_report",
    "can_review",
    "claim_correct_payee",
    "claim_decide",
    "claim_reassess",
    "claim_submit",
    "claim_update",
    "claims_expire_due",
    "claims_flag_near_limit",
    "claims_remind_expiry",
    "clean_bank_account",
    "document_add",
    "document_path",
    "line_mark_failed",
    "lines_mark_paid",
    "may_approve",
    "report_create",
    "report_decide_late",
]
