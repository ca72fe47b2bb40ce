"""Creating, claiming and reporting on background jobs.

Progress updates are single conditional UPDATEs, so a worker can report every few
thousand rows without a read-modify-write, and a job that is already finished is
never reopened by a redelivered task.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
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
    after the commit, and still sent later when the broker is down right now."""
    outbox.enqueue(task, str(job.pk), *args)


def job_claim(job_id) -> Job | None:
    """Move a pending job to running; None when another delivery got there first."""
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.PENDING).update(
        status=JobStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    return Job.objects.select_related("tenant", "organisation", "actor").get(pk=job_id)


def job_progress(job_id, *, done: int, total: int | None = None) -> None:
    fields: dict[str, Any] = {"done": done}
    if total is not None:
        fields["total"] = total
    Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(**fields)


def progress_reporter(job_id, *, every: int = 2000) -> Callable[[int, int | None], None]:
    """A callback for long loops: reports at most every ``every`` rows."""
    last = {"done": -every}

    def report(done: int, total: int | None = None) -> None:
        if done - last["done"] >= every or (total is not None and done >= total):
            last["done"] = done
            job_progress(job_id, done=done, total=total)

    return report


def job_file_path(job: Job, filename: str) -> Path:
    """Where a job writes its file: MEDIA_ROOT/jobs/<tenant>/<job>/<name>."""
    folder = Path(settings.MEDIA_ROOT) / "jobs" / str(job.tenant_id) / str(job.pk)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / filename


def job_succeed(
    job: Job,
    *,
    result: dict | None = None,
    file_path: Path | None = None,
    download_name: str = "",
    message: str = "",
) -> None:
    fields: dict[str, Any] = {
        "status": JobStatus.SUCCEEDED,
        "finished_at": timezone.now(),
        "result": result or {},
        "message": message,
    }
    if file_path is not None:
        fields["result_path"] = str(Path(file_path).relative_to(settings.MEDIA_ROOT))
        fields["result_name"] = download_name or Path(file_path).name
    Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(**fields)


def job_fail(job: Job, *, message: str) -> None:
    Job.objects.filter(pk=job.pk).exclude(status=JobStatus.SUCCEEDED).update(
        status=JobStatus.FAILED, finished_at=timezone.now(), message=message[:2000]
    )
