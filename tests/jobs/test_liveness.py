"""A job whose worker dies does not stay running (issue 12, item 2): the worker's heartbeat,
the reaper that re-queues or fails a job whose heartbeat stopped, a redelivered task that
takes such a job over, and attempts that cannot overwrite each other.

The same through real worker processes killed with SIGKILL: ``test_worker_death.py``.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone

from mutualaid.jobs import liveness, services
from mutualaid.jobs.models import Job, JobStatus
from mutualaid.jobs.registry import JobOutcome, register
from mutualaid.jobs.tasks import reap_stale_jobs, run_job
from portal.celery import app

DIED = "处理任务的进程中断了"


@register("test_silent")
def _silent(job, report):
    # No progress reports: like one long SQL statement or one big file write.
    time.sleep(job.params.get("seconds", 0))
    return JobOutcome(result={"attempt": job.attempts}, message="完成")


def _running(world, *, beat_age: float, attempts: int = 1) -> Job:
    """A job that a worker claimed ``beat_age`` seconds after its last heartbeat."""
    job = services.job_create(
        actor=world.actor(world.agent), kind="test_silent", title="导入花名册", total=10
    )
    then = timezone.now() - timedelta(seconds=beat_age)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, started_at=then, heartbeat_at=then, attempts=attempts, done=4
    )
    return Job.objects.get(pk=job.pk)


@pytest.fixture
def eager():
    """Tasks sent run at once, here (the reaper's re-queue included)."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_beats_while_a_silent_handler_runs(world, settings):
    settings.JOB_HEARTBEAT_SECONDS = 0.2
    job = services.job_create(
        actor=world.actor(world.agent), kind="test_silent", title="导入", params={"seconds": 1.5}
    )
    assert run_job.apply(args=[str(job.pk)]).get() == "succeeded"
    job.refresh_from_db()
    assert job.attempts == 1
    # The handler said nothing for 1.5 s, yet its heartbeat kept coming.
    assert job.heartbeat_at - job.started_at >= timedelta(seconds=0.8)


@pytest.mark.django_db
def test_the_reaper_runs_again_a_job_whose_worker_died(
    world, settings, eager, django_capture_on_commit_callbacks
):
    settings.JOB_STALE_SECONDS = 120
    dead = _running(world, beat_age=300)
    alive = _running(world, beat_age=10)
    with django_capture_on_commit_callbacks(execute=True) as sent:
        assert reap_stale_jobs.apply().get() == {"requeued": 1, "failed": 0}
    assert len(sent) == 1  # its task, through the outbox, once the re-queue commits
    dead.refresh_from_db()
    # Sent again and run by the next attempt; the first one's progress was forgotten.
    assert (dead.status, dead.attempts, dead.result) == (JobStatus.SUCCEEDED, 2, {"attempt": 2})
    assert dead.message == "完成"
    alive.refresh_from_db()
    assert (alive.status, alive.attempts, alive.done) == (JobStatus.RUNNING, 1, 4)


@pytest.mark.django_db
def test_a_requeued_job_says_so_while_it_waits(world, settings, login):
    settings.JOB_STALE_SECONDS = 120
    job = _running(world, beat_age=300)
    assert liveness.jobs_reap().requeued == [job.pk]
    job.refresh_from_db()
    assert (job.status, job.done, job.heartbeat_at) == (JobStatus.PENDING, 0, None)
    polled = (
        login(world.agent)
        .get(reverse("jobs:status", args=[job.pk]), HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert 'hx-trigger="every 1s"' in polled and DIED in polled


@pytest.mark.django_db
def test_a_job_whose_worker_died_too_often_fails_and_the_bar_stops(world, settings, login):
    settings.JOB_STALE_SECONDS = 120
    settings.JOB_MAX_ATTEMPTS = 2
    job = _running(world, beat_age=300, attempts=2)
    assert reap_stale_jobs.apply().get() == {"requeued": 0, "failed": 1}
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.finished_at is not None
    assert DIED in job.message and "请重新提交" in job.message
    client = login(world.agent)
    polled = client.get(
        reverse("jobs:status", args=[job.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "hx-trigger" not in polled and job.message in polled
    assert 'data-status="failed"' in polled


@pytest.mark.django_db
def test_a_job_claimed_before_heartbeats_existed_is_reaped_by_its_start(world, settings):
    settings.JOB_STALE_SECONDS = 120
    job = _running(world, beat_age=300)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=None, attempts=0)
    assert liveness.jobs_reap().requeued == [job.pk]


@pytest.mark.django_db
def test_a_redelivered_task_takes_over_a_job_whose_worker_died(world, settings):
    settings.JOB_STALE_SECONDS = 120
    dead = _running(world, beat_age=300)
    assert run_job.apply(args=[str(dead.pk)]).get() == "succeeded"
    dead.refresh_from_db()
    assert (dead.status, dead.attempts) == (JobStatus.SUCCEEDED, 2)
    # A job whose worker is alive is left to it.
    alive = _running(world, beat_age=10)
    assert run_job.apply(args=[str(alive.pk)]).get() == "already claimed"
    alive.refresh_from_db()
    assert (alive.status, alive.attempts) == (JobStatus.RUNNING, 1)


@pytest.mark.django_db
def test_an_attempt_thought_dead_cannot_overwrite_the_next_one(world, settings):
    settings.JOB_STALE_SECONDS = 120
    job = services.job_create(actor=world.actor(world.agent), kind="test_silent", title="导入")
    first = services.job_claim(job.pk)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=5))
    liveness.jobs_reap()
    second = services.job_claim(job.pk)
    assert (first.attempts, second.attempts) == (1, 2)
    # The first attempt wakes up: its progress, success or failure change nothing.
    services.job_progress(first, done=7, total=10)
    services.job_succeed(first, message="第一次")
    services.job_fail(first, message="第一次失败")
    job.refresh_from_db()
    assert (job.status, job.done) == (JobStatus.RUNNING, 0) and DIED in job.message
    services.job_progress(second, done=3, total=10)
    services.job_succeed(second, message="第二次")
    job.refresh_from_db()
    assert (job.status, job.done, job.message) == (JobStatus.SUCCEEDED, 3, "第二次")


@pytest.mark.django_db(transaction=True)
def test_a_job_row_held_by_a_live_transaction_is_not_reaped(world, settings):
    """A handler reporting progress inside its own transaction holds the job's row until it
    commits: its worker is alive, whatever the heartbeat says."""
    settings.JOB_STALE_SECONDS = 120
    job = _running(world, beat_age=300)
    locked, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                services.job_progress(job, done=5)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(10)
        started = time.monotonic()
        assert liveness.jobs_reap().requeued == []
        assert time.monotonic() - started < 2  # skipped, not waited for
    finally:
        release.set()
        holder.join()
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=5))
    assert liveness.jobs_reap().requeued == [job.pk]


def test_the_beat_runs_the_reaper_every_minute_and_the_purge_daily():
    app.loader.import_default_modules()
    schedule = app.conf.beat_schedule
    assert schedule["jobs-reap-stale"]["task"] == reap_stale_jobs.name
    assert schedule["jobs-reap-stale"]["schedule"] == 60
    assert (
        schedule["jobs-purge-expired-files"]["task"] == "mutualaid.jobs.tasks.purge_expired_files"
    )
    unknown = [e["task"] for e in schedule.values() if e["task"] not in app.tasks]
    assert not unknown, f"beat entries naming no task: {unknown}"
