"""Payout batches (给付批次, SPEC §10): approved claims of the office gathered into a batch,
approved by finance (not its builder), paid or failed line by line; a payee's account
corrected after a failed transfer.

Paid once, whatever retries, double clicks or two workers do: batch building moves the
claims and writes the lines in one statement under an advisory lock per tenant; every
state move is a conditional UPDATE (``WHERE status = …``), so a retry that comes second
changes nothing; and the partial unique indexes on live and paid lines (``claims.models``)
refuse a second line or a second payment even if this code were wrong. The SQL takes
every status as a parameter from the TextChoices.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from claims import access, notices
from claims.models import (
    BatchStatus,
    Claim,
    ClaimDecision,
    ClaimStatus,
    LineStatus,
    PayoutBatch,
    PayoutLine,
)
from claims.services import steps
from mutualaid.audit.services import record
from mutualaid.core.cleaning import clean_bank_account, clean_date, clean_text, mask_bank_account
from mutualaid.core.errors import DomainError
from mutualaid.core.numbering import next_number
from mutualaid.notifications.services import notify_agents_sql
from mutualaid.tenancy.scoping import Actor

#: Advisory lock key of batch building (with the tenant's hash): builders take turns.
LOCK_KEY_BATCH = 0x62617463  # "batc"


def batch_build(
    *, actor: Actor | None, tenant_id, claim_ids: list | None = None
) -> PayoutBatch | None:
    """Gather the office's approved, unpaid claims (or the given ones) into a new batch.

    One conditional UPDATE moves the claims from approved to in-batch and feeds the lines'
    INSERT (``WITH moved AS (UPDATE … RETURNING …) INSERT … SELECT``): a claim another
    builder took first is simply not approved any more, and the partial unique index on
    live lines refuses a second line even if this code were wrong. ``actor`` None: the
    scheduled job. Returns None when there was nothing to gather."""
    office = steps.office_of(tenant_id)
    if actor is not None and (actor.tenant_id != tenant_id or not access.can_build_batch(actor)):
        raise PermissionDenied
    year = steps.today().year
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
                    SELECT %(tenant)s, l.claim_id, %(batched)s, %(approved)s, %(in_batch)s,
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
                    "batched": ClaimDecision.Action.BATCHED.value,
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
        notices.notify_batch(batch, step="built", by_id=actor.user.pk if actor else None)
    return batch


def batch_approve(*, actor: Actor, batch: PayoutBatch) -> PayoutBatch:
    """Finance approves a batch someone else built (a database check says so too).
    Approving twice changes nothing: the state moves by a conditional UPDATE."""
    access.require_action(actor, batch, "approve", state=False)
    approve = access.BATCH_ACTIONS["approve"]
    with transaction.atomic():
        updated = PayoutBatch.objects.filter(pk=batch.pk, status__in=approve.sources).update(
            status=approve.target, approved_by=actor.user, approved_at=timezone.now()
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
            before={"status": BatchStatus.BUILT.value},
            after={"status": batch.status, "total": str(batch.total)},
        )
        notices.notify_batch(batch, step="approved", by_id=actor.user.pk)
    return batch


def lines_mark_paid(
    *, actor: Actor, batch: PayoutBatch, paid_on: Any, line_ids: list | None = None
) -> int:
    """Mark pending lines paid (all of the batch, or the given ones) and their claims paid,
    set-based, with conditional updates: a line or claim already paid is left alone, so a
    retry or a second click pays nothing twice. Returns the number of lines paid now."""
    access.require_actor(actor, batch, "mark_paid")
    day = clean_date(paid_on, field="paid_on")
    if day > steps.today():
        raise DomainError(_("The payment date cannot be in the future."), field="paid_on")
    with transaction.atomic():
        batch = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status == BatchStatus.CLOSED:
            return 0  # every line was marked already (a retry, a second click)
        access.require_state(batch, "mark_paid")
        with connection.cursor() as cur:
            cur.execute(
                """
                WITH paid AS (
                    UPDATE claims_payoutline l
                    SET status = %(line_paid)s, paid_on = %(day)s, marked_by_id = %(actor)s,
                        marked_at = now()
                    WHERE l.batch_id = %(batch)s AND l.status = %(line_pending)s
                      AND (%(ids)s::bigint[] IS NULL OR l.id = ANY(%(ids)s::bigint[]))
                    RETURNING l.claim_id, l.amount
                ), claims AS (
                    UPDATE claims_claim c
                    SET status = %(claim_paid)s, paid_amount = p.amount, paid_on = %(day)s,
                        near_limit = false, updated_at = now()
                    FROM paid p
                    WHERE c.id = p.claim_id AND c.status = %(claim_in_batch)s
                    RETURNING c.id, c.paid_amount
                ), decisions AS (
                    INSERT INTO claims_claimdecision (tenant_id, claim_id, action, from_status,
                                                      to_status, amount, reason, actor_id, at)
                    SELECT %(tenant)s, c.id, %(decision)s, %(claim_in_batch)s, %(claim_paid)s,
                           c.paid_amount, %(number)s, %(actor)s, clock_timestamp()
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
                    "line_paid": LineStatus.PAID.value,
                    "line_pending": LineStatus.PENDING.value,
                    "claim_paid": ClaimStatus.PAID.value,
                    "claim_in_batch": ClaimStatus.IN_BATCH.value,
                    "decision": ClaimDecision.Action.PAID.value,
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
            WHERE l.batch_id = %(batch)s AND l.status = %(paid)s AND l.paid_on = %(day)s
              AND c.filed_by_id IS NOT NULL
        """,
        params={
            "batch": batch.pk,
            "day": day,
            "before": before,
            "after": after,
            "paid": LineStatus.PAID.value,
        },
        kind=notices.PAID,
        tenant_id=batch.tenant_id,
    )


def _close_if_done(batch: PayoutBatch) -> None:
    if not batch.lines.filter(status=LineStatus.PENDING).exists():
        PayoutBatch.objects.filter(pk=batch.pk, status=BatchStatus.APPROVED).update(
            status=BatchStatus.CLOSED
        )


def line_mark_failed(*, actor: Actor, line: PayoutLine, reason: Any) -> PayoutLine:
    """The bank returned the transfer: the line fails and the claim goes back to the
    approved queue (the next batch takes it, with a corrected account if needed)."""
    access.require_actor(actor, line.batch, "mark_failed")
    reason = clean_text(reason, field="reason", max_length=300, required=True)
    with transaction.atomic():
        # Only what was sent to the bank can come back: a pending line of an approved batch.
        updated = PayoutLine.objects.filter(
            pk=line.pk,
            status=LineStatus.PENDING,
            batch__status__in=access.BATCH_ACTIONS["mark_failed"].sources,
        ).update(
            status=LineStatus.FAILED,
            failure_reason=reason,
            marked_by=actor.user,
            marked_at=timezone.now(),
        )
        line.refresh_from_db()
        if not updated:
            if line.status == LineStatus.PENDING:
                # Still pending, so its batch was not approved: nothing went to the bank.
                line.batch.refresh_from_db(fields=["status"])
                access.require_state(line.batch, "mark_failed")
            raise DomainError(_("Only a line waiting for payment can be marked failed."))
        claim = steps.lock_claim(line.claim)
        if claim.status == ClaimStatus.IN_BATCH:
            claim.status = ClaimStatus.APPROVED
            claim.save(update_fields=["status", "updated_at"])
            steps.record_step(
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
    access.require_actor(actor, claim, "correct_payee")
    bank_name = clean_text(data.get("bank_name"), field="bank_name", max_length=100, required=True)
    account = clean_bank_account(data.get("bank_account"))
    with transaction.atomic():
        claim = steps.lock_claim(claim)
        access.require_action(actor, claim, "correct_payee")
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
