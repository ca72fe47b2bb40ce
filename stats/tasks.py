"""Thin Celery tasks: a service call each, safe to run twice."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from mutualaid.tenancy.models import Tenant
from stats import services
from stats.refresh import summaries_refresh


@shared_task(name="stats.tasks.refresh_all")
def refresh_all() -> dict:
    """Nightly (beat): rebuild every tenant's summaries, one transaction each."""
    out = {}
    for tenant_id in Tenant.objects.values_list("pk", flat=True):
        result = summaries_refresh(tenant_id=tenant_id)
        out[str(tenant_id)] = None if result is None else result.seconds
    return out


@shared_task(name="stats.tasks.returns_daily")
def returns_daily(today: str | None = None) -> dict:
    """Daily (beat): draft last month's returns, reminders, overdue flags."""
    result = services.returns_daily(today=dt.date.fromisoformat(today) if today else None)
    return {
        "prepared": result.prepared,
        "reminded": result.reminded,
        "overdue": result.flagged_overdue,
    }
