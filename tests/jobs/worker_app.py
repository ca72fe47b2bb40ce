"""The Celery app as ``test_worker_death`` runs it in worker processes of its own: the
project's app, plus a roster import that keeps its transaction open on its first attempt
(so the test can kill the worker while the lines are written but not committed).

Run as ``celery -A tests.jobs.worker_app worker``; nothing else imports it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings_test")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

from enrolment.jobs import roster_import  # noqa: E402
from mutualaid.jobs.registry import register  # noqa: E402
from portal.celery import app  # noqa: E402,F401 - what ``celery -A`` looks for

SLOW_IMPORT = "test_slow_roster_import"


@register(SLOW_IMPORT)
def slow_roster_import(job, report):
    """``enrolment.jobs.roster_import`` in one transaction which, on the first attempt, stays
    open after the lines are written: the test kills the worker then. No progress reports,
    so only the heartbeat thread shows that the worker is alive."""
    with transaction.atomic():
        outcome = roster_import(job, lambda done, total=None: None)
        if job.attempts == 1:
            Path(job.params["written_marker"]).touch()
            time.sleep(600)
    return outcome
