"""Reads of the work calendar. Every read takes the tenant."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from mutualaid.calendar.models import CalendarDay, CalendarYear, DayKind
from mutualaid.calendar.workdays import WorkCalendar

# Reminders about next year's calendar start on 1 November: the State Council usually
# publishes the schedule in late October or November.
REMINDER_FROM_MONTH = 11


@dataclass(frozen=True)
class CalendarOverview:
    calendar: WorkCalendar
    # year → "package" | "manual", for the years marked complete.
    year_sources: dict[int, str]


def calendar_overview(*, tenant) -> CalendarOverview:
    """The tenant's whole calendar and where each complete year came from (two queries)."""
    rest, makeup, names = [], [], {}
    for date, kind, name in CalendarDay.objects.for_tenant(tenant).values_list(
        "date", "kind", "name"
    ):
        (rest if kind == DayKind.REST else makeup).append(date)
        names[date] = name
    year_sources = dict(CalendarYear.objects.for_tenant(tenant).values_list("year", "source"))
    calendar = WorkCalendar.build(
        rest_days=rest, makeup_workdays=makeup, known_years=year_sources, names=names
    )
    return CalendarOverview(calendar=calendar, year_sources=year_sources)


def work_calendar_for(tenant) -> WorkCalendar:
    """The tenant's ``WorkCalendar`` for deadline maths (two queries, a few hundred rows).

    Load it once per request or task and pass it along when computing many deadlines.
    """
    return calendar_overview(tenant=tenant).calendar


def reminder_due(today: dt.date) -> bool:
    return today.month >= REMINDER_FROM_MONTH


def missing_next_year_notice(*, tenant, today: dt.date | None = None) -> str | None:
    """From 1 November, a message when next year's calendar is not complete; else None.

    No query at all before November, one after.
    """
    today = today or timezone.localdate()
    if not reminder_due(today):
        return None
    year = today.year + 1
    if CalendarYear.objects.for_tenant(tenant).filter(year=year).exists():
        return None
    return _(
        "The work calendar for %(year)s is missing. Until it is entered, "
        "deadlines in %(year)s assume Monday to Friday."
    ) % {"year": year}
