"""A worker killed in the middle of a roster import (issue 12, item 2), with real processes:
a Celery beat and workers started here against Redis and the test database.

The first worker imports the roster in one transaction and is SIGKILLed before it commits
(``worker_app.slow_roster_import``). A second worker is started; the beat's reaper finds
the job's heartbeat stopped and runs the job again (or, out of attempts, fails it), within
the reaper's period after the heartbeat went stale. The lines are written once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from enrolment.models import EnrolmentLine
from members.models import Member
from mutualaid.jobs.models import Job, JobStatus
from mutualaid.jobs.services import job_create, job_file_path
from mutualaid.jobs.tasks import run_job
from portal.celery import app
from tests import factories
from tests.enrolment.support import new_enrolment

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROWS = 120
HEARTBEAT, STALE, REAP_EVERY = 1, 4, 1
#: A worker process needs a few seconds to start (Django, then Celery) on a busy machine.
START_ALLOWANCE = 30
SLOW_IMPORT = "test_slow_roster_import"  # tests/jobs/worker_app.py


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Processes:
    """Celery processes of this test; all of them are gone when the test ends."""

    def __init__(self, folder: Path, env: dict[str, str]):
        self.folder, self.env, self.started = folder, env, []

    def start(self, name: str, *args: str) -> subprocess.Popen:
        log = (self.folder / f"{name}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tests.jobs.worker_app", *args],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.started.append((name, process))
        return process

    def worker(self, name: str) -> subprocess.Popen:
        return self.start(
            name,
            "worker",
            "--pool=solo",
            "--concurrency=1",
            f"--hostname={name}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
        )

    def beat(self) -> subprocess.Popen:
        return self.start(
            "beat",
            "beat",
            f"--schedule={self.folder / 'beat-schedule'}",
            f"--pidfile={self.folder / 'beat.pid'}",
            "--loglevel=WARNING",
        )

    def logs(self) -> str:
        return "\n".join(
            f"--- {name}\n" + (self.folder / f"{name}.log").read_text(errors="replace")[-3000:]
            for name, _ in self.started
        )

    def stop_all(self) -> None:
        for _name, process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for _name, process in self.started:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def processes(tmp_path, request):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings_test",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND,
        "JOB_HEARTBEAT_SECONDS": str(HEARTBEAT),
        "JOB_STALE_SECONDS": str(STALE),
        "JOB_REAP_SECONDS": str(REAP_EVERY),
        "JOB_MAX_ATTEMPTS": str(request.param),
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    app.conf.task_always_eager = False
    app.control.purge()
    running = Processes(tmp_path, env)
    try:
        yield running
    finally:
        running.stop_all()
        # The killed worker's message stays "unacknowledged" in Redis until the visibility
        # timeout; drop it with the rest, so no later worker runs it against another test.
        app.control.purge()
        with app.connection_for_write() as conn:
            conn.default_channel.client.delete("unacked", "unacked_index")


def _wait_for(predicate, timeout: float, what: str, processes: Processes):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what} (waited {timeout} s)\n{processes.logs()}")


def _import_job(world, tmp_path) -> tuple[Job, object]:
    actor = world.actor(world.agent)
    plan = factories.load_seed_plans(world)["gx_designated_disease"]
    draft = new_enrolment(actor, factories.make_unit(world.unit), plan)
    job = job_create(
        actor=actor,
        kind=SLOW_IMPORT,
        title="导入花名册",
        organisation=draft.organisation,
        params={"enrolment_id": str(draft.pk), "filename": "名单.csv", "only_valid": False},
        total=ROWS,
    )
    path = job_file_path(job, "upload.csv")
    lines = ["姓名,身份证号码,份数"] + [
        f"职工{i},{factories.make_id_number()},1" for i in range(1, ROWS + 1)
    ]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    job.params |= {
        "file": str(path.relative_to(settings.MEDIA_ROOT)),
        "written_marker": str(tmp_path / "written"),
    }
    job.save(update_fields=["params"])
    return job, draft


@pytest.mark.parametrize(
    "processes, ends",
    [(2, JobStatus.SUCCEEDED), (1, JobStatus.FAILED)],
    indirect=["processes"],
    ids=["runs-again", "out-of-attempts"],
)
def test_a_worker_killed_mid_import_leaves_no_job_running_and_nothing_twice(
    world, tmp_path, processes, ends, login
):
    job, draft = _import_job(world, tmp_path)
    members_before = Member.objects.count()
    processes.beat()
    first = processes.worker("first")
    run_job.delay(str(job.pk))

    # The first worker has written every line, uncommitted, and stays in its transaction:
    # saying nothing, yet its heartbeat goes on.
    marker = tmp_path / "written"
    _wait_for(marker.exists, START_ALLOWANCE + 30, "the first attempt never wrote", processes)
    claimed = Job.objects.get(pk=job.pk)
    assert (claimed.status, claimed.attempts) == (JobStatus.RUNNING, 1)
    _wait_for(
        lambda: Job.objects.get(pk=job.pk).heartbeat_at > claimed.heartbeat_at,
        HEARTBEAT * 5,
        "no heartbeat while the handler worked",
        processes,
    )

    first.send_signal(signal.SIGKILL)
    first.wait(10)
    killed_at = time.monotonic()
    assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING  # killed mid-job
    assert EnrolmentLine.objects.filter(enrolment=draft).count() == 0  # rolled back

    processes.worker("second")
    # Stale after STALE seconds, reaped on the next beat, run on the second worker.
    within = STALE + REAP_EVERY + START_ALLOWANCE
    done = _wait_for(
        lambda: (j := Job.objects.get(pk=job.pk)).finished and j,
        within,
        "the job did not end within the reaper's period",
        processes,
    )
    assert time.monotonic() - killed_at <= within
    assert done.status == ends, (done.message, processes.logs())
    lines = EnrolmentLine.objects.filter(enrolment=draft)
    if ends == JobStatus.SUCCEEDED:
        assert done.attempts == 2 and done.result["lines_written"] == ROWS
        assert lines.count() == ROWS and lines.values("member").distinct().count() == ROWS
        assert Member.objects.count() == members_before + ROWS
    else:
        assert "处理任务的进程中断了" in done.message and "请重新提交" in done.message
        assert lines.count() == 0 and Member.objects.count() == members_before
        polled = (
            login(world.agent)
            .get(reverse("jobs:status", args=[job.pk]), HTTP_HX_REQUEST="true")
            .content.decode()
        )
        assert "hx-trigger" not in polled and done.message in polled
