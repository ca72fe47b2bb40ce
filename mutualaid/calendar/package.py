"""The State Council holiday schedule as shipped in the ``chinesecalendar`` package.

Read straight from ``chinese_calendar.constants`` (two dicts: holidays and make-up
workdays) rather than through its ``is_workday`` API, which raises for years it does not
cover. Pure data, no ORM; the services copy it into each tenant's table so that office
admins can correct or extend it without waiting for a package release.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from chinese_calendar import constants


@dataclass(frozen=True)
class PackageDay:
    date: dt.date
    kind: str  # "rest" | "workday" (models.DayKind values)
    name: str


def _chinese_name(english: str) -> str:
    try:
        return constants.Holiday(english).chinese
    except ValueError:
        return english


@cache
def package_days() -> tuple[PackageDay, ...]:
    days = [
        PackageDay(day, "rest", _chinese_name(name)) for day, name in constants.holidays.items()
    ]
    days += [
        PackageDay(day, "workday", _chinese_name(name)) for day, name in constants.workdays.items()
    ]
    return tuple(sorted(days, key=lambda d: d.date))


@cache
def package_years() -> frozenset[int]:
    """Years the package has a schedule for (every year has at least one holiday)."""
    return frozenset(day.year for day in constants.holidays)
