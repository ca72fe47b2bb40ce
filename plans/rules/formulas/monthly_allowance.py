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

KIND = "monthly_allowance"
LABEL = "按月给付(生活补助)"


@dataclass(frozen=True)
class Params:
    monthly_amount: Decimal
    max_months: int | None
    per_share: bool


def read_params(raw: Any) -> tuple[Params | None, list[str]]:
    r = ParamReader(raw, {"monthly_amount", "max_months", "per_share", "monthly_amount_basis"})
    monthly = r.money("monthly_amount", "每月给付金额")
    max_months = r.count("max_months", "最长给付月数", required=False, minimum=1)
    per_share = r.flag("per_share", "是否按份数计算", default=False)
    basis = r.raw.get("monthly_amount_basis")
    if basis is not None and not isinstance(basis, str):
        r.errors.append("每月金额的依据说明必须是文字")
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
