"""Shared pieces of every formula: its context, its result, and a parameter reader.

A formula module reads its parameters with ``ParamReader`` in exactly one place
(``read_params``) and both ``validate`` and ``compute`` go through it, so what the
admin form accepts is precisely what the engine can compute — one validation path.
The reader takes the formula's declarations (``spec.Param``): the allowed keys, and
for ``read(key)`` each key's type, bounds, default and Chinese name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from ..bounds import Band, band_errors, overlap_errors
from ..money import ZERO, quantize_money, to_decimal
from ..policy import ClaimFacts
from ..vocab import FACTS, ReasonCode
from .spec import Param, ParamKind


@dataclass(frozen=True)
class FormulaContext:
    """What a formula may look at: the shares answering the item, and the facts."""

    shares: int
    facts: ClaimFacts

    def fact(self, name: str) -> tuple[Decimal | int | None, str | None]:
        """(value, problem): value None with a Chinese problem when unusable."""
        label, _unit, kind = FACTS[name]
        value = self.facts.fact(name)
        if value is None:
            return None, f"缺少{label}"
        if kind == "money":
            value = to_decimal(value)
        if value < 0:
            return None, f"{label}不能为负数"
        return value, None


@dataclass(frozen=True)
class FormulaResult:
    """Amount (2 places, never negative), the steps that led to it, and why not more."""

    amount: Decimal
    steps: tuple[str, ...]
    reason: ReasonCode | None = None
    needs_four_eyes: bool = False

    @classmethod
    def paid(
        cls,
        amount: Decimal,
        steps: list[str],
        reason: ReasonCode | None = None,
        *,
        needs_four_eyes: bool = False,
    ) -> FormulaResult:
        return cls(max(quantize_money(amount), ZERO), tuple(steps), reason, needs_four_eyes)

    @classmethod
    def nothing(
        cls, reason: ReasonCode, steps: list[str], *, needs_four_eyes: bool = False
    ) -> FormulaResult:
        return cls(ZERO, tuple(steps), reason, needs_four_eyes)


_FROM_KEY: Any = object()


def _is_plain_number(raw: Any) -> bool:
    return isinstance(raw, (int, str, Decimal)) and not isinstance(raw, bool)


class ParamReader:
    """Reads one formula's parameters, collecting admin-actionable Chinese messages.

    Unknown keys are refused: a typo such as ``"per_units"`` would otherwise be
    ignored silently and the plan would pay by a default nobody chose. ``allowed``
    is the formula's declarations (or, for a band's own keys, plain key names).
    """

    def __init__(self, raw: Any, allowed: Iterable[Param | str]):
        self.errors: list[str] = []
        self.declared: dict[str, Param] = {}
        keys: set[str] = set()
        for entry in allowed:
            if isinstance(entry, Param):
                self.declared[entry.key] = entry
                keys.add(entry.key)
            else:
                keys.add(entry)
        if not isinstance(raw, Mapping):
            self.errors.append("公式参数格式不正确: 应为键值对象")
            raw = {}
        self.raw: Mapping[str, Any] = raw
        unknown = sorted(set(raw) - keys)
        if unknown:
            self.errors.append(f"未知参数: {', '.join(unknown)}")

    def read(self, key: str, *, unit: str | None = None) -> Any:
        """The declared parameter ``key``, checked as its declaration says.

        ``unit`` overrides the unit of a band parameter's bounds (when it follows the
        base the formula counts on). Schedules are read by their formula.
        """
        p = self.declared[key]
        kind = p.kind
        if kind is ParamKind.MONEY:
            return self.money(
                key, p.zh, required=p.required, default=p.default, positive=p.positive
            )
        if kind is ParamKind.COUNT:
            return self.count(key, p.zh, required=p.required, default=p.default, minimum=p.minimum)
        if kind is ParamKind.RATIO:
            return self.fraction(key, p.zh, required=p.required)
        if kind in (ParamKind.FLAG, ParamKind.LOWER_TERM):
            return self.flag(key, p.zh, default=p.default)
        if kind in (ParamKind.FACT, ParamKind.CHOICE):
            return self.choice(key, p.zh, p.choices, default=p.default)
        if kind is ParamKind.TEXT:
            return self.text(key, p.zh)
        if kind is ParamKind.BANDS:
            return self.bands(
                key,
                p.zh,
                value_key=p.value_key,
                value_label=p.value_zh,
                unit=unit or p.unit,
                value_is_money=p.value_kind is ParamKind.MONEY,
            )
        raise ValueError(f"read {kind} parameters in the formula: {key}")

    def money(
        self,
        key: str,
        label: str,
        *,
        required: bool = True,
        default: Decimal | None = None,
        positive: bool = False,
    ) -> Decimal | None:
        raw = self.raw.get(key)
        if raw is None:
            if required:
                self.errors.append(f"请填写{label}")
            return default
        if not _is_plain_number(raw):
            self.errors.append(f'{label}必须是金额数字(写成字符串或整数, 如 "15000.00")')
            return default
        try:
            value = to_decimal(raw)
        except ValueError:
            self.errors.append(f"{label}不是有效金额: {raw}")
            return default
        if value < 0:
            self.errors.append(f"{label}不能为负数")
            return default
        if positive and value == 0:
            self.errors.append(f"{label}必须大于0")
            return default
        if value != value.quantize(Decimal("0.01")):
            self.errors.append(f"{label}最多保留两位小数")
            return default
        return value

    def fraction(
        self,
        key: str,
        label: str,
        *,
        required: bool = True,
        maximum: Decimal = Decimal(1),
        raw: Any = _FROM_KEY,
    ) -> Decimal | None:
        """A ratio (0..1) or a percent (0..100, with maximum=100); ``raw`` reads a nested value."""
        if raw is _FROM_KEY:
            raw = self.raw.get(key)
        if raw is None:
            if required:
                self.errors.append(f"请填写{label}")
            return None
        if not _is_plain_number(raw):
            self.errors.append(f'{label}必须是数字(写成字符串, 如 "0.8")')
            return None
        try:
            value = to_decimal(raw)
        except (ValueError, InvalidOperation):
            self.errors.append(f"{label}不是有效数字: {raw}")
            return None
        if not (0 <= value <= maximum):
            self.errors.append(f"{label}必须在0到{maximum}之间")
            return None
        return value

    def count(
        self,
        key: str,
        label: str,
        *,
        required: bool = True,
        default: int | None = None,
        minimum: int = 0,
    ) -> int | None:
        raw = self.raw.get(key)
        if raw is None:
            if required:
                self.errors.append(f"请填写{label}")
            return default
        if isinstance(raw, bool) or not isinstance(raw, int):
            self.errors.append(f"{label}必须是整数")
            return default
        if raw < minimum:
            self.errors.append(f"{label}不能小于{minimum}")
            return default
        return raw

    def flag(self, key: str, label: str, *, default: bool = False) -> bool:
        raw = self.raw.get(key, default)
        if not isinstance(raw, bool):
            self.errors.append(f"{label}必须是 true 或 false")
            return default
        return raw

    def choice(
        self, key: str, label: str, choices: Mapping[str, str] | tuple[str, ...], *, default: str
    ) -> str:
        raw = self.raw.get(key, default)
        if raw not in choices:
            self.errors.append(f"{label}只能是: {', '.join(choices)}(当前为 {raw})")
            return default
        return raw

    def text(self, key: str, label: str) -> str | None:
        raw = self.raw.get(key)
        if raw is not None and not isinstance(raw, str):
            self.errors.append(f"{label}必须是文字")
            return None
        return raw

    def bands(
        self,
        key: str,
        label: str,
        *,
        value_key: str,
        value_label: str,
        unit: str,
        value_is_money: bool = True,
    ) -> list[tuple[Band, Decimal]]:
        """A list of bands each carrying a value (an amount or a ratio); no overlaps."""
        raw = self.raw.get(key)
        if raw is None:
            self.errors.append(f"请填写{label}")
            return []
        if not isinstance(raw, list) or not raw:
            self.errors.append(f"{label}至少需要一个区间")
            return []
        out: list[tuple[Band, Decimal]] = []
        for i, entry in enumerate(raw, start=1):
            entry_label = f"{label}第{i}个区间"
            problems = band_errors(entry, label=entry_label, unit=unit, extra_keys={value_key})
            if problems:
                self.errors.extend(problems)
                continue
            sub = ParamReader(
                entry, {value_key, "lower", "lower_inclusive", "upper", "upper_inclusive"}
            )
            if value_is_money:
                value = sub.money(value_key, f"{entry_label}的{value_label}")
            else:
                value = sub.fraction(value_key, f"{entry_label}的{value_label}")
            self.errors.extend(e for e in sub.errors if not e.startswith("未知参数"))
            if value is not None:
                out.append((Band.from_dict(entry), value))
        what = "金额区间" if unit == "元" else "区间"
        self.errors.extend(
            f"{label}: {e}" for e in overlap_errors([b for b, _ in out], unit=unit, what=what)
        )
        return out
