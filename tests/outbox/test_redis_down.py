"""Issue 12, item 3: with Redis down, writes answer at once and truthfully, and the work
they queued runs exactly once when Redis is back.

The web is pointed at a closed port (broker, result store, any Redis cache); a reviewer
gives a claim its second approval, finance marks a batch paid, an agent starts a roster
export. Each answers with success within 2 s and its change is committed. Then Redis is
back, a real worker runs, and the drain (the operator's command; a starting worker asks
for the same) publishes what waited: the export finishes once, each notification is
mailed once, and draining again changes nothing.
"""

from __future__ import annotations

import time

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claims.models import Claim, ClaimStatus, PayoutLine
from claims.services import payouts, review
from mutualaid.jobs.models import Job, JobStatus
from mutualaid.jobs.tasks import run_job
from mutualaid.notifications.models import Notification
from mutualaid.notifications.tasks import send_notification_mail
from mutualaid.outbox.models import OutboxMessage
from tests.claims.payout_support import approved_claims, submitted_claim

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

AGENT_MAIL = "agent@a1.example"


def _client(user, **headers) -> Client:
    client = Client(**headers)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def _wait(done, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if done():
            return
        time.sleep(0.2)
    raise AssertionError("the queued work did not run")


def _all_mailed() -> bool:
    return not Notification.objects.filter(emailed_at__isnull=True).exists()


@pytest.fixture
def ready(world, covered):
    """A claim waiting for its second approval and an approved batch waiting to be paid;
    the agent who filed them has an e-mail address."""
    world.agent.email = AGENT_MAIL
    world.agent.save(update_fields=["email"])
    member, plan, _policy = covered
    claim = submitted_claim(world, member, plan)
    claim = review.claim_decide(actor=world.actor(world.reviewer), claim=claim, action="approve")
    approved_claims(world, plan, ["1200.00", "800.00"])
    batch = payouts.batch_build(actor=world.actor(world.finance), tenant_id=world.tenant.pk)
    payouts.batch_approve(actor=world.actor(world.finance2), batch=batch)
    return claim, batch


def test_with_redis_down_writes_answer_at_once_and_the_work_runs_once_when_it_is_back(
    world, ready, redis_down, request
):
    claim, batch = ready
    reviewer2 = _client(world.reviewer2, HTTP_ACCEPT_LANGUAGE="en")
    finance2 = _client(world.finance2, HTTP_ACCEPT_LANGUAGE="en")
    agent = _client(world.agent)
    already_sent = set(OutboxMessage.objects.values_list("pk", flat=True))

    with redis_down():
        decided, decide_time = _timed(
            lambda: reviewer2.post(
                f"/api/v1/claims/{claim.pk}/decide/",
                {"action": "approve"},
                content_type="application/json",
            )
        )
        paid, pay_time = _timed(
            lambda: finance2.post(
                f"/api/v1/payout-batches/{batch.pk}/mark-paid/",
                {"paid_on": timezone.localdate().isoformat()},
                content_type="application/json",
            )
        )
        exported, export_time = _timed(lambda: agent.post(reverse("enrolments:export"), {}))

    # Answered at once, truthfully: success, and the change is in the database.
    assert decided.status_code == 200, decided.content[:500]
    assert decided.json()["status"] == "approved" and decide_time < 2.0, decide_time
    assert paid.status_code == 200, paid.content[:500]
    assert paid.json()["paid"] == 2 and pay_time < 2.0, pay_time
    assert exported.status_code == 302 and export_time < 2.0, export_time
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.APPROVED
    assert PayoutLine.objects.filter(batch=batch, status="paid").count() == 2
    job = Job.objects.get(kind="roster_export")
    assert job.status == JobStatus.PENDING
    # What must run later is kept, not lost.
    waiting = OutboxMessage.objects.exclude(pk__in=already_sent)
    assert {m.task for m in waiting} == {send_notification_mail.name, run_job.name}
    assert all(m.sent_at is None for m in waiting)
    assert waiting.get(task=run_job.name).args == [str(job.pk)]

    # Redis is back: a worker runs (it empties the queue first) and the operator drains.
    request.getfixturevalue("celery_worker_thread")
    mail.outbox = []
    call_command("drain_outbox")
    _wait(lambda: Job.objects.get(pk=job.pk).finished and _all_mailed())
    if mail.outbox:  # the mail task may still be sending the last messages
        time.sleep(0.5)

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
    mine = Notification.objects.filter(recipient=world.agent)
    kinds = set(mine.values_list("kind", flat=True))
    assert {"claims.decided", "claims.paid"} <= kinds, kinds
    # Each of the agent's notifications mailed exactly once (some date from the set-up,
    # whose queued mail the worker's start discarded: the drained mail run sends those too).
    assert sorted(m.to[0] for m in mail.outbox) == [AGENT_MAIL] * mine.count()
    subjects = [m.subject for m in mail.outbox]
    assert len(subjects) == len(set(subjects))

    # Draining again sends nothing and changes nothing.
    finished_at = job.finished_at
    call_command("drain_outbox")
    time.sleep(1.0)
    job.refresh_from_db()
    assert job.finished_at == finished_at
    assert len(mail.outbox) == mine.count()


def test_a_starting_worker_drains_what_waited(world, redis_down, request):
    from celery.signals import worker_ready

    agent = _client(world.agent)
    with redis_down():
        exported, elapsed = _timed(lambda: agent.post(reverse("enrolments:export"), {}))
    assert exported.status_code == 302 and elapsed < 2.0, elapsed
    job = Job.objects.get(kind="roster_export")
    assert OutboxMessage.objects.get(task=run_job.name).sent_at is None

    worker = request.getfixturevalue("celery_worker_thread")
    # ``celery worker`` sends this once it is connected (the test worker does not).
    worker_ready.send(sender=worker)
    _wait(lambda: Job.objects.get(pk=job.pk).finished)
    assert Job.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED
    assert OutboxMessage.objects.get(task=run_job.name).sent_at is not None
