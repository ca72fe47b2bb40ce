"""``per_unit_of_amount``: so much for each *whole* unit of a base amount.

绍兴 重大疾病: "自付1万元以上10万元以下每万补助2000元; 超过10万元以上, 最高补贴3万" —
¥2,000 per whole ¥10,000 of self-paid cost, nothing below ¥10,000 (以上: 10,000
itself counts), capped at ¥30,000. Units are counted on the whole base once the base
reaches the threshold (¥35,000 → 3 units), which is how the plan's worked examples
read; partial units are never paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from ..bounds import Band, Bound
from ..money import fmt_money
from ..vocab import FACTS, MONEY_FACTS, ReasonCode
from .base import FormulaContext, FormulaResult, ParamReader
from .spec import fact, flag, gettext_noop, lower_term, money

KIND = "per_unit_of_amount"
LABEL = "按每满一定金额给付"

PARAMS = (
    fact("base", gettext_noop("Counted on"), "计算基数", MONEY_FACTS, default="self_paid"),
    money(
        "unit",
        gettext_noop("For each whole (yuan)"),
        "计算单位金额(每满多少元)",
        required=True,
        positive=True,
        help=gettext_noop("e.g. 10000 for “每满1万元”"),
    ),
    money("per_unit", gettext_noop("pay (yuan)"), "每单位给付金额", required=True),
    money("min_base", gettext_noop("Counted only from (yuan)"), "起付金额"),
    lower_term(
        "min_base_inclusive",
        "起付金额是否包含本数(以上=true, 超过=false)",
        of="min_base",
        field="min_base_term",
    ),
    money("cap", gettext_noop("Cap (yuan)"), "封顶金额"),
    flag("per_share", gettext_noop("Amounts are per share"), "是否按份数计算"),
)


@dataclass(frozen=True)
class Params:
    base: str
    unit: Decimal
    per_unit: Decimal
    threshold: Band
    cap: Decimal | None
    per_share: bool


def read_params(raw: Any) -> tuple[Params | None, list[str]]:
    r = ParamReader(raw, PARAMS)
    base = r.read("base")
    unit = r.read("unit")
    per_unit = r.read("per_unit")
    min_base = r.read("min_base")
    inclusive = r.read("min_base_inclusive")
    cap = r.read("cap")
    per_share = r.read("per_share")
    if cap is not None and min_base is not None and cap < min_base:
        # In every plan we know the benefit cap is far above the cost threshold; a cap
        # below it nearly always means the two fields were swapped on the form.
        r.errors.append("封顶金额不能低于起付金额")
    if r.errors or unit is None or per_unit is None:
        return None, r.errors
    threshold = Band(Bound(min_base, inclusive)) if min_base is not None else Band()
    return Params(base, unit, per_unit, threshold, cap, per_share), []


def validate(raw: Any) -> list[str]:
    return read_params(raw)[1]


def compute(raw: Any, ctx: FormulaContext) -> FormulaResult:
    p, _ = read_params(raw)
    assert p is not None, "validate plan terms before assessing"
    value, problem = ctx.fact(p.base)
    if value is None:
        return FormulaResult.nothing(ReasonCode.MISSING_FACT, [problem or ""])
    label = FACTS[p.base][0]
    steps = [f"{label} {fmt_money(value)}"]
    if p.threshold.is_below(value):
        steps.append(f"未达到起付标准({p.threshold.describe()}), 不予给付")
        return FormulaResult.nothing(ReasonCode.BELOW_THRESHOLD, steps)
    units = int((value / p.unit).to_integral_value(rounding=ROUND_FLOOR))
    steps.append(
        f"每满 {fmt_money(p.unit)} 给付 {fmt_money(p.per_unit)}: "
        f"{fmt_money(value)} ÷ {fmt_money(p.unit)} 取整 = {units} 个单位"
    )
    multiplier = ctx.shares if p.per_share else 1
    amount = p.per_unit * units * multiplier
    if p.per_share:
        steps.append(f"{units} × {fmt_money(p.per_unit)} × {ctx.shares} 份 = {fmt_money(amount)}")
    else:
        steps.append(f"{units} × {fmt_money(p.per_unit)} = {fmt_money(amount)}")
    reason = None
    if p.cap is not None:
        cap = p.cap * multiplier
        if amount > cap:
            steps.append(
                f"{fmt_money(amount)} 超过封顶金额"
                f" {fmt_money(cap)}, 按封顶金额给付 {fmt_money(cap)}"
            )
            amount, reason = cap, ReasonCode.CAP_REACHED
    if units == 0:
        reason = ReasonCode.BELOW_THRESHOLD
    return FormulaResult.paid(amount, steps, reason)
