"""Cleaning a claim's formula facts (the plan's fact names, SPEC §8). Text, dates, amounts,
counts and bank accounts are read by the kernel's ``mutualaid.core.cleaning``, like every
other app's input; errors are ``DomainError`` naming the field.
"""

from __future__ import annotations

from typing import Any

from mutualaid.core.cleaning import clean_count, clean_money
from mutualaid.core.errors import DomainError
from plans.rules import FACTS


def clean_facts(data: dict[str, Any]) -> dict[str, str]:
    """The formula facts from raw input: money as "1234.50", counts as "3" ("" dropped)."""
    facts: dict[str, str] = {}
    errors: dict[str, list] = {}
    for name, (_label, _unit, kind) in FACTS.items():
        if name not in data:
            continue
        try:
            value = (
                clean_money(data[name], field=name)
                if kind == "money"
                else clean_count(data[name], field=name)
            )
        except DomainError as exc:
            errors.update(exc.message_dict)
            continue
        if value is not None:
            facts[name] = str(value)
    if errors:
        raise DomainError(errors)
    return facts
