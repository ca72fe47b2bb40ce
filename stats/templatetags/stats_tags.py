"""Formatting of statistics figures in templates (tables, cards, returns)."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def money(value):
    """¥1,234.50 (— when there is none)."""
    if value is None or value == "":
        return "—"
    amount = Decimal(value)
    return f"{'-' if amount < 0 else ''}¥{abs(amount):,.2f}"


@register.filter
def count(value):
    if value is None or value == "":
        return "—"
    return f"{int(value):,}"


@register.filter
def percent(value):
    if value is None or value == "":
        return "—"
    return f"{Decimal(value)}%"


@register.filter
def cell(pair):
    """A table cell (value, kind) as text."""
    value, kind = pair
    if value is None:
        return "—"
    if kind == "money":
        return f"{value:,.2f}"
    if kind == "percent":
        return f"{value}%"
    if kind == "number":
        return f"{value:,}"
    if kind == "date":
        return value.isoformat()
    return value


@register.filter
def is_numeric(kind):
    return kind in ("money", "percent", "number")
