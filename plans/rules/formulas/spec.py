"""Declarations of formula parameters: what each parameter is, said once, as plain data.

Every formula module lists its parameters in ``PARAMS`` (a tuple of ``Param``). Two
readers use the same tuple:

- the engine (``ParamReader`` in ``base.py``): which keys are allowed, and for each
  key its type, bounds, default and the Chinese name its messages use;
- the plan pages (``plans.forms.params``): one generic builder turns the tuple into a
  form with one field per parameter (or a table of rows for bands and schedules) and
  converts between those fields and the engine's plain data.

``label`` and ``help`` are English gettext msgids marked with ``gettext_noop`` below,
so ``makemessages`` extracts them here while the engine stays free of Django; the form
translates them when it shows them. ``zh`` is the engine's own (untranslated) name.
Cross-parameter rules (a cap below a deductible, ratio xor bands) stay in the
formula's ``read_params``: only the per-parameter facts belong in a declaration.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


def gettext_noop(message: str) -> str:
    """Marks a form label for ``makemessages`` (it extracts calls by this name)."""
    return message


class ParamKind(StrEnum):
    MONEY = "money"  # yuan with at most two places, stored as "15000.00"
    COUNT = "count"  # a whole number (days, months)
    RATIO = "ratio"  # a fraction 0..1, stored as a number string ("0.8")
    FLAG = "flag"  # true / false
    FACT = "fact"  # the name of a claim fact (vocab.FACTS) the formula reads
    CHOICE = "choice"  # one of the formula's own codes
    LOWER_TERM = "lower_term"  # 以上 / 超过 of another parameter, stored as its *_inclusive flag
    TEXT = "text"  # a short free text, stored stripped
    BANDS = "bands"  # bands of a base (bounds.Band), each carrying a value
    SCHEDULE = "schedule"  # a table grade → percentage (0..100)


@dataclass(frozen=True, kw_only=True)
class Param:
    """One parameter of one formula.

    ``required``: the engine refuses the terms without it, and a form always writes
    the key (empty → None) so the engine can say which one is missing; optional
    parameters are written only when filled. ``of`` ties a parameter to another one:
    a ``LOWER_TERM`` qualifies that parameter's bound, a ``CHOICE`` is only written
    together with it.
    """

    key: str
    kind: ParamKind
    label: str
    zh: str
    help: str = ""
    required: bool = False
    default: Any = None
    positive: bool = False  # MONEY: zero is refused too
    minimum: int = 0  # COUNT
    choices: Mapping[str, str] | tuple[str, ...] = ()  # FACT: fact names; CHOICE: code → label
    of: str = ""
    field: str = ""  # the form field's name when it is not the key
    keep_false: bool = False  # FLAG: written as false too, not only when true
    # BANDS: the key and kind of each band's value, and the unit of the bounds, either
    # fixed or that of the fact named by the parameter ``unit_from``.
    value_key: str = ""
    value_kind: ParamKind | None = None
    value_label: str = ""
    value_zh: str = ""
    unit: str = ""
    unit_from: str = ""

    @property
    def field_name(self) -> str:
        return self.field or self.key


def money(key: str, label: str, zh: str, **kw: Any) -> Param:
    return Param(key=key, kind=ParamKind.MONEY, label=label, zh=zh, **kw)


def count(key: str, label: str, zh: str, **kw: Any) -> Param:
    return Param(key=key, kind=ParamKind.COUNT, label=label, zh=zh, **kw)


def ratio(key: str, label: str, zh: str, **kw: Any) -> Param:
    return Param(key=key, kind=ParamKind.RATIO, label=label, zh=zh, **kw)


def flag(key: str, label: str, zh: str, **kw: Any) -> Param:
    return Param(key=key, kind=ParamKind.FLAG, label=label, zh=zh, default=False, **kw)


def fact(key: str, label: str, zh: str, facts: tuple[str, ...], *, default: str) -> Param:
    return Param(
        key=key,
        kind=ParamKind.FACT,
        label=label,
        zh=zh,
        choices=facts,
        default=default,
        required=True,
    )


def choice(
    key: str, label: str, zh: str, choices: Mapping[str, str], *, default: str, **kw: Any
) -> Param:
    return Param(
        key=key, kind=ParamKind.CHOICE, label=label, zh=zh, choices=choices, default=default, **kw
    )


def lower_term(key: str, zh: str, *, of: str, field: str) -> Param:
    """Whether the bound ``of`` counts itself (以上 = true, 超过 = false)."""
    return Param(
        key=key,
        kind=ParamKind.LOWER_TERM,
        label=gettext_noop("counting"),
        zh=zh,
        of=of,
        field=field,
        default=True,
    )


def text(key: str, label: str, zh: str, **kw: Any) -> Param:
    return Param(key=key, kind=ParamKind.TEXT, label=label, zh=zh, **kw)


def bands(
    key: str,
    zh: str,
    *,
    value_key: str,
    value_kind: ParamKind,
    value_label: str,
    value_zh: str,
    **kw: Any,
) -> Param:
    return Param(
        key=key,
        kind=ParamKind.BANDS,
        label="",
        zh=zh,
        value_key=value_key,
        value_kind=value_kind,
        value_label=value_label,
        value_zh=value_zh,
        **kw,
    )


def schedule(key: str, label: str, zh: str, **kw: Any) -> Param:
    """``label`` names one row: a msgid with ``{}`` for the grade, e.g. "Grade {} (%)"."""
    return Param(key=key, kind=ParamKind.SCHEDULE, label=label, zh=zh, required=True, **kw)
