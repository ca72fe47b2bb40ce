"""Thin Celery tasks: ids in, a service call, safe to run twice."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields

from celery import shared_task
from django.conf import settings

from enrolment.renewals import RenewalRun
from mutualaid.outbox import services as outbox
from mutualaid.tenancy.context import each_tenant
from premiums import renewals, services


def _day(today: str | None) -> dt.date | None:
    return dt.date.fromisoformat(today) if today else None


def _renewals_every_tenant(today, **parts):
    """The renewal run in each tenant's scope (row-level security), added up."""
    runs = each_tenant(
        lambda tenant_id: renewals.renewals_run(today=_day(today), tenant_id=tenant_id, **parts)
    )
    return renewals.DailyRun(
        renewals=RenewalRun(
            **{
                f.name: sum(getattr(run.renewals, f.name) for run in runs.values())
                for f in fields(RenewalRun)
            }
        ),
        queued=sum(run.queued for run in runs.values()),
        notified=sum(run.notified for run in runs.values()),
    )


@shared_task(name="premiums.tasks.daily")
def premiums_daily(today: str | None = None) -> dict:
    """Once a day (beat): invoice accepted enrolments, then prepare the renewals due — here,
    or split into ``RENEWAL_PARTS`` tasks that run side by side on the workers.

    A second delivery finds the enrolments invoiced and the renewals queued already, and
    changes nothing."""
    issued = sum(each_tenant(lambda tenant_id: services.invoices_issue_accepted()).values())
    parts = max(1, int(getattr(settings, "RENEWAL_PARTS", 2)))
    if parts > 1:
        for part in range(parts):
            outbox.enqueue(prepare_renewals, today, part=part, parts=parts)
        return {"invoices": issued, "renewal_parts": parts}
    run = _renewals_every_tenant(today)
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
    run = _renewals_every_tenant(today, part=part, parts=parts)
    return {
        "part": part,
        "due": run.renewals.due,
        "prepared": run.renewals.prepared,
        "queued": run.queued,
        "notified": run.notified,
    }
