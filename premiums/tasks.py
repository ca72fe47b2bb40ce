"""Thin Celery tasks: ids in, a service call, safe to run twice."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings

from mutualaid.outbox import services as outbox
from premiums import renewals, services


def _day(today: str | None) -> dt.date | None:
    return dt.date.fromisoformat(today) if today else None


@shared_task(name="premiums.tasks.daily")
def premiums_daily(today: str | None = None) -> dict:
    """Once a day (beat): invoice accepted enrolments, then prepare the renewals due — here,
    or split into ``RENEWAL_PARTS`` tasks that run side by side on the workers.

    A second delivery finds the enrolments invoiced and the renewals queued already, and
    changes nothing."""
    issued = services.invoices_issue_accepted()
    parts = max(1, int(getattr(settings, "RENEWAL_PARTS", 2)))
    if parts > 1:
        for part in range(parts):
            outbox.enqueue(prepare_renewals, today, part=part, parts=parts)
        return {"invoices": issued, "renewal_parts": parts}
    run = renewals.renewals_run(today=_day(today))
    return {
        "invoices": issued,
        "renewals_due": run.renewals.due,
        "renewals_prepared": run.renewals.prepared,
        "queued": run.queued,
        "notified": run.notified,
    }


@shared_task(name="premiums.tasks.prepare_renewals")
def prepare_renewals(today: str | None = None, part: int = 0, parts: int = 1) -> dict:
    """One slice of the renewal run (or all of it): idempotent like the whole run."""
    run = renewals.renewals_run(today=_day(today), part=part, parts=parts)
    return {
        "part": part,
        "due": run.renewals.due,
        "prepared": run.renewals.prepared,
        "queued": run.queued,
        "notified": run.notified,
    }
