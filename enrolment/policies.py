"""Policy-date and premium maths as pure functions: dates and Decimals in, no database.

SPEC §5: cover runs from 00:00 of the day after payment to 24:00 of the same calendar
day ``term_months`` later (paid 2026-03-15 → 2026-03-16 … 2027-03-15; paid 2028-02-29
→ 2028-03-01 … 2029-02-28: a day the later month lacks falls back to its last day).
A waiting period of N days ends on effective + N days, the first covered day
(``plans.rules.waiting_period_end``; effective 2026-03-16, N = 120 → 2026-07-14).

The premiums issue calls ``line_premium``/``addition_premium`` for invoices, and the
renewal job ``renewal_deadline``/``renewed_in_time``.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from plans.rules import ShareTranche, build_tranches

ONE_DAY = timedelta(days=1)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Period:
    """A coverage period; both days are covered."""

    start: date
    end: date

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end


def add_months(day: date, months: int) -> date:
    """The same calendar day ``months`` later, or the last day of that month if it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def coverage_period(payment_date: date, term_months: int = 12) -> Period:
    """Cover bought by a payment on ``payment_date`` (C1, C2)."""
    if term_months < 1:
        raise ValueError("a term has at least one month")
    return Period(payment_date + ONE_DAY, add_months(payment_date, term_months))


def requested_period(start: date, term_months: int = 12) -> Period:
    """The period an enrolment asks for when cover is to start on ``start``
    (as if paid the day before: the same rule, read from the other end)."""
    return coverage_period(start - ONE_DAY, term_months)


def renewal_period(previous_end: date, term_months: int = 12) -> Period:
    """A renewal paid in time continues the day after the previous period, with no gap."""
    return coverage_period(previous_end, term_months)


def addition_period(*, join_date: date, common: Period) -> Period:
    """A mid-term addition joins the unit's common period: from its own start to the common end."""
    start = max(join_date, common.start)
    if start > common.end:
        raise ValueError("the common period has ended")
    return Period(start, common.end)


def renewal_deadline(previous_end: date, renewal: Mapping[str, Any] | None) -> date:
    """Last payment day that keeps cover continuous (SPEC §3, §7).

    ``{"deadline_days_before_end": 20}`` → 20 days before the end (绍兴);
    ``{"grace_days_after_end": 30}`` → up to 30 days after it; neither → the end day.
    """
    renewal = renewal or {}
    grace = renewal.get("grace_days_after_end")
    if grace is not None:
        return previous_end + timedelta(days=grace)
    return previous_end - timedelta(days=renewal.get("deadline_days_before_end") or 0)


def renewal_window(
    previous_end: date, renewal: Mapping[str, Any] | None, *, notice_days: int
) -> Period:
    """The days on which a renewal may be invoiced and paid (SPEC §7; issue 16 item 5).

    It opens when the daily run prepares the renewal, ``notice_days`` before the previous
    end, and closes at the end of its grace: the plan's grace period after the end, or, for
    a plan whose deadline falls on or before the end, as many days after the end as the
    notice ran before it. Paid by ``renewal_deadline`` the cover continues with no gap;
    paid later but inside the window it lapses and starts as new cover; outside the window
    it is refused — never paid a year ahead, before the cover it continues has begun.
    """
    opens = previous_end - timedelta(days=notice_days)
    closes = max(renewal_deadline(previous_end, renewal), previous_end + timedelta(notice_days))
    return Period(opens, closes)


def renewed_in_time(
    *, payment_date: date, previous_end: date, renewal: Mapping[str, Any] | None
) -> bool:
    return payment_date <= renewal_deadline(previous_end, renewal)


def tranches_for(
    *,
    start: date,
    shares: int,
    waiting_days: int,
    previous_shares: int = 0,
    renewed_in_time: bool = False,
) -> tuple[ShareTranche, ...]:
    """The engine's tranches (one rule for assessments and enrolment alike): shares carried
    over by a renewal in time have no wait, every other share waits ``waiting_days``."""
    return build_tranches(
        start=start,
        shares=shares,
        waiting_days=waiting_days,
        previous_shares=previous_shares,
        renewed_in_time=renewed_in_time,
    )


def months_remaining(*, start: date, end: date, term_months: int = 12) -> int:
    """Whole months from ``start`` to ``end`` (both covered), a started month counting as one.

    2026-09-16 … 2027-03-15 is 6 months; 2026-09-20 … 2027-03-15 is 5 months and some days,
    so 6. Never more than the term.
    """
    if end < start:
        return 0
    months = 1
    while months < term_months and add_months(start, months) <= end:
        months += 1
    return months


def line_premium(
    *, shares: int, premium_per_share: Decimal | None = None, tier_premium: Decimal | None = None
) -> Decimal:
    """A full term's premium for one member: shares × premium per share, or the tier's premium."""
    if tier_premium is not None:
        return tier_premium.quantize(CENT, ROUND_HALF_UP)
    if premium_per_share is None:
        raise ValueError("a premium per share or a tier premium is needed")
    return (premium_per_share * shares).quantize(CENT, ROUND_HALF_UP)


def addition_premium(
    *, rule: str, full_premium: Decimal, start: date, end: date, term_months: int = 12
) -> Decimal:
    """What a mid-term addition pays (SPEC §3):

    - ``prorate_monthly``: premium × remaining months / term months, months rounded up
      (for the usual 12-month term: premium × months / 12);
    - ``full_term``: the whole premium;
    - ``not_allowed``: raises ValueError — the enrolment rules refuse such additions first.
    """
    if rule == "full_term":
        return full_premium.quantize(CENT, ROUND_HALF_UP)
    if rule == "prorate_monthly":
        months = months_remaining(start=start, end=end, term_months=term_months)
        return (full_premium * months / term_months).quantize(CENT, ROUND_HALF_UP)
    raise ValueError(f"mid-term additions are not allowed ({rule})")
