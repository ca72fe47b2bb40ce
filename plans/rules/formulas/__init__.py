"""Registry of benefit formulas, chosen by the ``kind`` string stored on a benefit item.

Each formula is one module with ``KIND``, ``LABEL`` (Chinese, for admin forms),
``PARAMS`` (its parameters declared once, see ``spec.py``: the engine checks them
and the plan pages build their form from them), ``validate(params) -> list[str]``
and ``compute(params, ctx) -> FormulaResult``. Adding a formula means adding a
module and listing it in ``_MODULES``; nothing else in the engine branches on the
kind.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from ..errors import UnknownFormula
from . import (
    band_lump_sum,
    discretionary,
    fixed,
    fixed_per_share,
    monthly_allowance,
    per_day,
    per_unit_of_amount,
    ratio_of_amount,
    schedule_percent,
)
from .base import FormulaContext, FormulaResult
from .spec import Param

_MODULES: tuple[ModuleType, ...] = (
    fixed_per_share,
    fixed,
    per_unit_of_amount,
    band_lump_sum,
    schedule_percent,
    per_day,
    ratio_of_amount,
    monthly_allowance,
    discretionary,
)

FORMULAS: dict[str, ModuleType] = {m.KIND: m for m in _MODULES}

#: kind -> Chinese label, for choice fields in admin forms.
FORMULA_LABELS: dict[str, str] = {m.KIND: m.LABEL for m in _MODULES}

#: kind -> the formula's parameter declarations, in the order a form shows them.
FORMULA_PARAMS: dict[str, tuple[Param, ...]] = {m.KIND: m.PARAMS for m in _MODULES}

#: Formulas whose amount a person decides; they always need a second approver.
ALWAYS_FOUR_EYES: frozenset[str] = frozenset({discretionary.KIND})


def unknown_formula_message(kind: object) -> str:
    return f"未知的给付公式: {kind}"


def get_formula(kind: str) -> ModuleType:
    """The formula module for ``kind``; raises UnknownFormula (message in Chinese)."""
    try:
        return FORMULAS[kind]
    except (KeyError, TypeError):
        raise UnknownFormula(unknown_formula_message(kind)) from None


def validate_formula(kind: str, params: Any) -> list[str]:
    """Chinese messages for a formula kind and its parameters; empty when valid."""
    if not isinstance(kind, str) or kind not in FORMULAS:
        return [unknown_formula_message(kind)]
    validator: Callable[[Any], list[str]] = FORMULAS[kind].validate
    return validator(params)


def compute_formula(kind: str, params: Any, ctx: FormulaContext) -> FormulaResult:
    """Run one formula; the parameters must have been validated."""
    return get_formula(kind).compute(params, ctx)


__all__ = [
    "ALWAYS_FOUR_EYES",
    "FORMULAS",
    "FORMULA_LABELS",
    "FORMULA_PARAMS",
    "FormulaContext",
    "FormulaResult",
    "compute_formula",
    "get_formula",
    "validate_formula",
]
