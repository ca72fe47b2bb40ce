"""The application (申领, SPEC §8.2): the facts the plan's formulas read, the payee and
account, the supporting documents, and its submission to the office.

The unit edits and submits while the claim is a draft or documents were asked for; the
office's reviewer may add documents until the claim is closed (``claims.access``). A
document is recognised by its bytes, never its name, and stored under
``PRIVATE_MEDIA_ROOT`` (never served by the web server). Submitting checks the claim is
complete and in time, runs the assessment and puts it in the reviewer queue.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from claims import access
from claims.cleaning import clean_facts
from claims.models import Claim, ClaimDocument, DocumentKind, PayeeRelation
from claims.services import steps
from claims.services.assessment import ASSESSMENT_FIELDS, assess_claim
from members.selfservice.session import is_member_actor
from mutualaid.audit.services import record
from mutualaid.core.cleaning import (
    clean_bank_account,
    clean_person_name,
    clean_text,
    mask_bank_account,
)
from mutualaid.core.errors import DomainError
from mutualaid.tenancy.scoping import Actor
from plans.rules import FACTS
from plans.terms import terms_of

#: Accepted document types, recognised by their first bytes (never by the name).
SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def _audited(claim: Claim, names) -> dict[str, Any]:
    # The audit log keeps accounts masked: auditors read it, and they see accounts masked.
    out = {name: getattr(claim, name) for name in names} | {"facts": claim.facts}
    if "bank_account" in out:
        out["bank_account"] = mask_bank_account(out["bank_account"])
    return out


def claim_update(*, actor: Actor, claim: Claim, data: dict[str, Any]) -> Claim:
    """The application's facts, condition and payee, from raw values (fields absent from
    ``data`` are kept)."""
    access.require_actor(actor, claim, "update")
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
            changes["payee_name"] = clean_person_name(
                clean_text(data["payee_name"], field="payee_name", max_length=100)
            )
        except DomainError as exc:
            errors.update(exc.message_dict)
    if "payee_relation" in data:
        relation = str(data.get("payee_relation") or PayeeRelation.SELF)
        if relation not in PayeeRelation.values:
            errors["payee_relation"] = [_("Choose the payee's relation to the member.")]
        changes["payee_relation"] = relation
    if "bank_name" in data:
        try:
            changes["bank_name"] = clean_text(data["bank_name"], field="bank_name", max_length=100)
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
        claim = steps.lock_claim(claim)
        access.require_action(actor, claim, "update")
        before = _audited(claim, changes)
        for name, value in changes.items():
            setattr(claim, name, value)
        fields = [*changes, "updated_at"]
        if any(name in data for name in FACTS):
            merged = {k: v for k, v in claim.facts.items() if k not in data}
            merged.update(facts)
            claim.facts = merged
            fields.append("facts")
        claim.save(update_fields=fields)
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
    access.require_actor(actor, claim, "upload")
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
        claim = steps.lock_claim(claim)
        access.require_action(actor, claim, "upload")
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
                by_member=is_member_actor(actor),
            )
            record(
                actor=actor,
                action=(
                    "claim.document_added_by_member"
                    if is_member_actor(actor)
                    else "claim.document_added"
                ),
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


def claim_submit(*, actor: Actor, claim: Claim) -> Claim:
    """Send the application to the office: checks it is complete and in time, runs the
    assessment, and puts it in the reviewer queue."""
    access.require_actor(actor, claim, "submit")
    with transaction.atomic():
        claim = steps.lock_claim(claim)
        # The state (not submitted yet, not expired) and the report (not late, not refused).
        access.require_action(actor, claim, "submit")
        if steps.today() > claim.expires_on:
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
        assess_claim(claim)
        claim.status = access.CLAIM_ACTIONS["submit"].target
        claim.submitted_at = timezone.now()
        claim.save(update_fields=[*ASSESSMENT_FIELDS, "status", "submitted_at", "updated_at"])
        steps.record_step(
            claim, actor=actor, action="submit", before=before, amount=claim.assessed_amount
        )
    return claim
