"""Plumbing shared by the plan forms: conversions to the engine's strings, field
factories, binding engine and service messages to fields, fieldset layout.

Money goes to the engine as a string with two places ("15000.00"); anything finer
goes through unchanged so the engine, not the form, refuses it. Ratios and counts
go as plain number strings ("0.8", "180").
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms

from plans.rules import LOWER_TERMS, UPPER_TERMS

LOWER_CHOICES = [
    (term, term) for term, inclusive in LOWER_TERMS.items() if term in ("以上", "超过")
]
UPPER_CHOICES = [
    (term, term) for term, inclusive in UPPER_TERMS.items() if term in ("以下", "不满")
]


def money_str(value: Decimal | None) -> str | None:
    """Money for the engine ("15000.00"); over two places goes through for the engine to refuse."""
    if value is None:
        return None
    if value == value.quantize(Decimal("0.01")):
        return f"{value:.2f}"
    return str(value)


def number_str(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)


def path_prefixes(path: str) -> list[str]:
    """ "a.b[2].c" → ["a.b[2].c", "a.b[2]", "a.b", "a"]."""
    out = [path]
    while True:
        stripped = re.sub(r"(\[\d+\]|\.[^.\[]+)$", "", path)
        if stripped == path or not stripped:
            return out
        out.append(stripped)
        path = stripped


class FieldsetsMixin:
    """``fieldsets``: [(legend, [bound fields])] for templates that lay out long forms."""

    layout: list[tuple[Any, list[str]]] = []

    def fieldsets(self):
        out = []
        for legend, names in self.layout:
            fields = [self[name] for name in names if name in self.fields]
            if fields:
                out.append((legend, fields))
        return out


def check_field(label, **kwargs) -> forms.BooleanField:
    return forms.BooleanField(label=label, required=False, **kwargs)


def money_field(label, **kwargs) -> forms.DecimalField:
    kwargs.setdefault("required", False)
    return forms.DecimalField(label=label, max_digits=16, **kwargs)


def int_field(label, **kwargs) -> forms.IntegerField:
    kwargs.setdefault("required", False)
    return forms.IntegerField(label=label, **kwargs)


def date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}), **kwargs)


def checkboxes_field(label, choices, **kwargs) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple, **kwargs
    )
