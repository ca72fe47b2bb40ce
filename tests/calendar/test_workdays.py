"""The pure rules, as tables of dates (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from mutualaid.calendar.workdays import DeadlineResult, WorkCalendar, waiting_period_end

D = dt.date

# A hand-made slice of the 2026 schedule: National Day 10-01..10-07, make-up 09-20 (Sun)
# and 10-10 (Sat).
CAL = WorkCalendar.build(
    rest_days=[D(2026, 10, d) for d in range(1, 8)],
    makeup_workdays=[D(2026, 9, 20), D(2026, 10, 10)],
    known_years=[2026],
)
EMPTY = WorkCalendar()


@pytest.mark.parametrize(
    ("day", "workday", "provisional"),
    [
        (D(2026, 9, 18), True, False),  # Friday
        (D(2026, 9, 19), False, False),  # Saturday
        (D(2026, 9, 20), True, False),  # make-up Sunday
        (D(2026, 10, 1), False, False),  # National Day (Thursday)
        (D(2026, 10, 10), True, False),  # make-up Saturday
        (D(2027, 10, 1), True, True),  # unknown year: Friday, Monday–Friday assumed
        (D(2027, 10, 2), False, True),  # unknown year: Saturday
    ],
)
def test_workday_status(day, workday, provisional):
    status = CAL.workday_status(day)
    assert (status.is_workday, status.provisional) == (workday, provisional)
    assert CAL.is_workday(day) is workday


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (D(2026, 9, 28), 3, DeadlineResult(D(2026, 10, 8), False)),  # lands in the holiday
        (D(2026, 9, 17), 3, DeadlineResult(D(2026, 9, 20), False)),  # lands on a make-up Sunday
        (D(2026, 9, 9), 3, DeadlineResult(D(2026, 9, 14), False)),  # ordinary Saturday → Monday
        (D(2026, 9, 21), 0, DeadlineResult(D(2026, 9, 21), False)),
        (D(2026, 12, 30), 3, DeadlineResult(D(2027, 1, 4), True)),  # 2027-01-02 Sat, unknown year
        (D(2026, 12, 20), 1, DeadlineResult(D(2026, 12, 21), False)),
    ],
)
def test_deadline_after(start, days, expected):
    assert CAL.deadline_after(start, days) == expected


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (D(2026, 9, 30), 1, DeadlineResult(D(2026, 10, 8), False)),
        (D(2026, 10, 9), 1, DeadlineResult(D(2026, 10, 10), False)),  # the make-up Saturday counts
        (D(2026, 9, 19), 1, DeadlineResult(D(2026, 9, 20), False)),  # start on a rest day
        (D(2026, 9, 21), 0, DeadlineResult(D(2026, 9, 21), False)),
        (D(2026, 12, 30), 2, DeadlineResult(D(2027, 1, 1), True)),  # 12-31, then 2027-01-01 (guess)
    ],
)
def test_add_working_days(start, days, expected):
    assert CAL.add_working_days(start, days) == expected


def test_year_without_data_falls_back_to_monday_to_friday_and_is_provisional():
    # 2031-01-01 is a Wednesday; without data it is an ordinary workday, flagged.
    assert EMPTY.workday_status(D(2031, 1, 1)).is_workday is True
    assert EMPTY.deadline_after(D(2031, 1, 1), 3) == DeadlineResult(
        D(2031, 1, 6), True
    )  # Sat → Mon
    assert EMPTY.add_working_days(D(2031, 1, 2), 5) == DeadlineResult(D(2031, 1, 9), True)
    week = [EMPTY.is_workday(D(2031, 1, 6) + dt.timedelta(days=i)) for i in range(7)]
    assert week == [True] * 5 + [False] * 2


def test_entered_days_count_in_an_incomplete_year_but_stay_provisional():
    cal = WorkCalendar.build(rest_days=[D(2031, 1, 1)])
    assert cal.deadline_after(D(2030, 12, 29), 3) == DeadlineResult(D(2031, 1, 2), True)


@pytest.mark.parametrize("method", ["deadline_after", "add_working_days"])
def test_negative_days_are_refused(method):
    with pytest.raises(ValueError):
        getattr(CAL, method)(D(2026, 1, 1), -1)


def test_a_day_cannot_be_rest_and_workday():
    with pytest.raises(ValueError):
        WorkCalendar.build(rest_days=[D(2026, 1, 4)], makeup_workdays=[D(2026, 1, 4)])


def test_waiting_period_end_is_the_first_covered_day():
    assert waiting_period_end(D(2026, 3, 16), 120) == D(2026, 7, 14)
    assert waiting_period_end(D(2026, 3, 16), 0) == D(2026, 3, 16)
