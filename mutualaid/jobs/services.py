"""Creating, claiming and reporting on background jobs.

Progress updates are single conditional UPDATEs, so a worker can report every few
thousand rows without a read-modify-write, and a job that is already finished is
never reopened by a redelivered task. Every write of a running job is conditional on
the attempt that claimed it: once the reaper gave the job to another attempt, the
first one's progress, success or failure changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from mutualaid.jobs.models import Job, JobStatus
from mutualaid.outbox import services as outbox
from mutualaid.tenancy.scoping import Actor


def job_create(
    *,
    actor: Actor,
    kind: str,
    title: str,
    organisation=None,
    params: dict | None = None,
    total: int | None = None,
) -> Job:
    return Job.objects.create(
        tenant_id=actor.tenant.pk,
        organisation=organisation or actor.organisation,
        actor=actor.user,
        kind=kind,
        title=title,
        params=params or {},
        total=total,
    )


def job_enqueue(job: Job, task, *args: Any) -> None:
    """Send ``task(job.id, *args)`` through the outbox: written with the job, published
    after the commit, and still sent later when the broker is down right now. The task
    runs in the job's tenant (``tenant_id``, read by the task base class)."""
    outbox.enqueue(task, str(job.pk), *args, tenant_id=str(job.tenant_id))


def job_claim(job_id) -> Job | None:
    """Move a pending job to running as a new attempt; None when another delivery got there
    first."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.PENDING).update(
        status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    return Job.objects.select_related("tenant", "organisation", "actor").get(pk=job_id)


def attempt_of(job: Job):
    """The job's row while ``job`` (as claimed) is still the running attempt."""
    return Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts)


def job_progress(job: Job, *, done: int, total: int | None = None) -> None:
    fields: dict[str, Any] = {"done": done, "heartbeat_at": timezone.now()}
    if total is not None:
        fields["total"] = total
    attempt_of(job).update(**fields)


def progress_reporter(job: Job, *, every: int = 2000) -> Callable[[int, int | None], None]:
    """A callback for long loops: reports at most every ``every`` rows."""
    last = {"done": -every}

    def report(done: int, total: int | None = None) -> None:
        if done - last["done"] >= every or (total is not None and done >= total):
            last["done"] = done
            job_progress(job, done=done, total=total)

    return report


def job_folder(job: Job) -> Path:
    """The job's folder, MEDIA_ROOT/jobs/<tenant>/<job>/: its upload and its result, and
    nothing else (the retention purge deletes it whole)."""
    return Path(settings.MEDIA_ROOT) / "jobs" / str(job.tenant_id) / str(job.pk)


def job_file_path(job: Job, filename: str) -> Path:
    """Where a job writes its file: MEDIA_ROOT/jobs/<tenant>/<job>/<name>."""
    folder = job_folder(job)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / filename


def job_succeed(
    job: Job,
    *,
    result: dict | None = None,
    file_path: Path | None = None,
    download_name: str = "",
    message: str = "",
    audience_roles: Sequence[str] = (),
) -> None:
    """Done: the result, the file and who may see it (``audience_roles``, see ``Job``)."""
    fields: dict[str, Any] = {
        "status": JobStatus.SUCCEEDED,
        "finished_at": timezone.now(),
        "result": result or {},
        "message": message,
        "audience_roles": sorted(set(audience_roles)),
    }
    if file_path is not None:
        fields["result_path"] = str(Path(file_path).relative_to(settings.MEDIA_ROOT))
        fields["result_name"] = download_name or Path(file_path).name
    attempt_of(job).update(**fields)


def job_fail(job: Job, *, message: str) -> None:
    """Failed, with what the user reads; a job already done, or taken over by another
    attempt, stays as it is."""
    Job.objects.filter(pk=job.pk, attempts=job.attempts).exclude(status=JobStatus.SUCCEEDED).update(
        status=JobStatus.FAILED, finished_at=timezone.now(), message=message[:2000]
    )
