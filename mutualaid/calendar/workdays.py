"""Workdays and deadlines as pure functions: no ORM, no clock, so tests are tables of dates.

Chinese law counts periods like this (民法典):

- 第二百零一条: a period counted in days starts on the day *after* the event, so
  "N days after" is the event date + N calendar days.
- 第二百零三条: when the last day of a period is a statutory rest day (法定休假日, which
  includes ordinary Saturdays and Sundays), the period ends on the first day after the
  rest. This is the 遇节假日顺延 rule. A make-up workday (调休) is a working day even on a
  Sunday, so a period may end on it.

Workdays follow the State Council's yearly holiday notice. A ``WorkCalendar`` knows the
notices of some years only; for any other year it falls back to Monday–Friday and every
answer that leaned on that guess is flagged ``provisional`` rather than raising, because a
claim reported in a year nobody has entered yet must still get a (marked) deadline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class WorkdayStatus:
    is_workday: bool
    # True when the day's year has no confirmed calendar and Monday–Friday was assumed.
    provisional: bool


@dataclass(frozen=True)
class DeadlineResult:
    date: dt.date
    # True when any day consulted on the way lies in a year without a confirmed calendar.
    provisional: bool


@dataclass(frozen=True)
class WorkCalendar:
    """One tenant's holiday table, as plain sets.

    ``rest_days``: holidays (法定节假日), weekends inside a holiday included.
    ``makeup_workdays``: weekend days declared working days (调休上班).
    ``known_years``: years whose calendar is complete (seeded from the package or
    confirmed by an office admin). Entries in other years still count, but the result
    stays provisional because the year may be missing some of its holidays.
    ``names``: the holiday name of each entered day, for display only.
    """

    rest_days: frozenset[dt.date] = frozenset()
    makeup_workdays: frozenset[dt.date] = frozenset()
    known_years: frozenset[int] = frozenset()
    names: Mapping[dt.date, str] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def build(
        cls,
        *,
        rest_days: Iterable[dt.date] = (),
        makeup_workdays: Iterable[dt.date] = (),
        known_years: Iterable[int] = (),
        names: Mapping[dt.date, str] | None = None,
    ) -> WorkCalendar:
        rest = frozenset(rest_days)
        makeup = frozenset(makeup_workdays)
        if rest & makeup:
            raise ValueError("a day cannot be both a rest day and a make-up workday")
        return cls(
            rest_days=rest,
            makeup_workdays=makeup,
            known_years=frozenset(known_years),
            names=MappingProxyType(dict(names or {})),
        )

    def is_known(self, year: int) -> bool:
        return year in self.known_years

    def workday_status(self, day: dt.date) -> WorkdayStatus:
        if day in self.makeup_workdays:
            workday = True
        elif day in self.rest_days:
            workday = False
        else:
            workday = day.weekday() < 5  # Monday=0 … Friday=4
        return WorkdayStatus(is_workday=workday, provisional=not self.is_known(day.year))

    def is_workday(self, day: dt.date) -> bool:
        """True on a working day; see ``workday_status`` for whether that is a guess."""
        return self.workday_status(day).is_workday

    def deadline_after(self, start: dt.date, days: int) -> DeadlineResult:
        """The last day of a period of ``days`` calendar days after ``start``.

        ``start`` itself is not counted (民法典 第二百零一条); if the day reached is not a
        workday, the period ends on the next workday (第二百零三条, 遇节假日顺延).
        Example: accident on 2026-09-28, report within 3 days → 2026-10-01 is National
        Day, so the deadline is 2026-10-08.
        """
        if days < 0:
            raise ValueError("days must not be negative")
        day = start + dt.timedelta(days=days)
        provisional = False
        while True:
            status = self.workday_status(day)
            provisional = provisional or status.provisional
            if status.is_workday:
                return DeadlineResult(date=day, provisional=provisional)
            day += ONE_DAY

    def add_working_days(self, start: dt.date, days: int) -> DeadlineResult:
        """The ``days``-th workday after ``start`` ("within N working days").

        Counting begins the day after ``start`` (第二百零一条), whether or not ``start``
        is itself a workday. Example: approval 2026-09-21 + 30 working days → 2026-11-09
        (the National Day week is skipped, the make-up Saturday 10-10 counts).
        """
        if days < 0:
            raise ValueError("days must not be negative")
        day = start
        provisional = False
        remaining = days
        while remaining:
            day += ONE_DAY
            status = self.workday_status(day)
            provisional = provisional or status.provisional
            if status.is_workday:
                remaining -= 1
        return DeadlineResult(date=day, provisional=provisional)


def waiting_period_end(effective: dt.date, days: int) -> dt.date:
    """The first covered day after a waiting period of ``days`` days.

    An event dated before ``effective + days`` is inside the wait (SPEC §5): effective
    2026-03-16 with 120 days → 2026-07-13 is still waiting, 2026-07-14 is covered. The
    wait is a plain count of calendar days: no holiday extension, because it is not a
    deadline anyone has to meet.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    return effective + dt.timedelta(days=days)
