"""Background jobs: progress reported by a real Celery worker, scoped downloads, redelivery."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from mutualaid.jobs import services
from mutualaid.jobs.models import Job, JobStatus
from mutualaid.jobs.registry import JobOutcome, register
from mutualaid.jobs.tasks import run_job


@register("test_count_rows")
def _count_rows(job, report):
    total = job.params["rows"]
    path = services.job_file_path(job, "rows.csv")
    with path.open("w", encoding="utf-8") as out:
        for i in range(1, total + 1):
            out.write(f"{i}\n")
            report(i, total)
    return JobOutcome(
        result={"rows": total}, file_path=path, download_name="行.csv", message="完成"
    )


@register("test_explodes")
def _explodes(job, report):
    raise RuntimeError("boom")


def _wait_finished(job_id, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if job.finished:
            return job
        time.sleep(0.1)
    raise AssertionError("job did not finish")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_job_runs_on_the_worker_reports_progress_and_serves_its_file(
    world, celery_worker_thread, login
):
    actor = world.actor(world.agent)
    job = services.job_create(
        actor=actor, kind="test_count_rows", title="导出", params={"rows": 5000}
    )
    run_job.delay(str(job.pk))
    job = _wait_finished(job.pk)
    assert job.status == JobStatus.SUCCEEDED
    assert (job.done, job.total) == (5000, 5000)
    assert job.result == {"rows": 5000}
    client = login(world.agent)
    response = client.get(reverse("jobs:download", args=[job.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode().splitlines()[-1] == "5000"
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.django_db
def test_a_second_delivery_does_nothing(world):
    actor = world.actor(world.agent)
    job = services.job_create(actor=actor, kind="test_count_rows", title="导出", params={"rows": 3})
    assert run_job.apply(args=[str(job.pk)]).get() == "succeeded"
    finished_at = Job.objects.get(pk=job.pk).finished_at
    assert run_job.apply(args=[str(job.pk)]).get() == "already claimed"
    assert Job.objects.get(pk=job.pk).finished_at == finished_at


@pytest.mark.django_db
def test_a_failing_job_says_so_in_chinese_and_keeps_no_file(world, login):
    actor = world.actor(world.agent)
    job = services.job_create(actor=actor, kind="test_explodes", title="导入")
    assert run_job.apply(args=[str(job.pk)]).get() == "failed"
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "nothing was saved" not in job.message
    assert "没有保存" in job.message or "任务失败" in job.message
    page = login(world.agent).get(reverse("jobs:status", args=[job.pk]))
    assert job.message in page.content.decode()
    assert login(world.agent).get(reverse("jobs:download", args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_progress_page_polls_while_running_and_stops_when_done(world, login):
    job = services.job_create(
        actor=world.actor(world.agent),
        kind="test_count_rows",
        title="导出",
        params={"rows": 10},
        total=10,
    )
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, done=4)
    client = login(world.agent)
    running = client.get(
        reverse("jobs:status", args=[job.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'hx-trigger="every 1s"' in running and 'value="4"' in running and "40%" in running
    Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED, done=10)
    done = client.get(
        reverse("jobs:status", args=[job.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "hx-trigger" not in done
