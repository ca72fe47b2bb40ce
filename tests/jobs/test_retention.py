"""Job files are kept JOB_FILE_RETENTION_DAYS, then deleted by the daily beat task (issue 12,
item 8): uploaded rosters and exports hold whole ID numbers. The page then says the file
was deleted instead of offering a broken link."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mutualaid.jobs.models import Job, JobStatus
from mutualaid.jobs.services import job_file_path, job_folder
from mutualaid.jobs.tasks import purge_expired_files
from tests import factories

EXPIRED = "文件已过保留期，已删除"


def _job(world, *, finished_days_ago: float | None, status=JobStatus.SUCCEEDED, **params):
    job = factories.make_job(world.unit, world.agent, with_file=True, status=status)
    job_file_path(job, "upload.xlsx").write_bytes(b"roster with whole ID numbers")
    finished = (
        None if finished_days_ago is None else timezone.now() - timedelta(days=finished_days_ago)
    )
    Job.objects.filter(pk=job.pk).update(finished_at=finished, params=params)
    return Job.objects.get(pk=job.pk)


def _old_folder(world, days: float):
    folder = job_folder(factories.make_job(world.unit, world.agent)).with_name(str(uuid.uuid4()))
    folder.mkdir(parents=True)
    (folder / "upload.csv").write_text("姓名,身份证号码\n")
    then = (timezone.now() - timedelta(days=days)).timestamp()
    os.utime(folder, (then, then))
    return folder


@pytest.mark.django_db
def test_files_past_the_retention_period_are_deleted_and_recent_ones_kept(world, settings, login):
    settings.JOB_FILE_RETENTION_DAYS = 7
    old = _job(world, finished_days_ago=8)
    failed = _job(world, finished_days_ago=30, status=JobStatus.FAILED)
    recent = _job(world, finished_days_ago=6)
    running = _job(world, finished_days_ago=None, status=JobStatus.RUNNING)
    # An old preview whose import is still running: the import reads the preview's upload.
    preview = _job(world, finished_days_ago=9)
    _job(world, finished_days_ago=None, status=JobStatus.PENDING, preview_job=str(preview.pk))
    orphan_old, orphan_new = _old_folder(world, 8), _old_folder(world, 1)

    assert purge_expired_files.apply().get() == {"expired": 2}
    for job in (old, failed):
        job.refresh_from_db()
        assert not job_folder(job).exists() and job.files_expired_at is not None
    for job in (recent, running, preview):
        job.refresh_from_db()
        assert (job_folder(job) / "upload.xlsx").exists() and job.files_expired_at is None
    assert not orphan_old.exists() and orphan_new.exists()
    # Nothing left to do the next day.
    assert purge_expired_files.apply().get() == {"expired": 0}

    client = login(world.agent)
    page = client.get(reverse("jobs:status", args=[old.pk])).content.decode()
    assert EXPIRED in page and reverse("jobs:download", args=[old.pk]) not in page
    assert client.get(reverse("jobs:download", args=[old.pk])).status_code == 404
    page = client.get(reverse("jobs:status", args=[recent.pk])).content.decode()
    assert EXPIRED not in page and reverse("jobs:download", args=[recent.pk]) in page
    assert client.get(reverse("jobs:download", args=[recent.pk])).status_code == 200


@pytest.mark.django_db
def test_the_retention_period_is_a_setting(world, settings):
    settings.JOB_FILE_RETENTION_DAYS = 30
    job = _job(world, finished_days_ago=8)
    assert purge_expired_files.apply().get() == {"expired": 0}
    assert job_folder(job).exists()
    settings.JOB_FILE_RETENTION_DAYS = 7
    assert purge_expired_files.apply().get() == {"expired": 1}
    assert not job_folder(job).exists()
