"""``schedule_percent``: a table of percentages (伤残等级 1–10 级 → 100%…10%) × a sum.

The sum is per share or fixed. Grades missing from the table pay nothing, so a
table that stops at grade 8 really means grades 9–10 are not covered.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..money import fmt_money, fmt_percent
from ..vocab import COUNT_FACTS, FACTS, ReasonCode
from .base import FormulaContext, FormulaResult, ParamReader
from .spec import fact, flag, gettext_noop, money, schedule

KIND = "schedule_percent"
LABEL = "按比例表给付(如伤残等级)"

PARAMS = (
    fact(
        "base",
        gettext_noop("Table looked up by"),
        "查表依据",
        COUNT_FACTS,
        default="disability_grade",
    ),
    money("sum", gettext_noop("Sum the percentages apply to (yuan)"), "基准金额", required=True),
    flag(
        "per_share", gettext_noop("The sum is per share"), "基准金额是否按份数计算", keep_false=True
    ),
    schedule("schedule", gettext_noop("Grade {} (%)"), "给付比例表"),
)


@dataclass(frozen=True)
class Params:
    base: str
    schedule: dict[int, Decimal]
    sum: Decimal
    per_share: bool


def read_params(raw: Any) -> tuple[Params | None, list[str]]:
    r = ParamReader(raw, PARAMS)
    base = r.read("base")
    total = r.read("sum")
    per_share = r.read("per_share")
    table = r.raw.get("schedule")
    percents: dict[int, Decimal] = {}
    if not isinstance(table, dict) or not table:
        r.errors.append('请填写给付比例表(如 {"1": "100", "2": "90"})')
    else:
        label = FACTS[base][0]
        for key, pct in table.items():
            try:
                grade = int(str(key))
            except ValueError:
                r.errors.append(f"给付比例表的{label}必须是整数: {key}")
                continue
            if grade < 0:
                r.errors.append(f"给付比例表的{label}不能为负数: {key}")
                continue
            value = r.fraction(
                "schedule", f"{label} {grade} 的给付比例(百分数)", maximum=Decimal(100), raw=pct
            )
            if value is not None:
                percents[grade] = value
    if r.errors or total is None:
        return None, r.errors
    return Params(base, dict(sorted(percents.items())), total, per_share), []


def validate(raw: Any) -> list[str]:
    return read_params(raw)[1]


def compute(raw: Any, ctx: FormulaContext) -> FormulaResult:
    p, _ = read_params(raw)
    assert p is not None, "validate plan terms before assessing"
    value, problem = ctx.fact(p.base)
    if value is None:
        return FormulaResult.nothing(ReasonCode.MISSING_FACT, [problem or ""])
    label, unit, _ = FACTS[p.base]
    pct = p.schedule.get(int(value))
    if pct is None:
        return FormulaResult.nothing(
            ReasonCode.NOT_COVERED, [f"{label} {value}{unit} 不在给付比例表中, 不予给付"]
        )
    steps = [f"{label} {value}{unit}, 给付比例 {fmt_percent(pct)}"]
    if p.per_share:
        amount = p.sum * ctx.shares * pct / 100
        steps.append(
            f"{ctx.shares} 份 × {fmt_money(p.sum)} × {fmt_percent(pct)} = {fmt_money(amount)}"
        )
    else:
        amount = p.sum * pct / 100
        steps.append(f"{fmt_money(p.sum)} × {fmt_percent(pct)} = {fmt_money(amount)}")
    return FormulaResult.paid(amount, steps)
