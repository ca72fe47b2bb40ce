"""Keyset paging: ``WHERE (k1, k2) < (last_k1, last_k2)`` instead of OFFSET and COUNT(*).

Offset paging with an exact count measured 400–840 ms p95 at 1M rows on our
machines; keyset stays flat at any depth. The cursor is an opaque token holding
the sort values of the last row shown.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet


@dataclass
class KeysetPage:
    rows: list
    next_cursor: str | None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


def _encode(values: list[Any]) -> str:
    def plain(value):
        if isinstance(value, dt.datetime):
            return {"dt": value.isoformat()}
        if isinstance(value, dt.date):
            return {"d": value.isoformat()}
        if isinstance(value, Decimal):
            return {"dec": str(value)}
        if isinstance(value, uuid.UUID):
            return {"u": str(value)}
        return value

    raw = json.dumps([plain(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str) -> list[Any] | None:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        items = json.loads(raw)
    except (ValueError, TypeError):
        return None
    if not isinstance(items, list):
        return None
    out = []
    for item in items:
        if isinstance(item, dict):
            try:
                if "dt" in item:
                    item = dt.datetime.fromisoformat(item["dt"])
                elif "d" in item:
                    item = dt.date.fromisoformat(item["d"])
                elif "dec" in item:
                    item = Decimal(item["dec"])
                elif "u" in item:
                    item = uuid.UUID(item["u"])
                else:
                    return None
            except (ValueError, TypeError, ArithmeticError):
                return None
        out.append(item)
    return out


def _after_condition(order: tuple[str, ...], values: list[Any]) -> Q:
    """Rows strictly after ``values`` in ``order`` (all keys share one direction)."""
    descending = order[0].startswith("-")
    names = [key.lstrip("-") for key in order]
    op = "lt" if descending else "gt"
    # PostgreSQL cannot start an index range scan from the OR form below alone; the implied
    # bound on the first key lets it (deep pages went from 1.1 s to 3 ms at 1M members).
    condition = Q(**{f"{names[0]}__{'lte' if descending else 'gte'}": values[0]})
    ors = Q()
    for i, name in enumerate(names):
        step = Q(**{f"{name}__{op}": values[i]})
        for j in range(i):
            step &= Q(**{names[j]: values[j]})
        ors |= step
    return condition & ors


def keyset_page(
    qs: QuerySet, *, order: tuple[str, ...], after: str | None, size: int
) -> KeysetPage:
    """One page of ``qs`` in ``order`` after the cursor; one query, no COUNT."""
    if len({key.startswith("-") for key in order}) != 1:
        raise ValueError("keyset order keys must share one direction")
    qs = qs.order_by(*order)
    if after:
        values = _decode(after)
        if values is not None and len(values) == len(order):
            try:
                qs = qs.filter(_after_condition(order, values))
            except (ValidationError, ValueError, TypeError):
                pass  # a forged cursor (wrong types for the keys) starts from the top, not a 500
    rows = list(qs[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = _encode([_value(last, key.lstrip("-")) for key in order])
    return KeysetPage(rows=rows, next_cursor=next_cursor)


def _value(row, name: str):
    value = row
    for part in name.split("__"):
        value = getattr(value, part)
    return value
