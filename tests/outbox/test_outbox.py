"""The outbox on its own: a dead broker costs a commit no time and loses nothing; a drain
sends each pending row once, however often it runs; one bad row does not hold up the
rest; beat and a starting worker both drain."""

from __future__ import annotations

import time

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from mutualaid.jobs.tasks import run_job
from mutualaid.notifications.tasks import send_notification_mail
from mutualaid.outbox import services as outbox
from mutualaid.outbox.models import OutboxMessage
from mutualaid.outbox.tasks import drain_outbox

pytestmark = pytest.mark.django_db

JOB_ID = "00000000-0000-0000-0000-000000000001"  # no such job: a worker would do nothing


def test_with_the_broker_down_a_commit_answers_at_once_and_the_row_waits(
    redis_down, published, django_capture_on_commit_callbacks
):
    with redis_down():
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():
                first = outbox.enqueue(run_job, JOB_ID)
        with django_capture_on_commit_callbacks(execute=True):
            second = outbox.enqueue(send_notification_mail)
        elapsed = time.monotonic() - started
    assert elapsed < 2.0, elapsed
    first.refresh_from_db()
    assert first.sent_at is None and first.attempts == 1
    assert first.last_error.startswith("broker unreachable: ")
    # Right after a failure the next commit does not try again (no timeout paid twice).
    second.refresh_from_db()
    assert (second.sent_at, second.attempts) == (None, 0)
    assert published == []


def test_with_the_broker_up_the_row_is_sent_after_the_commit(
    published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox.enqueue(run_job, JOB_ID)
        assert published == []  # nothing leaves before the commit
    message.refresh_from_db()
    assert message.sent_at is not None and message.attempts == 0
    assert published == [run_job.name]


def test_a_rolled_back_write_sends_nothing(published):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.enqueue(run_job, JOB_ID)
        raise RuntimeError("the write failed")
    assert not OutboxMessage.objects.exists()
    assert outbox.drain().published == 0
    assert published == []


def test_draining_twice_publishes_once(published):
    outbox.enqueue(run_job, JOB_ID)
    outbox.enqueue(send_notification_mail)
    outbox.enqueue(send_notification_mail)  # a second request asked for the same mail run

    first = outbox.drain()
    assert (first.published, first.sent, first.pending, first.error) == (3, 2, 0, "")
    assert sorted(published) == sorted([run_job.name, send_notification_mail.name])

    second = outbox.drain()
    assert (second.published, second.sent, second.pending) == (0, 0, 0)
    assert len(published) == 2
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


def test_a_row_that_cannot_be_sent_does_not_hold_up_the_others(published):
    bad = outbox.enqueue(run_job, JOB_ID, "a tenant", "an argument run_job does not take")
    good = outbox.enqueue(run_job, JOB_ID)
    result = outbox.drain(batch=1)  # claimed one by one: the bad row is not claimed again
    assert (result.published, result.pending, result.error) == (1, 1, "")
    bad.refresh_from_db()
    good.refresh_from_db()
    assert bad.sent_at is None and bad.attempts == 1 and "TypeError" in bad.last_error
    assert good.sent_at is not None and published == [run_job.name]


def test_the_drain_command_says_when_the_broker_is_still_down(redis_down, published):
    outbox.enqueue(run_job, JOB_ID)
    outbox.enqueue(send_notification_mail)
    with redis_down(), pytest.raises(CommandError, match="broker unreachable"):
        call_command("drain_outbox")
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 2
    call_command("drain_outbox")
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
    assert sorted(published) == sorted([run_job.name, send_notification_mail.name])


def test_beat_drains_every_minute_and_a_starting_worker_asks_for_a_drain(published):
    from celery.signals import worker_ready

    from portal.celery import app

    entries = [e for e in app.conf.beat_schedule.values() if e["task"] == drain_outbox.name]
    assert len(entries) == 1 and entries[0]["schedule"] == 60.0
    worker_ready.send(sender=None)
    assert published == [drain_outbox.name]
