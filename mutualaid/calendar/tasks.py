"""Scheduled work for the calendar: thin tasks that call a service (safe to run twice)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from mutualaid.calendar import services


@shared_task(name="mutualaid.calendar.tasks.remind_missing_next_year")
def remind_missing_next_year(today: str | None = None) -> int:
    """From 1 November, e-mail office admins whose next year's calendar is missing.

    ``today`` (ISO date) is for tests and catch-up runs; beat passes nothing. Returns how
    many tenants were reminded by this run (0 on a second run the same day).
    """
    day = dt.date.fromisoformat(today) if today else None
    return services.send_missing_year_reminders(today=day)
