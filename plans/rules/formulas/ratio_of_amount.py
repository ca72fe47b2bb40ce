"""``ratio_of_amount``: a ratio of the eligible cost above a deductible, with caps.

意外医疗 / 住院医疗. With bands of the cost ("自付不满2,000元 80%, 2,000元以上
1万元以下 70%, 超过1万元 50%") the default reading is *progressive* (分段累计): each
slice of the cost is paid at its own band's ratio, like tax brackets — the only
reading under which paying more never yields less. ``banding: "whole"`` applies the
ratio of the band the whole cost falls in, for plans that say so explicitly.

Caps: ``cap`` per claim, ``cap_per_share`` per claim × shares; yearly caps are an
item-level modifier applied by the engine against earlier payouts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..bounds import Band
from ..money import ZERO, fmt_money, fmt_percent
from ..vocab import FACTS, MONEY_FACTS, ReasonCode
from .base import FormulaContext, FormulaResult, ParamReader
from .spec import ParamKind, bands, choice, fact, gettext_noop, money, ratio

KIND = "ratio_of_amount"
LABEL = "按费用比例给付"

BANDINGS = {"progressive": "分段累计", "whole": "按总额所在区间"}

PARAMS = (
    fact("base", gettext_noop("Counted on"), "计算基数", MONEY_FACTS, default="self_paid"),
    money("deductible", gettext_noop("Deductible (yuan)"), "起付金额", default=ZERO),
    money("cost_ceiling", gettext_noop("Costs counted up to (yuan)"), "费用封顶线"),
    ratio(
        "ratio",
        gettext_noop("One ratio for the whole cost"),
        "给付比例",
        help=gettext_noop("A fraction, e.g. 0.8 for 80%. Or leave empty and fill the bands below."),
    ),
    choice(
        "banding",
        gettext_noop("Bands apply"),
        "分段方式",
        BANDINGS,
        default="progressive",
        of="bands",
    ),
    money("cap", gettext_noop("Cap per claim (yuan)"), "封顶金额"),
    money("cap_per_share", gettext_noop("Cap per claim per share (yuan)"), "每份封顶金额"),
    bands(
        "bands",
        "分段给付比例",
        value_key="ratio",
        value_kind=ParamKind.RATIO,
        value_label=gettext_noop("ratio (e.g. 0.7)"),
        value_zh="给付比例",
        unit="元",
    ),
)


@dataclass(frozen=True)
class Params:
    base: str
    deductible: Decimal
    cost_ceiling: Decimal | None
    ratio: Decimal | None
    bands: tuple[tuple[Band, Decimal], ...]
    banding: str
    cap: Decimal | None
    cap_per_share: Decimal | None


def read_params(raw: Any) -> tuple[Params | None, list[str]]:
    r = ParamReader(raw, PARAMS)
    base = r.read("base")
    deductible = r.read("deductible")
    ceiling = r.read("cost_ceiling")
    banding = r.read("banding")
    cap = r.read("cap")
    cap_per_share = r.read("cap_per_share")
    one_ratio: Decimal | None = None
    ratio_bands: list[tuple[Band, Decimal]] = []
    has_ratio, has_bands = r.raw.get("ratio") is not None, r.raw.get("bands") is not None
    if has_ratio == has_bands:
        r.errors.append("给付比例(ratio)与分段比例(bands)必须且只能填写一种")
    elif has_ratio:
        one_ratio = r.read("ratio")
    else:
        ratio_bands = r.read("bands")
    if deductible is not None and ceiling is not None and ceiling < deductible:
        r.errors.append("费用封顶线不能低于起付金额")
    for value, label in ((cap, "封顶金额"), (cap_per_share, "每份封顶金额")):
        if value is not None and deductible is not None and value < deductible:
            # Swapped fields are the usual cause; no plan we know caps below its deductible.
            r.errors.append(f"{label}不能低于起付金额")
    if r.errors or deductible is None:
        return None, r.errors
    ratio_bands.sort(key=lambda bv: bv[0].lower.value if bv[0].lower else Decimal(-1))
    return (
        Params(
            base, deductible, ceiling, one_ratio, tuple(ratio_bands), banding, cap, cap_per_share
        ),
        [],
    )


def validate(raw: Any) -> list[str]:
    return read_params(raw)[1]


def _slice(band: Band, start: Decimal, end: Decimal) -> Decimal:
    """Length of [start, end] inside the band (ends do not matter for a length)."""
    lo = max(start, band.lower.value if band.lower else start)
    hi = min(end, band.upper.value if band.upper else end)
    return max(hi - lo, ZERO)


def compute(raw: Any, ctx: FormulaContext) -> FormulaResult:
    p, _ = read_params(raw)
    assert p is not None, "validate plan terms before assessing"
    value, problem = ctx.fact(p.base)
    if value is None:
        return FormulaResult.nothing(ReasonCode.MISSING_FACT, [problem or ""])
    label = FACTS[p.base][0]
    steps = [f"{label} {fmt_money(value)}"]
    counted = value
    if p.cost_ceiling is not None and counted > p.cost_ceiling:
        steps.append(
            f"超过费用封顶线 {fmt_money(p.cost_ceiling)}, 按 {fmt_money(p.cost_ceiling)} 计算"
        )
        counted = p.cost_ceiling
    if counted <= p.deductible:
        steps.append(f"未超过起付金额 {fmt_money(p.deductible)}, 不予给付")
        return FormulaResult.nothing(ReasonCode.BELOW_THRESHOLD, steps)
    payable_base = counted - p.deductible
    if p.deductible:
        steps.append(
            f"{fmt_money(counted)} − 起付金额 {fmt_money(p.deductible)} = {fmt_money(payable_base)}"
        )
    if p.ratio is not None:
        amount = payable_base * p.ratio
        steps.append(
            f"{fmt_money(payable_base)} × {fmt_percent(p.ratio * 100)} = {fmt_money(amount)}"
        )
    elif p.banding == "whole":
        match = next(((b, r) for b, r in p.bands if b.contains(value)), None)
        if match is None:
            steps.append("费用不在任何给付区间内, 不予给付")
            return FormulaResult.nothing(ReasonCode.NOT_COVERED, steps)
        band, ratio = match
        amount = payable_base * ratio
        steps.append(
            f"费用在「{band.describe()}」区间, 比例 {fmt_percent(ratio * 100)}: "
            f"{fmt_money(payable_base)} × {fmt_percent(ratio * 100)} = {fmt_money(amount)}"
        )
    else:
        amount = ZERO
        parts = []
        for band, ratio in p.bands:
            length = _slice(band, p.deductible, counted)
            if length > 0:
                piece = length * ratio
                amount += piece
                parts.append(fmt_money(piece))
                steps.append(
                    f"「{band.describe()}」部分 {fmt_money(length)} × {fmt_percent(ratio * 100)} "
                    f"= {fmt_money(piece)}"
                )
        if len(parts) > 1:
            steps.append(f"{' + '.join(parts)} = {fmt_money(amount)}")
    reason = None
    caps = []
    if p.cap is not None:
        caps.append((p.cap, f"封顶金额 {fmt_money(p.cap)}"))
    if p.cap_per_share is not None:
        per = p.cap_per_share * ctx.shares
        caps.append(
            (per, f"每份封顶 {fmt_money(p.cap_per_share)} × {ctx.shares} 份 = {fmt_money(per)}")
        )
    for cap, text in sorted(caps, key=lambda c: c[0]):
        if amount > cap:
            steps.append(f"{fmt_money(amount)} 超过{text}, 按 {fmt_money(cap)} 给付")
            amount, reason = cap, ReasonCode.CAP_REACHED
            break
    return FormulaResult.paid(amount, steps, reason)
