"""Thin Celery tasks: a service call each, safe to run twice."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from mutualaid.tenancy.context import combined, each_tenant
from stats import services
from stats.refresh import summaries_refresh


@shared_task(name="stats.tasks.refresh_all")
def refresh_all() -> dict:
    """Nightly (beat): rebuild every tenant's summaries, one transaction each."""

    def refresh(tenant_id):
        result = summaries_refresh(tenant_id=tenant_id)
        return None if result is None else result.seconds

    return each_tenant(refresh)


@shared_task(name="stats.tasks.returns_daily")
def returns_daily(today: str | None = None) -> dict:
    """Daily (beat): draft last month's returns, reminders, overdue flags."""

    def daily(tenant_id):
        result = services.returns_daily(today=dt.date.fromisoformat(today) if today else None)
        return {
            "prepared": result.prepared,
            "reminded": result.reminded,
            "overdue": result.flagged_overdue,
        }

    return combined(each_tenant(daily).values()) or {"prepared": 0, "reminded": 0, "overdue": 0}
