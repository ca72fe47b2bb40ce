"""Retention of job files: uploaded rosters and produced files (exports, errors files,
bank files: whole ID numbers, bank accounts) are deleted JOB_FILE_RETENTION_DAYS after
their job finished.

All of a job's files live in its folder (``services.job_folder``). The daily beat task
deletes the folders of jobs finished before the cutoff and stamps ``files_expired_at``,
so the page says the file is gone instead of offering a broken link; a folder that
could not be deleted is not stamped and is tried again the next day. An import reads
the upload kept by the preview it was started from, so a preview's folder stays while
a job started from it is unfinished. A folder without a job row (a request that failed
after storing its upload) is deleted once it is older than the cutoff.
"""

from __future__ import annotations

import logging
import shutil
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from mutualaid.jobs.models import Job, JobStatus
from mutualaid.jobs.services import job_folder

logger = logging.getLogger(__name__)
FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED)


def job_files_purge(*, now=None) -> int:
    """Delete the files of jobs finished before the retention period; how many jobs."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.JOB_FILE_RETENTION_DAYS)
    in_use = {
        str(preview)
        for preview in Job.objects.exclude(status__in=FINISHED)
        .filter(params__has_key="preview_job")
        .values_list("params__preview_job", flat=True)
    }
    due = [
        job
        for job in Job.objects.filter(finished_at__lt=cutoff, files_expired_at__isnull=True).only(
            "pk", "tenant_id"
        )
        if str(job.pk) not in in_use
    ]
    deleted = [job.pk for job in due if _delete(job_folder(job))]
    for start in range(0, len(deleted), 1000):
        Job.objects.filter(pk__in=deleted[start : start + 1000]).update(files_expired_at=now)
    _delete_orphans(cutoff)
    return len(deleted)


def _delete(folder: Path) -> bool:
    try:
        shutil.rmtree(folder)
    except FileNotFoundError:
        pass
    except OSError:
        logger.exception("could not delete the expired job folder %s", folder)
        return False
    return True


def _delete_orphans(cutoff) -> None:
    root = Path(settings.MEDIA_ROOT) / "jobs"
    if not root.is_dir():
        return
    for tenant_folder in root.iterdir():
        folders = {}
        for folder in tenant_folder.iterdir() if tenant_folder.is_dir() else ():
            try:
                folders[uuid.UUID(folder.name)] = folder
            except ValueError:
                continue
        known = set(Job.objects.filter(pk__in=folders).values_list("pk", flat=True))
        for pk, folder in folders.items():
            if pk in known or folder.stat().st_mtime >= cutoff.timestamp():
                continue
            _delete(folder)
