"""The daily claims tasks through a real Celery worker on Redis (SPEC §8.2, §10): expiry,
reminders at 30 and 7 days, near-limit flags, and a payout batch for every tenant.
Each runs twice, as a redelivered task or a second beat would: the second run changes
nothing."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest

from claims import tasks
from claims.models import Claim, ClaimDecision, ClaimStatus, PayoutBatch, PayoutLine
from mutualaid.audit.models import AuditEvent
from mutualaid.notifications.models import Notification
from tests import factories

TODAY = "2026-11-25"
NAMES = {
    "claims.tasks.expire_applications",
    "claims.tasks.remind_expiry",
    "claims.tasks.flag_near_limit",
    "claims.tasks.build_payout_batches",
}


def test_every_daily_task_is_in_the_beat_schedule_once():
    from portal.celery import app

    scheduled = [entry["task"] for entry in app.conf.beat_schedule.values()]
    for name in NAMES:
        assert scheduled.count(name) == 1, name
    defined = {
        tasks.expire_applications.name,
        tasks.remind_expiry.name,
        tasks.flag_near_limit.name,
        tasks.build_payout_batches.name,
    }
    assert defined == NAMES  # beat names tasks that exist


def state():
    """Everything a daily task could write."""
    return (
        sorted(
            Claim.objects.values_list("number", "status", "reminded_30", "reminded_7", "near_limit")
        ),
        PayoutBatch.objects.count(),
        PayoutLine.objects.count(),
        ClaimDecision.objects.count(),
        Notification.objects.count(),
        AuditEvent.objects.count(),
    )


def wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the worker did not get there in time"
        time.sleep(0.2)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_daily_tasks_twice_on_a_real_worker_change_nothing_the_second_time(
    celery_worker_thread, world
):
    plan = factories.make_plan(world.office)
    other_plan = factories.make_plan(world.other_office)

    def claim(unit, plan, **fields):
        return factories.make_claim(
            factories.make_member(unit), plan, filed_by=world.agent, **fields
        )

    # Not applied for by 2026-10-01: forfeited.
    late = claim(world.unit, plan, status="draft", event_date=dt.date(2025, 10, 1))
    # Expires 2026-12-15 (20 days): the 30-day reminder is due, the 7-day one not yet.
    soon = claim(world.unit, plan, status="draft", event_date=dt.date(2025, 12, 15))
    # Approved, to be paid by 2026-11-27: within 5 working days.
    near = claim(
        world.unit, plan, status="approved", amount="3000.00", payout_due=dt.date(2026, 11, 27)
    )
    # Approved in both tenants: the scheduled batch gathers each tenant's own.
    far = claim(
        world.sibling_unit,
        plan,
        status="approved",
        amount="1200.50",
        payout_due=dt.date(2027, 1, 29),
    )
    foreign = claim(
        world.other_unit,
        other_plan,
        status="approved",
        amount="800.00",
        payout_due=dt.date(2027, 1, 29),
    )

    assert tasks.expire_applications.delay(TODAY).get(timeout=60) == 1
    assert tasks.remind_expiry.delay(TODAY).get(timeout=60) == 1
    assert tasks.flag_near_limit.delay(TODAY).get(timeout=60) == 1
    enqueued = tasks.build_payout_batches.delay().get(timeout=60)
    assert sorted(enqueued) == sorted([str(world.tenant.pk), str(world.other_tenant.pk)])
    wait_for(lambda: PayoutBatch.objects.count() == 2)
    wait_for(lambda: not Claim.objects.filter(status=ClaimStatus.APPROVED).exists())

    late.refresh_from_db()
    soon.refresh_from_db()
    near.refresh_from_db()
    assert late.status == ClaimStatus.EXPIRED
    assert (soon.reminded_30, soon.reminded_7) == (True, False)
    assert near.near_limit
    mine = PayoutBatch.objects.get(tenant=world.tenant)
    theirs = PayoutBatch.objects.get(tenant=world.other_tenant)
    assert (mine.line_count, mine.total, mine.built_by_id) == (2, Decimal("4200.50"), None)
    assert set(mine.lines.values_list("claim_id", flat=True)) == {near.pk, far.pk}
    assert list(theirs.lines.values_list("claim_id", flat=True)) == [foreign.pk]
    assert Notification.objects.filter(kind="claims.expiry_reminder").exists()
    first = state()

    # Beat again, or Redis redelivering every task: nothing new.
    assert tasks.expire_applications.delay(TODAY).get(timeout=60) == 0
    assert tasks.remind_expiry.delay(TODAY).get(timeout=60) == 0
    assert tasks.flag_near_limit.delay(TODAY).get(timeout=60) == 0
    assert tasks.build_payout_batches.delay().get(timeout=60) == []
    # A per-tenant build delivered twice finds its claims batched already.
    again = tasks.build_payout_batch.delay(str(world.tenant.pk)).get(timeout=60)
    assert again == {"batch": None, "claims": 0}
    assert state() == first


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_seven_day_reminder_follows_the_thirty_day_one(celery_worker_thread, world):
    plan = factories.make_plan(world.office)
    soon = factories.make_claim(
        factories.make_member(world.unit),
        plan,
        status="documents",
        event_date=dt.date(2025, 11, 30),
        filed_by=world.agent,
    )
    assert tasks.remind_expiry.delay(TODAY).get(timeout=60) == 1  # 5 days left: the 7-day one
    soon.refresh_from_db()
    assert (soon.reminded_30, soon.reminded_7) == (True, True)
    notes = Notification.objects.filter(kind="claims.expiry_reminder", recipient=world.agent)
    assert notes.count() == 1
    assert tasks.remind_expiry.delay("2026-11-27").get(timeout=60) == 0
    assert notes.count() == 1
