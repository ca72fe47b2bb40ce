"""Plumbing shared by the plan forms: conversions to the engine's strings, field
factories, binding engine and service messages to fields, fieldset layout.

Money goes to the engine as a string with two places ("15000.00"); anything finer
goes through unchanged so the engine, not the form, refuses it. Ratios and counts
go as plain number strings ("0.8", "180").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from plans.rules import LOWER_TERMS, UPPER_TERMS
from plans.services import NON_FIELD

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


def bind_errors(
    form: forms.Form,
    errors: dict[str, list[str]],
    field_for: Callable[[str], str | None] | None = None,
) -> None:
    """Put engine or service messages on the fields their paths name, else on the form."""
    for path, messages in errors.items():
        name = field_for(path) if field_for else path
        field = form.fields.get(name) if name else None
        if field is None or field.widget.is_hidden:
            name = None
        for message in messages:
            form.add_error(name, message)


def bind_domain_error(
    form: forms.Form, error: ValidationError, field_for: Callable[[str], str | None] | None = None
) -> None:
    if hasattr(error, "error_dict"):
        bind_errors(form, error.message_dict, field_for)
    else:
        bind_errors(form, {NON_FIELD: error.messages})


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
