"""Decimal helpers for the benefit engine.

Money is yuan with two places, rounded half-up (四舍五入), the way an office clerk
rounds on paper. Floats are refused outright: a float in plan terms or claim facts
means somebody lost precision upstream, and an assessment must be reproducible to
the fen.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from mutualaid.money import parse_amount

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Plain data (Decimal, int or numeric string) as Decimal, through the portal's one
    amount reader (``mutualaid.money.parse_amount``, itself pure Python).

    Raises TypeError for floats and bools (never silently accepted) and ValueError for
    text that is not a finite number.
    """
    return parse_amount(value)


def quantize_money(value: Decimal) -> Decimal:
    """Round to 0.01 yuan, half-up."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt_money(value: Decimal) -> str:
    """¥45,000.00 — the form used in every explanation step."""
    return f"¥{quantize_money(value):,.2f}"


def fmt_number(value: Decimal | int) -> str:
    """3,000 or 2,999.99 — for band bounds, where trailing .00 only adds noise."""
    d = Decimal(value)
    if d == d.to_integral_value():
        return f"{d.to_integral_value():,}"
    return f"{d.normalize():,f}"


def fmt_percent(value: Decimal) -> str:
    """80% or 12.5% from a percent number (80, 12.5)."""
    return f"{fmt_number(value)}%"
