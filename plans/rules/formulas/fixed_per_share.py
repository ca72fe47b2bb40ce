"""``fixed_per_share``: a fixed sum for every share in force (指定疾病 ¥15,000/份).

Shares still inside their waiting period are not counted; the engine passes only
the shares that answer the item on the event date.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..money import fmt_money
from .base import FormulaContext, FormulaResult, ParamReader
from .spec import gettext_noop, money

KIND = "fixed_per_share"
LABEL = "每份定额给付"

PARAMS = (money("amount", gettext_noop("Amount per share (yuan)"), "每份给付金额", required=True),)


@dataclass(frozen=True)
class Params:
    amount: Decimal


def read_params(raw: Any) -> tuple[Params | None, list[str]]:
    r = ParamReader(raw, PARAMS)
    amount = r.read("amount")
    if r.errors or amount is None:
        return None, r.errors
    return Params(amount), []


def validate(raw: Any) -> list[str]:
    return read_params(raw)[1]


def compute(raw: Any, ctx: FormulaContext) -> FormulaResult:
    p, _ = read_params(raw)
    assert p is not None, "validate plan terms before assessing"
    total = p.amount * ctx.shares
    return FormulaResult.paid(
        total, [f"{ctx.shares} 份 × {fmt_money(p.amount)} = {fmt_money(total)}"]
    )
