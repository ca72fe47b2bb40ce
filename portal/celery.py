"""The Celery app. The beat schedule lives here, in code, so it is reviewed like code.

Exactly one beat process runs (docker-compose's ``beat`` service, or ``make demo``).
"""

import os

from celery import Celery
from celery.schedules import crontab

from portal.env import envint

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

# Every task runs in a tenant scope (row-level security): mutualaid/tenancy/tasks.py.
app = Celery("mutualaid", task_cls="mutualaid.tenancy.tasks:TenantTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Publish what the outbox holds (work queued while Redis was down). Cheap when empty;
    # an entry older than the period is dropped, so a stopped worker does not come back
    # to a pile of drains. Workers also drain when they start (mutualaid/outbox/signals.py).
    "outbox-drain": {
        "task": "mutualaid.outbox.tasks.drain_outbox",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Jobs whose worker died (no heartbeat for JOB_STALE_SECONDS) run again or fail
    # (mutualaid.jobs.liveness). Read from the environment here, not from the Django
    # settings, which load after this module.
    "jobs-reap-stale": {
        "task": "mutualaid.jobs.tasks.reap_stale_jobs",
        "schedule": float(envint("JOB_REAP_SECONDS", 60)),
        "options": {"expires": 50},  # ticks queued while no worker ran are dropped
    },
    # Uploaded rosters and produced files past JOB_FILE_RETENTION_DAYS are deleted.
    "jobs-purge-expired-files": {
        "task": "mutualaid.jobs.tasks.purge_expired_files",
        "schedule": crontab(hour=4, minute=15),
    },
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
    # Claims (claims.tasks), each idempotent in the data: forfeit applications past their
    # expiry, remind 30 and 7 days before it, flag approved claims near the payout limit
    # (D5), and gather every tenant's approved claims into a payout batch for finance.
    "claims-expire-applications": {
        "task": "claims.tasks.expire_applications",
        "schedule": crontab(hour=1, minute=10),
    },
    "claims-build-payout-batches": {
        "task": "claims.tasks.build_payout_batches",
        "schedule": crontab(hour=6, minute=0),
    },
    "claims-flag-near-limit": {
        "task": "claims.tasks.flag_near_limit",
        "schedule": crontab(hour=7, minute=30),
    },
    "claims-remind-expiry": {
        "task": "claims.tasks.remind_expiry",
        "schedule": crontab(hour=8, minute=15),
    },
    # Statistics (stats.tasks): rebuild every tenant's summaries at night, after the day's
    # claims and premium jobs; then draft last month's returns, remind, flag overdue ones.
    "stats-refresh-summaries": {
        "task": "stats.tasks.refresh_all",
        "schedule": crontab(hour=3, minute=30),
    },
    # Notifications (mutualaid.notifications.tasks): the daily digest for users who chose
    # it — never twice per user and day, whatever runs twice (a unique key per user and
    # day) — and the move of old notifications to the archive (NOTIFICATION_ARCHIVE_DAYS).
    "notifications-daily-digest": {
        "task": "mutualaid.notifications.tasks.send_digests",
        "schedule": crontab(hour=envint("NOTIFICATION_DIGEST_HOUR", 17), minute=30),
    },
    "notifications-archive": {
        "task": "mutualaid.notifications.tasks.archive_all",
        "schedule": crontab(hour=4, minute=45),
    },
    "stats-returns-daily": {
        "task": "stats.tasks.returns_daily",
        "schedule": crontab(hour=8, minute=45),
    },
}
