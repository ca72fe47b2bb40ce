"""``per_day``: a daily amount for each day beyond the deductible days, up to a maximum.

住院津贴: "住院 10 天, 免赔 3 天, 每天 ¥50/份, 最多 180 天". Deductible days come off
first, then the maximum applies to what is left — the reading most plan texts give
("扣除免赔天数后, 累计给付最多180天").
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..money import fmt_money
from ..vocab import ReasonCode
from .base import FormulaContext, FormulaResult, ParamReader
from .spec import count, flag, gettext_noop, money

KIND = "per_day"
LABEL = "按天给付(住院津贴)"

PARAMS = (
    money("daily_amount", gettext_noop("Amount per day (yuan)"), "每天给付金额", required=True),
    count("deductible_days", gettext_noop("Days not paid (deductible)"), "免赔天数", default=0),
    count("max_days", gettext_noop("Most days paid"), "最多给付天数", minimum=1),
    flag("per_share", gettext_noop("The daily amount is per share"), "是否按份数计算"),
)


@dataclass(frozen=True)
class Params:
    daily_amount: Decimal
    deductible_days: int
    max_days: int | None
    per_share: bool


def read_params(raw: Any) -> tuple[Params | None, list[str]]:
    r = ParamReader(raw, PARAMS)
    daily = r.read("daily_amount")
    deductible = r.read("deductible_days")
    max_days = r.read("max_days")
    per_share = r.read("per_share")
    if r.errors or daily is None or deductible is None:
        return None, r.errors
    return Params(daily, deductible, max_days, per_share), []


def validate(raw: Any) -> list[str]:
    return read_params(raw)[1]


def compute(raw: Any, ctx: FormulaContext) -> FormulaResult:
    p, _ = read_params(raw)
    assert p is not None, "validate plan terms before assessing"
    days, problem = ctx.fact("hospital_days")
    if days is None:
        return FormulaResult.nothing(ReasonCode.MISSING_FACT, [problem or ""])
    days = int(days)
    payable = max(days - p.deductible_days, 0)
    steps = [f"住院 {days} 天 − 免赔 {p.deductible_days} 天 = {payable} 天"]
    if payable == 0:
        steps.append("没有超过免赔天数, 不予给付")
        return FormulaResult.nothing(ReasonCode.BELOW_THRESHOLD, steps)
    reason = None
    if p.max_days is not None and payable > p.max_days:
        steps.append(f"超过最多给付天数, 按 {p.max_days} 天计算")
        payable, reason = p.max_days, ReasonCode.CAP_REACHED
    if p.per_share:
        amount = p.daily_amount * payable * ctx.shares
        steps.append(
            f"{payable} 天 × {fmt_money(p.daily_amount)} × {ctx.shares} 份 = {fmt_money(amount)}"
        )
    else:
        amount = p.daily_amount * payable
        steps.append(f"{payable} 天 × {fmt_money(p.daily_amount)} = {fmt_money(amount)}")
    return FormulaResult.paid(amount, steps, reason)
