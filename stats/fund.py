"""The fund statement of a plan for a year (互助金收支情况, SPEC §11), as pure arithmetic.

No database here: ``fund_statement`` takes the year's figures (from the summaries) and the
plan's allocation rule (the ``surplus_allocation`` of its terms) and returns every line of
the statement, Decimal only, so its tests are tables of numbers.

    surplus = premium income − payouts − (reserves at the end − reserves at the start)
    reserves = unearned premium (paid cover still to run, pro rata by days)
             + outstanding payouts (approved, not yet paid)

A positive surplus is allocated by the plan's rule (绍兴: 80 % to health checks and
recuperation, 20 % carried forward); each share is rounded half-up to the fen and the
last share takes the rounding difference, so the lines always add up to the surplus. A
plan without a rule carries the whole surplus forward. A deficit (surplus ≤ 0) allocates
nothing: it is met from the fund carried forward from earlier years.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal("100")
CARRIED_FORWARD = "carried_forward"


def _money(value: Decimal | int | str | None) -> Decimal:
    if value is None:
        return ZERO
    if isinstance(value, float | bool):
        raise TypeError("money is Decimal, never float")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Reserves:
    unearned_premium: Decimal = ZERO
    outstanding_payouts: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.unearned_premium + self.outstanding_payouts


@dataclass(frozen=True)
class AllocationLine:
    purpose: str
    label: str
    share: Decimal  # a fraction: 0.80
    amount: Decimal

    @property
    def percent(self) -> str:
        """80 for a share of 0.80, 12.5 for 0.125 (no exponent: 80.00 normalizes to 8E+1)."""
        return f"{(self.share * HUNDRED).normalize():f}"


@dataclass(frozen=True)
class FundStatement:
    year: int
    #: The day the closing reserves were measured (31 December, or earlier while the year runs).
    closing_on: dt.date
    premium_income: Decimal
    payouts: Decimal
    opening: Reserves
    closing: Reserves
    surplus: Decimal
    allocation: list[AllocationLine] = field(default_factory=list)
    claims_paid: int = 0
    large_payouts: int = 0
    largest_payout: Decimal = ZERO
    policies_started: int = 0
    #: False: the allocation comes from the plan's rule; True: no rule, all carried forward.
    default_rule: bool = False

    @property
    def provisional(self) -> bool:
        """The year is not over: the figures run to ``closing_on``."""
        return self.closing_on < dt.date(self.year, 12, 31)

    @property
    def reserve_change(self) -> Decimal:
        return self.closing.total - self.opening.total

    @property
    def is_deficit(self) -> bool:
        return self.surplus <= 0

    @property
    def payout_ratio(self) -> Decimal | None:
        """Payouts as a percentage of premium income (one decimal), None without income."""
        if self.premium_income <= 0:
            return None
        return (self.payouts * HUNDRED / self.premium_income).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


def allocate(
    surplus: Decimal, rule: Iterable[Mapping[str, Any]] | None
) -> tuple[list[AllocationLine], bool]:
    """The surplus split by the rule (purpose, label, share); (lines, default_rule).

    Nothing is allocated from a deficit. The last line takes the rounding difference."""
    surplus = _money(surplus)
    entries = [dict(entry) for entry in (rule or ())]
    default = not entries
    if default:
        entries = [{"purpose": CARRIED_FORWARD, "label": "", "share": "1"}]
    if surplus <= 0:
        return [], default
    lines: list[AllocationLine] = []
    remaining = surplus
    for index, entry in enumerate(entries):
        share = Decimal(str(entry.get("share") or "0"))
        if index == len(entries) - 1:
            amount = remaining
        else:
            amount = (surplus * share).quantize(CENT, rounding=ROUND_HALF_UP)
            remaining -= amount
        lines.append(
            AllocationLine(
                purpose=str(entry.get("purpose") or ""),
                label=str(entry.get("label") or ""),
                share=share,
                amount=amount,
            )
        )
    return lines, default


def fund_statement(
    *,
    year: int,
    closing_on: dt.date,
    premium_income: Decimal,
    payouts: Decimal,
    opening: Reserves,
    closing: Reserves,
    rule: Iterable[Mapping[str, Any]] | None,
    claims_paid: int = 0,
    large_payouts: int = 0,
    largest_payout: Decimal = ZERO,
    policies_started: int = 0,
) -> FundStatement:
    premium_income = _money(premium_income)
    payouts = _money(payouts)
    opening = Reserves(_money(opening.unearned_premium), _money(opening.outstanding_payouts))
    closing = Reserves(_money(closing.unearned_premium), _money(closing.outstanding_payouts))
    surplus = premium_income - payouts - (closing.total - opening.total)
    lines, default = allocate(surplus, rule)
    return FundStatement(
        year=year,
        closing_on=closing_on,
        premium_income=premium_income,
        payouts=payouts,
        opening=opening,
        closing=closing,
        surplus=surplus,
        allocation=lines,
        claims_paid=claims_paid,
        large_payouts=large_payouts,
        largest_payout=_money(largest_payout),
        policies_started=policies_started,
        default_rule=default,
    )
