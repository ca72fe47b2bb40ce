"""Bands and thresholds with Chinese legal counting.

民法典 第一千二百五十九条: "以上、以下、以内、届满" include the number itself,
"不满、超过、以外" exclude it. Plan texts are written in these words, so every
threshold here carries an explicit inclusive/exclusive flag instead of a bare
number: "自付3000元以上1万元以下" is 3,000 ≤ x ≤ 10,000 and "超过10万元" is
x > 100,000. Getting this wrong pays (or refuses) claims that sit exactly on a
boundary, which is where members and reviewers look first.

Stored form (plain, JSON-friendly) of a band::

    {"lower": "3000", "lower_inclusive": True, "upper": "10000", "upper_inclusive": True}

Either side may be omitted (unbounded). ``Band.from_terms`` builds one from the legal
words themselves, which is how seed data and tests read best.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .money import fmt_number, to_decimal

#: Words that open a range from below; True when the number itself is included.
LOWER_TERMS: dict[str, bool] = {"以上": True, "届满": True, "超过": False, "以外": False}
#: Words that close a range from above; True when the number itself is included.
UPPER_TERMS: dict[str, bool] = {"以下": True, "以内": True, "不满": False, "未满": False}


@dataclass(frozen=True)
class Bound:
    """One end of a band: a number and whether the number itself belongs to the band."""

    value: Decimal
    inclusive: bool

    def lower_term(self) -> str:
        return "以上" if self.inclusive else "超过"

    def upper_term(self) -> str:
        return "以下" if self.inclusive else "不满"


@dataclass(frozen=True)
class Band:
    """A range of amounts (or days, grades …); None on a side means unbounded."""

    lower: Bound | None = None
    upper: Bound | None = None

    @classmethod
    def from_terms(
        cls,
        lower: tuple[Decimal | int | str, str] | None = None,
        upper: tuple[Decimal | int | str, str] | None = None,
    ) -> Band:
        """Band.from_terms(lower=(3000, "以上"), upper=(10000, "以下"))."""
        lo = hi = None
        if lower is not None:
            value, term = lower
            if term not in LOWER_TERMS:
                raise ValueError(
                    f"not a lower-bound term: {term!r} (use one of {list(LOWER_TERMS)})"
                )
            lo = Bound(to_decimal(value), LOWER_TERMS[term])
        if upper is not None:
            value, term = upper
            if term not in UPPER_TERMS:
                raise ValueError(
                    f"not an upper-bound term: {term!r} (use one of {list(UPPER_TERMS)})"
                )
            hi = Bound(to_decimal(value), UPPER_TERMS[term])
        return cls(lo, hi)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Band:
        """Parse the stored form; assumes it was validated (see ``band_errors``)."""
        lo = hi = None
        if data.get("lower") is not None:
            lo = Bound(to_decimal(data["lower"]), bool(data.get("lower_inclusive", True)))
        if data.get("upper") is not None:
            hi = Bound(to_decimal(data["upper"]), bool(data.get("upper_inclusive", True)))
        return cls(lo, hi)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.lower is not None:
            out["lower"] = str(self.lower.value)
            out["lower_inclusive"] = self.lower.inclusive
        if self.upper is not None:
            out["upper"] = str(self.upper.value)
            out["upper_inclusive"] = self.upper.inclusive
        return out

    def contains(self, x: Decimal | int) -> bool:
        x = Decimal(x)
        if self.lower is not None:
            if x < self.lower.value or (x == self.lower.value and not self.lower.inclusive):
                return False
        if self.upper is not None:
            if x > self.upper.value or (x == self.upper.value and not self.upper.inclusive):
                return False
        return True

    def is_below(self, x: Decimal | int) -> bool:
        """True when x falls short of the band's lower bound (不够起付)."""
        x = Decimal(x)
        if self.lower is None:
            return False
        return x < self.lower.value or (x == self.lower.value and not self.lower.inclusive)

    def is_empty(self) -> bool:
        if self.lower is None or self.upper is None:
            return False
        if self.lower.value > self.upper.value:
            return True
        if self.lower.value == self.upper.value:
            return not (self.lower.inclusive and self.upper.inclusive)
        return False

    def overlaps(self, other: Band) -> bool:
        """Whether some number lies in both bands (touching inclusive ends overlap)."""
        lo = _max_lower(self.lower, other.lower)
        hi = _min_upper(self.upper, other.upper)
        return not Band(lo, hi).is_empty()

    def describe(self, unit: str = "元") -> str:
        """Chinese wording, e.g. "3,000元以上、10,000元以下", "超过100,000元"."""
        parts = []
        if self.lower is not None:
            n = fmt_number(self.lower.value)
            parts.append(f"{n}{unit}以上" if self.lower.inclusive else f"超过{n}{unit}")
        if self.upper is not None:
            n = fmt_number(self.upper.value)
            parts.append(f"{n}{unit}以下" if self.upper.inclusive else f"不满{n}{unit}")
        if not parts:
            return "不限"
        return "、".join(parts)


def _max_lower(a: Bound | None, b: Bound | None) -> Bound | None:
    if a is None:
        return b
    if b is None:
        return a
    if a.value != b.value:
        return a if a.value > b.value else b
    return Bound(a.value, a.inclusive and b.inclusive)


def _min_upper(a: Bound | None, b: Bound | None) -> Bound | None:
    if a is None:
        return b
    if b is None:
        return a
    if a.value != b.value:
        return a if a.value < b.value else b
    return Bound(a.value, a.inclusive and b.inclusive)


_BAND_KEYS = {"lower", "lower_inclusive", "upper", "upper_inclusive"}


def band_errors(
    data: Any, *, label: str, unit: str = "元", extra_keys: Collection[str] = ()
) -> list[str]:
    """Check one stored band; messages name the band by ``label`` so an admin can find it."""
    if not isinstance(data, Mapping):
        return [f"{label}格式不正确: 应为包含 lower/upper 的对象"]
    errors: list[str] = []
    unknown = sorted(set(data) - _BAND_KEYS - set(extra_keys))
    if unknown:
        errors.append(f"{label}含未知字段: {', '.join(unknown)}")
    values: dict[str, Decimal] = {}
    for side, side_label in (("lower", "下限"), ("upper", "上限")):
        raw = data.get(side)
        if raw is None:
            continue
        if isinstance(raw, (float, bool)) or not isinstance(raw, (int, str, Decimal)):
            errors.append(f'{label}的{side_label}必须是数字(写成字符串或整数, 如 "3000")')
            continue
        try:
            values[side] = to_decimal(raw)
        except ValueError:
            errors.append(f"{label}的{side_label}不是有效数字: {raw}")
            continue
        if values[side] < 0:
            errors.append(f"{label}的{side_label}不能为负数")
        flag = data.get(f"{side}_inclusive", True)
        if not isinstance(flag, bool):
            errors.append(f"{label}的{side}_inclusive 必须是 true 或 false")
    if "lower" in values and "upper" in values and not errors:
        band = Band.from_dict(data)
        if band.is_empty():
            errors.append(
                f"{label}的下限不能高于上限({fmt_number(values['lower'])}{unit} 至 "
                f"{fmt_number(values['upper'])}{unit}是空区间)"
            )
    return errors


def overlap_errors(bands: list[Band], *, unit: str = "元", what: str = "金额区间") -> list[str]:
    """One message per overlapping pair, naming both bands in Chinese."""
    errors = []
    for i, a in enumerate(bands):
        for b in bands[i + 1 :]:
            if a.overlaps(b):
                errors.append(f"{what}重叠: 「{a.describe(unit)}」与「{b.describe(unit)}」")
    return errors
