"""``monthly_allowance``: a monthly amount × months, at most ``max_months``.

绍兴 生活权益保障: "按本地最低工资标准, 每月支付生活补助费, 但最长不超过3个月".
The monthly amount is a parameter of the version because it follows the city's
minimum wage; when the wage changes the office publishes a new version rather than
re-reading old assessments with a new number.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..money import fmt_money
from ..vocab import ReasonCode
from .base import FormulaContext, FormulaResult, ParamReader
from .spec import count, flag, gettext_noop, money, text

KIND = "monthly_allowance"
LABEL = "按月给付(生活补助)"

PARAMS = (
    money("monthly_amount", gettext_noop("Amount per month (yuan)"), "每月给付金额", required=True),
    text(
        "monthly_amount_basis",
        gettext_noop("Where the monthly amount comes from"),
        "每月金额的依据说明",
        help=gettext_noop("e.g. the city's minimum monthly wage"),
    ),
    count("max_months", gettext_noop("Most months paid"), "最长给付月数", minimum=1),
    flag("per_share", gettext_noop("The monthly amount is per share"), "是否按份数计算"),
)


@dataclass(frozen=True)
class Params:
    monthly_amount: Decimal
    max_months: int | None
    per_share: bool


def read_params(raw: Any) -> tuple[Params | None, list[str]]:
    r = ParamReader(raw, PARAMS)
    monthly = r.read("monthly_amount")
    max_months = r.read("max_months")
    per_share = r.read("per_share")
    r.read("monthly_amount_basis")
    if r.errors or monthly is None:
        return None, r.errors
    return Params(monthly, max_months, per_share), []


def validate(raw: Any) -> list[str]:
    return read_params(raw)[1]


def compute(raw: Any, ctx: FormulaContext) -> FormulaResult:
    p, _ = read_params(raw)
    assert p is not None, "validate plan terms before assessing"
    months, problem = ctx.fact("months")
    if months is None:
        return FormulaResult.nothing(ReasonCode.MISSING_FACT, [problem or ""])
    months = int(months)
    if months == 0:
        return FormulaResult.nothing(ReasonCode.BELOW_THRESHOLD, ["补助月数为 0, 不予给付"])
    steps = []
    reason = None
    if p.max_months is not None and months > p.max_months:
        steps.append(f"申请 {months} 个月, 最长给付 {p.max_months} 个月")
        months, reason = p.max_months, ReasonCode.CAP_REACHED
    multiplier = ctx.shares if p.per_share else 1
    amount = p.monthly_amount * months * multiplier
    share_text = f" × {ctx.shares} 份" if p.per_share else ""
    steps.append(f"{months} 个月 × {fmt_money(p.monthly_amount)}{share_text} = {fmt_money(amount)}")
    return FormulaResult.paid(amount, steps, reason)
