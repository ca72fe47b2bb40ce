"""Liveness of running jobs: a heartbeat while a worker runs one, a reaper for the dead.

A worker that dies (SIGKILL, out of memory, a deploy's stop grace period running out)
leaves its job ``running``, and the task Redis redelivers finds the job claimed. So
while ``run_job`` runs a handler, a thread refreshes the job's ``heartbeat_at`` every
JOB_HEARTBEAT_SECONDS (progress reports refresh it too). A running job whose heartbeat
is older than JOB_STALE_SECONDS has lost its worker. The reaper (a beat task every
minute, and any redelivered task that finds its job claimed) then puts it back to
pending for another attempt while it has had fewer than JOB_MAX_ATTEMPTS (safe:
handlers write in one transaction or rewrite their file whole), or else fails it
with a message that the progress bar shows.

A job row locked by a transaction is alive whatever its heartbeat says: a handler
that reports progress inside its own transaction holds the row until it commits, and
a dead worker's transaction is rolled back (its locks freed) as soon as its connection
drops. So the heartbeat and the reaper skip locked rows instead of waiting for them.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from mutualaid.jobs.models import Job, JobStatus
from mutualaid.jobs.services import attempt_of
from mutualaid.outbox import services as outbox

logger = logging.getLogger(__name__)
#: ``mutualaid.jobs.tasks.run_job``, named: the tasks module imports this one.
RUN_JOB = "mutualaid.jobs.tasks.run_job"


@contextmanager
def heartbeat(job: Job) -> Iterator[None]:
    """Refresh ``job``'s heartbeat from a thread (its own connection) while the block runs.

    A thread, not the progress callback alone: a handler may spend minutes in one SQL
    statement or one file write without reporting."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(settings.JOB_HEARTBEAT_SECONDS):
                try:
                    _beat(job)
                except Exception:  # noqa: BLE001 - a missed beat is retried; the job goes on
                    logger.warning("heartbeat of job %s failed", job.pk, exc_info=True)
        finally:
            connections.close_all()  # this thread's connections only

    # The thread runs in a copy of this context: its own connection gets the job's tenant
    # scope (mutualaid.tenancy.context), or its updates would match no row.
    thread = threading.Thread(
        target=contextvars.copy_context().run,
        args=(beat,),
        name=f"job-heartbeat-{job.pk}",
        daemon=True,
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _beat(job: Job) -> None:
    with transaction.atomic():
        mine = list(
            attempt_of(job).select_for_update(skip_locked=True).values_list("pk", flat=True)
        )
        if mine:
            Job.objects.filter(pk__in=mine).update(heartbeat_at=timezone.now())


@dataclass
class Reaped:
    requeued: list = field(default_factory=list)  # job ids pending again, sent once more
    failed: list = field(default_factory=list)


def jobs_reap(*, job_id=None) -> Reaped:
    """Re-queue or fail the running jobs whose heartbeat is older than JOB_STALE_SECONDS
    (only ``job_id``, when given). A re-queued job's task goes through the outbox, in the
    same transaction, so it is sent even when the broker is down right now."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.JOB_STALE_SECONDS)
    stale = Job.objects.filter(status=JobStatus.RUNNING).filter(
        # heartbeat_at is empty on rows claimed before heartbeats existed.
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )
    if job_id is not None:
        stale = stale.filter(pk=job_id)
    reaped = Reaped()
    with transaction.atomic():
        tenant_of = {}
        for pk, attempts, tenant_id in stale.select_for_update(skip_locked=True).values_list(
            "pk", "attempts", "tenant_id"
        ):
            tenant_of[pk] = tenant_id
            if attempts < settings.JOB_MAX_ATTEMPTS:
                reaped.requeued.append(pk)
            else:
                reaped.failed.append(pk)
        with override(settings.LANGUAGE_CODE):
            if reaped.requeued:
                Job.objects.filter(pk__in=reaped.requeued).update(
                    status=JobStatus.PENDING,
                    done=0,
                    heartbeat_at=None,
                    message=_(
                        "The process working on this job stopped; the job has been started again."
                    ),
                )
                for pk in reaped.requeued:
                    outbox.enqueue(RUN_JOB, str(pk), tenant_id=str(tenant_of[pk]))
            if reaped.failed:
                Job.objects.filter(pk__in=reaped.failed).update(
                    status=JobStatus.FAILED,
                    finished_at=now,
                    message=_(
                        "The process working on this job stopped before it was finished, "
                        "and nothing was saved. Please submit it again."
                    ),
                )
    for pk in reaped.requeued:
        logger.warning("job %s lost its worker: re-queued", pk)
    for pk in reaped.failed:
        logger.warning("job %s lost its worker too often: failed", pk)
    return reaped
