"""Policy-date and premium maths (enrolment.policies): pure functions, tables of cases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from enrolment.policies import (
    Period,
    add_months,
    addition_period,
    addition_premium,
    coverage_period,
    line_premium,
    months_remaining,
    renewal_deadline,
    renewal_period,
    renewed_in_time,
    requested_period,
    tranches_for,
)

D = dt.date


@pytest.mark.parametrize(
    "paid, months, start, end",
    [
        (D(2026, 3, 15), 12, D(2026, 3, 16), D(2027, 3, 15)),  # C1
        (D(2028, 2, 29), 12, D(2028, 3, 1), D(2029, 2, 28)),  # C2
        (D(2026, 12, 31), 12, D(2027, 1, 1), D(2027, 12, 31)),
        (D(2026, 1, 31), 1, D(2026, 2, 1), D(2026, 2, 28)),
        (D(2026, 3, 15), 24, D(2026, 3, 16), D(2028, 3, 15)),
        (D(2026, 3, 15), 36, D(2026, 3, 16), D(2029, 3, 15)),
        (D(2028, 2, 29), 48, D(2028, 3, 1), D(2032, 2, 29)),
    ],
)
def test_coverage_period(paid, months, start, end):
    assert coverage_period(paid, months) == Period(start, end)


def test_requested_and_renewal_periods_follow_the_same_rule():
    assert requested_period(D(2026, 3, 16)) == Period(D(2026, 3, 16), D(2027, 3, 15))
    assert renewal_period(D(2027, 3, 15)) == Period(D(2027, 3, 16), D(2028, 3, 15))
    # A renewal starts the day after the previous end: no gap, no overlap.
    previous = coverage_period(D(2028, 2, 29))
    follow = renewal_period(previous.end)
    assert follow.start == previous.end + dt.timedelta(days=1) and not follow.overlaps(previous)


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2026, 5, 15), -12, D(2025, 5, 15)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    "start, end, months",
    [
        (D(2026, 3, 16), D(2027, 3, 15), 12),
        (D(2026, 9, 16), D(2027, 3, 15), 6),  # exactly six months
        (D(2026, 9, 20), D(2027, 3, 15), 6),  # five months and some days: rounded up
        (D(2027, 3, 15), D(2027, 3, 15), 1),  # one day is a started month
        (D(2027, 2, 16), D(2027, 3, 15), 1),
    ],
)
def test_months_remaining(start, end, months):
    assert months_remaining(start=start, end=end) == months


@pytest.mark.parametrize(
    "rule, start, expected",
    [
        ("prorate_monthly", D(2026, 9, 20), Decimal("60.00")),  # 120 × 6 / 12
        ("prorate_monthly", D(2026, 4, 1), Decimal("120.00")),  # 12 started months
        ("prorate_monthly", D(2027, 1, 10), Decimal("30.00")),  # 3 months
        ("full_term", D(2027, 1, 10), Decimal("120.00")),
    ],
)
def test_addition_premium(rule, start, expected):
    premium = addition_premium(
        rule=rule, full_premium=Decimal("120.00"), start=start, end=D(2027, 3, 15)
    )
    assert premium == expected


def test_addition_premium_refuses_when_additions_are_not_allowed():
    with pytest.raises(ValueError):
        addition_premium(
            rule="not_allowed", full_premium=Decimal(1), start=D(2026, 1, 1), end=D(2026, 12, 31)
        )


def test_addition_premium_of_a_longer_term_prorates_over_its_months():
    premium = addition_premium(
        rule="prorate_monthly",
        full_premium=Decimal("240.00"),
        start=D(2027, 3, 16),
        end=D(2028, 3, 15),
        term_months=24,
    )
    assert premium == Decimal("120.00")  # 12 of 24 months


def test_addition_period_joins_the_common_period():
    common = Period(D(2026, 3, 16), D(2027, 3, 15))
    assert addition_period(join_date=D(2026, 9, 1), common=common) == Period(
        D(2026, 9, 1), D(2027, 3, 15)
    )
    assert addition_period(join_date=D(2026, 1, 1), common=common) == common
    with pytest.raises(ValueError):
        addition_period(join_date=D(2027, 3, 16), common=common)


@pytest.mark.parametrize(
    "renewal, paid, in_time",
    [
        ({"deadline_days_before_end": 20}, D(2027, 2, 23), True),  # 绍兴: 20 days before
        ({"deadline_days_before_end": 20}, D(2027, 2, 24), False),
        ({"deadline_days_before_end": 0}, D(2027, 3, 15), True),
        ({"deadline_days_before_end": 0}, D(2027, 3, 16), False),
        ({"grace_days_after_end": 30}, D(2027, 4, 14), True),
        ({"grace_days_after_end": 30}, D(2027, 4, 15), False),
    ],
)
def test_renewal_deadline(renewal, paid, in_time):
    end = D(2027, 3, 15)
    assert renewed_in_time(payment_date=paid, previous_end=end, renewal=renewal) is in_time
    assert (paid <= renewal_deadline(end, renewal)) is in_time


def test_tranches_keep_no_wait_for_shares_renewed_in_time():
    start = D(2027, 3, 16)
    kept, added = tranches_for(
        start=start, shares=5, waiting_days=120, previous_shares=3, renewed_in_time=True
    )
    assert (kept.shares, kept.waiting_end) == (3, start)
    assert (added.shares, added.waiting_end) == (2, D(2027, 7, 14))
    [late] = tranches_for(
        start=start, shares=5, waiting_days=120, previous_shares=3, renewed_in_time=False
    )
    assert (late.shares, late.waiting_end) == (5, D(2027, 7, 14))


def test_line_premium():
    assert line_premium(shares=3, premium_per_share=Decimal("40.00")) == Decimal("120.00")
    assert line_premium(shares=1, tier_premium=Decimal("26")) == Decimal("26.00")
