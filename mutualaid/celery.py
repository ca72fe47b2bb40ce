"""The Celery app. The beat schedule lives here, in code, so it is reviewed like code.

Exactly one beat process runs (docker-compose's ``beat`` service, or ``make demo``).
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mutualaid.settings")

app = Celery("mutualaid")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # From 1 November, remind office admins when next year's holiday table is missing.
    "calendar-next-year-reminder": {
        "task": "mutualaid.calendar.tasks.remind_missing_next_year",
        "schedule": crontab(hour=8, minute=0),
    },
    # Invoice accepted enrolments, prepare the renewals due, notify the agents (premiums).
    # Idempotent: a second run (or a redelivered task) creates nothing.
    "premiums-daily": {
        "task": "premiums.tasks.daily",
        "schedule": crontab(hour=2, minute=30),
    },
}
