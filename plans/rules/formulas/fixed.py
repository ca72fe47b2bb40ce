"""``fixed``: one amount whatever the shares (绍兴 人身伤害身故 ¥20,000)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..money import fmt_money
from .base import FormulaContext, FormulaResult, ParamReader
from .spec import gettext_noop, money

KIND = "fixed"
LABEL = "定额给付"

PARAMS = (money("amount", gettext_noop("Amount (yuan)"), "给付金额", required=True),)


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
    return FormulaResult.paid(p.amount, [f"定额给付 {fmt_money(p.amount)}"])
