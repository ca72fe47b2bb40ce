"""Engine input: what the member holds (PolicySnapshot) and what happened (ClaimFacts).

Both are plain frozen dataclasses so the Django layer can build them from rows and
tests can build them by hand; the engine never reaches back into the database.
Waiting-period arithmetic lives here too because the enrolment side needs the same
dates when it creates share tranches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # terms → validation → formulas → policy would otherwise be a cycle
    from .terms import PlanTerms


def waiting_period_end(effective: date, days: int) -> date:
    """First covered day after a waiting period of ``days`` days.

    An event dated before effective + N days is inside the wait (SPEC §5):
    effective 2026-03-16, N = 120 → 2026-07-13 inside, 2026-07-14 covered.
    """
    if days < 0:
        raise ValueError("waiting days cannot be negative")
    return effective + timedelta(days=days)


@dataclass(frozen=True)
class ShareTranche:
    """Shares bought together, with their own waiting period.

    ``waiting_end`` is the first day these shares answer items that have a waiting
    period; it equals ``start`` when there is no wait (e.g. shares carried over by a
    renewal paid in time).
    """

    shares: int
    start: date
    waiting_end: date

    def held_on(self, day: date) -> bool:
        return self.start <= day

    def waiting_on(self, day: date) -> bool:
        return self.start <= day < self.waiting_end

    def day_number(self, day: date) -> int:
        """1 on the tranche's first day; staged waiting periods count in these days."""
        return (day - self.start).days + 1


def build_tranches(
    *,
    start: date,
    shares: int,
    waiting_days: int,
    previous_shares: int = 0,
    renewed_in_time: bool = False,
) -> tuple[ShareTranche, ...]:
    """Tranches for an enrolment starting on ``start``.

    A renewal paid in time keeps cover without a new wait for the shares already
    held (SPEC §7); shares added at renewal, and everything in a new or lapsed
    enrolment, wait ``waiting_days``.
    """
    if shares < 1:
        raise ValueError("a policy holds at least one share")
    waiting_end = waiting_period_end(start, waiting_days)
    carried = min(previous_shares, shares) if renewed_in_time else 0
    tranches = []
    if carried:
        tranches.append(ShareTranche(shares=carried, start=start, waiting_end=start))
    if shares - carried:
        tranches.append(ShareTranche(shares=shares - carried, start=start, waiting_end=waiting_end))
    return tuple(tranches)


@dataclass(frozen=True)
class EarlierPayout:
    """A payout already made (or approved) on this policy in its current period."""

    item_code: str
    amount: Decimal
    event_ref: str | None = None


@dataclass(frozen=True)
class PolicySnapshot:
    """What the member holds, as of the assessment.

    ``start``..``end`` is the coverage period, both days covered. ``cover_ended_on``
    is set when cover stopped early (an item that ends cover was paid, resignation
    under 绍兴 rules…): events after that day are not covered. ``tier`` selects one
    of the version's tiers for plans sold in tiers (档).
    """

    terms: PlanTerms
    start: date
    end: date
    tranches: tuple[ShareTranche, ...]
    tier: str | None = None
    cover_ended_on: date | None = None
    earlier_payouts: tuple[EarlierPayout, ...] = ()
    plan_name: str = ""

    @property
    def shares(self) -> int:
        return sum(t.shares for t in self.tranches)

    def in_force_on(self, day: date) -> bool:
        if not (self.start <= day <= self.end):
            return False
        return self.cover_ended_on is None or day <= self.cover_ended_on


def new_policy_snapshot(
    *,
    terms: PlanTerms,
    start: date,
    end: date,
    shares: int = 1,
    previous_shares: int = 0,
    renewed_in_time: bool = False,
    tier: str | None = None,
    earlier_payouts: tuple[EarlierPayout, ...] = (),
    plan_name: str = "",
) -> PolicySnapshot:
    """Convenience for the common case: one enrolment, waiting days from the terms."""
    tranches = build_tranches(
        start=start,
        shares=shares,
        waiting_days=terms.waiting_period.days,
        previous_shares=previous_shares,
        renewed_in_time=renewed_in_time,
    )
    return PolicySnapshot(
        terms=terms,
        start=start,
        end=end,
        tranches=tranches,
        tier=tier,
        earlier_payouts=earlier_payouts,
        plan_name=plan_name,
    )


@dataclass(frozen=True)
class ClaimFacts:
    """What happened, as established by the reviewer from the claim papers.

    Only the facts an item's formula needs must be present; a missing one yields
    the reason code MISSING_FACT rather than an exception, so a half-complete claim
    can still be shown to the reviewer with what is missing.
    """

    event_kind: str
    event_date: date
    condition: str | None = None
    cause: str | None = None
    self_paid: Decimal | None = None
    eligible_cost: Decimal | None = None
    hospital_days: int | None = None
    disability_grade: int | None = None
    months: int | None = None
    decided_amount: Decimal | None = None
    died_within_days: int | None = None
    event_ref: str | None = None
    exclusions: tuple[str, ...] = field(default_factory=tuple)

    @property
    def effective_cause(self) -> str | None:
        """An accident event is caused by an accident even when nobody says so."""
        if self.cause is None and self.event_kind == "accident":
            return "accident"
        return self.cause

    def fact(self, name: str) -> Decimal | int | None:
        return getattr(self, name)
