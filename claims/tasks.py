"""Thin Celery tasks of claims: a date or an id in, a service call, safe to run twice.

Beat runs them once a day (``portal/celery.py``). Each is idempotent in the data, so a
redelivered task (Redis hands an unacknowledged task out again after the visibility
timeout) or a second beat changes nothing:

- expiry is a conditional UPDATE of claims still in draft past their date;
- a reminder sets its flag in the same transaction that notifies (and notifications
  are unique per recipient and key);
- near-limit flags only claims not flagged yet, and the office's notice has a per-day key;
- a scheduled batch gathers claims still *approved*: what an earlier run or the button
  batched is in a batch already, and the partial unique index on live payout lines
  refuses a second line for a claim whatever this code does.

``today`` (ISO date) is for tests and catch-up runs; beat passes nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid

from celery import shared_task

from claims.models import Claim, ClaimStatus
from claims.services import daily, payouts
from mutualaid.outbox import services as outbox
from mutualaid.tenancy.context import each_tenant


def _day(today: str | None) -> dt.date | None:
    return dt.date.fromisoformat(today) if today else None


@shared_task(name="claims.tasks.expire_applications")
def expire_applications(today: str | None = None) -> int:
    """Applications not submitted within the claim expiry are forfeited (SPEC §8.2).
    Returns how many expired in this run."""
    return _every_tenant(lambda: daily.claims_expire_due(today_=_day(today)))


@shared_task(name="claims.tasks.remind_expiry")
def remind_expiry(today: str | None = None) -> int:
    """Remind the filer and the unit's agents 30 and 7 days before an application expires.
    Returns how many reminders this run sent."""
    return _every_tenant(lambda: daily.claims_remind_expiry(today_=_day(today)))


@shared_task(name="claims.tasks.flag_near_limit")
def flag_near_limit(today: str | None = None) -> int:
    """Flag approved, unpaid claims near the 30-working-day payout limit (D5) and tell
    finance. Returns how many claims were flagged in this run."""
    return _every_tenant(lambda: daily.claims_flag_near_limit(today_=_day(today)))


def _every_tenant(work) -> int:
    """``work()`` once in each tenant's scope (row-level security); the counts added."""
    return sum(each_tenant(lambda tenant_id: work()).values())


def tenants_with_approved_claims() -> list[str]:
    waiting = each_tenant(
        lambda tenant_id: Claim.objects.filter(status=ClaimStatus.APPROVED).exists()
    )
    return [tenant_id for tenant_id, has in waiting.items() if has]


@shared_task(name="claims.tasks.build_payout_batches")
def build_payout_batches() -> list[str]:
    """The scheduled batch (SPEC §10): one ``build_payout_batch`` task per tenant that has
    approved, unpaid claims. Returns the tenant ids it enqueued."""
    tenant_ids = tenants_with_approved_claims()
    for tenant_id in tenant_ids:
        outbox.enqueue(build_payout_batch, tenant_id)
    return tenant_ids


@shared_task(name="claims.tasks.build_payout_batch")
def build_payout_batch(tenant_id: str) -> dict:
    """Gather a tenant's approved claims into a batch (built by the job, approved by
    finance). Returns the batch's number and size, or ``{"batch": None}`` when there was
    nothing left to gather (a second delivery, or the button was quicker)."""
    batch = payouts.batch_build(actor=None, tenant_id=uuid.UUID(str(tenant_id)))
    if batch is None:
        return {"batch": None, "claims": 0}
    return {"batch": batch.number, "claims": batch.line_count, "total": str(batch.total)}
