"""``band_lump_sum``: a fixed amount when the base lies in a band.

绍兴 其它疾病住院: "个人自付医治费用3000元以上1万元以下的给予2000元慰问金" —
3,000 ≤ self-paid ≤ 10,000 → ¥2,000. Several non-overlapping bands may each carry
their own amount; a base outside every band pays nothing, and the explanation says
whether it fell short of the first band or outside them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..bounds import Band
from ..money import fmt_money, fmt_number
from ..vocab import FACTS, MONEY_FACTS, ReasonCode
from .base import FormulaContext, FormulaResult, ParamReader
from .spec import ParamKind, bands, fact, flag, gettext_noop

KIND = "band_lump_sum"
LABEL = "按区间定额给付"

BASES = (*MONEY_FACTS, "hospital_days")

PARAMS = (
    fact("base", gettext_noop("Counted on"), "计算基数", BASES, default="self_paid"),
    flag("per_share", gettext_noop("Amounts are per share"), "是否按份数计算"),
    bands(
        "bands",
        "给付区间",
        value_key="amount",
        value_kind=ParamKind.MONEY,
        value_label=gettext_noop("pay (yuan)"),
        value_zh="给付金额",
        unit_from="base",
        required=True,
    ),
)


@dataclass(frozen=True)
class Params:
    base: str
    bands: tuple[tuple[Band, Decimal], ...]
    per_share: bool


def read_params(raw: Any) -> tuple[Params | None, list[str]]:
    r = ParamReader(raw, PARAMS)
    base = r.read("base")
    paid_bands = r.read("bands", unit=FACTS[base][1])
    per_share = r.read("per_share")
    if r.errors:
        return None, r.errors
    return Params(base, tuple(paid_bands), per_share), []


def validate(raw: Any) -> list[str]:
    return read_params(raw)[1]


def compute(raw: Any, ctx: FormulaContext) -> FormulaResult:
    p, _ = read_params(raw)
    assert p is not None, "validate plan terms before assessing"
    value, problem = ctx.fact(p.base)
    if value is None:
        return FormulaResult.nothing(ReasonCode.MISSING_FACT, [problem or ""])
    label, unit, kind = FACTS[p.base]
    shown = fmt_money(value) if kind == "money" else f"{fmt_number(value)}{unit}"
    for band, amount in p.bands:
        if band.contains(value):
            steps = [f"{label} {shown} 在「{band.describe(unit)}」区间内, 给付 {fmt_money(amount)}"]
            if p.per_share:
                total = amount * ctx.shares
                steps.append(f"{ctx.shares} 份 × {fmt_money(amount)} = {fmt_money(total)}")
                return FormulaResult.paid(total, steps)
            return FormulaResult.paid(amount, steps)
    if all(band.is_below(value) for band, _ in p.bands):
        described = "; ".join(band.describe(unit) for band, _ in p.bands)
        return FormulaResult.nothing(
            ReasonCode.BELOW_THRESHOLD, [f"{label} {shown} 未达到给付区间({described}), 不予给付"]
        )
    described = "; ".join(band.describe(unit) for band, _ in p.bands)
    return FormulaResult.nothing(
        ReasonCode.NOT_COVERED, [f"{label} {shown} 不在任何给付区间内({described}), 不予给付"]
    )
