"""Every statistics table, defined once: the page shows it (under its chart) and the .xlsx
download writes the same columns and rows (SPEC §11: every table downloads as .xlsx).

Builders take what the selectors computed and return a ``Table`` (and its ``Chart``);
nothing here queries the database or sums rows: totals come from PostgreSQL.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext as _

from mutualaid.core import xlsx
from stats import charts
from stats.selectors import CHART_BARS, PAGE_ROWS, Coverage, Group, Totals

TEXT, NUMBER, MONEY, PERCENT, DATE = "text", "number", "money", "percent", "date"
_XLSX_KIND = {
    TEXT: xlsx.TEXT,
    NUMBER: xlsx.NUMBER,
    MONEY: xlsx.MONEY,
    PERCENT: xlsx.NUMBER,
    DATE: xlsx.DATE,
}


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = TEXT
    width: float = 14


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[tuple] = field(default_factory=list)
    total: tuple | None = None
    chart: charts.Chart | None = None
    #: Coverage tables also chart their units enrolled against their blank spots.
    enrolled_chart: charts.Chart | None = None
    note: str = ""
    #: A page link per row (the row's organisation's dashboard), or empty.
    links: list[str] = field(default_factory=list)

    @property
    def shown(self) -> list[tuple]:
        return self.rows[:PAGE_ROWS]

    @property
    def more(self) -> int:
        return max(0, len(self.rows) - PAGE_ROWS)

    def cells(self) -> list[dict]:
        """Rows for the template: {"cells": [(value, kind), …], "link": url or ""}."""
        kinds = [c.kind for c in self.columns]
        return [
            {
                "cells": list(zip(row, kinds, strict=True)),
                "link": self.links[i] if i < len(self.links) else "",
            }
            for i, row in enumerate(self.shown)
        ]

    def total_cells(self) -> list[tuple] | None:
        if self.total is None:
            return None
        return list(zip(self.total, [c.kind for c in self.columns], strict=True))


def fmt_money(value) -> str:
    if value is None:
        return "—"
    return f"{'-' if value < 0 else ''}¥{abs(value):,.2f}"


def fmt_percent(value) -> str:
    return "—" if value is None else f"{value}%"


# --- Members covered by plan and year (the seeds' 表1) --------------------------------------------


def plan_year_table(
    *, plans, years: list[int], figures: dict[tuple, Totals], totals_by_year: dict
) -> Table:
    ordered = sorted(years)
    columns = [Column(_("Plan"), TEXT, 32)] + [Column(str(y), NUMBER, 12) for y in ordered]
    rows = []
    for plan in plans:
        counts = [figures.get((plan.pk, y), Totals()).policies_started for y in ordered]
        if any(counts):
            rows.append((plan.display_name, *counts))
    total = (_("Total"), *[totals_by_year.get(y, Totals()).policies_started for y in ordered])
    table = Table(
        key="plan_year",
        title=_("Members covered by plan and year"),
        columns=columns,
        rows=rows,
        total=total,
        note=_("Person-times (人次): each policy counts once, in the year its cover starts."),
    )
    table.chart = charts.column_chart(
        title=table.title,
        categories=[row[0] for row in rows],
        series=[(str(y), [row[i + 1] for row in rows]) for i, y in enumerate(ordered)],
    )
    return table


# --- Money by month ------------------------------------------------------------------------------


def monthly_table(*, year: int, by_month: dict[int, Totals], total: Totals) -> Table:
    columns = [
        Column(_("Month"), TEXT, 10),
        Column(_("Policies started"), NUMBER),
        Column(_("Premium income (yuan)"), MONEY, 18),
        Column(_("Claims received"), NUMBER),
        Column(_("Claims paid"), NUMBER),
        Column(_("Amount paid (yuan)"), MONEY, 18),
    ]
    rows = []
    for month in range(1, 13):
        t = by_month.get(month, Totals())
        rows.append(
            (
                f"{year}-{month:02d}",
                t.policies_started,
                t.premium_income,
                t.claims_received,
                t.claims_paid,
                t.amount_paid,
            )
        )
    table = Table(
        key="monthly",
        title=_("Premium income and payouts by month"),
        columns=columns,
        rows=rows,
        total=(
            _("Total"),
            total.policies_started,
            total.premium_income,
            total.claims_received,
            total.claims_paid,
            total.amount_paid,
        ),
    )
    table.chart = charts.column_chart(
        title=table.title,
        categories=[f"{m}" for m in range(1, 13)],
        series=[
            (_("Premium income"), [r[2] for r in rows]),
            (_("Amount paid"), [r[5] for r in rows]),
        ],
        fmt=fmt_money,
    )
    return table


# --- Claims --------------------------------------------------------------------------------------


def _claims_columns(first: str) -> list[Column]:
    return [
        Column(first, TEXT, 28),
        Column(_("Claims received"), NUMBER),
        Column(_("Claims paid"), NUMBER),
        Column(_("Amount paid (yuan)"), MONEY, 18),
        Column(_("Average payout (yuan)"), MONEY, 16),
        Column(_("Largest single payout (yuan)"), MONEY, 18),
        Column(_("Payouts of ¥10,000 and more"), NUMBER, 16),
        Column(_("Paid on time (%)"), PERCENT, 14),
    ]


def _claims_row(label: str, t: Totals) -> tuple:
    return (
        label,
        t.claims_received,
        t.claims_paid,
        t.amount_paid,
        t.average_payout,
        t.largest_payout,
        t.large_payouts,
        t.on_time_rate,
    )


def claims_table(
    *, key: str, title: str, first: str, groups: Sequence[tuple[str, Totals]], total: Totals
) -> Table:
    rows = [_claims_row(label, t) for label, t in groups]
    table = Table(
        key=key,
        title=title,
        columns=_claims_columns(first),
        rows=rows,
        total=_claims_row(_("Total"), total),
    )
    # Many rows: chart the largest; few: chart them in the table's order.
    charted = (
        rows
        if len(rows) <= CHART_BARS
        else sorted(rows, key=lambda r: r[3], reverse=True)[:CHART_BARS]
    )
    table.chart = charts.bar_chart(
        title=title,
        categories=[r[0] for r in charted],
        series=[(_("Amount paid"), [r[3] for r in charted])],
        fmt=fmt_money,
        note=_("The %(n)d largest of %(total)d.") % {"n": len(charted), "total": len(rows)}
        if len(rows) > len(charted)
        else "",
    )
    return table


# --- Coverage ------------------------------------------------------------------------------------


def _coverage_columns(first: str) -> list[Column]:
    return [
        Column(first, TEXT, 28),
        Column(_("Units"), NUMBER, 10),
        Column(_("Units enrolled"), NUMBER, 12),
        Column(_("Blank spots"), NUMBER, 12),
        Column(_("Union members"), NUMBER, 14),
        Column(_("Union members covered"), NUMBER, 16),
        Column(_("Coverage rate (%)"), PERCENT, 14),
        Column(_("Members covered (all)"), NUMBER, 16),
    ]


def _coverage_row(label: str, c: Coverage) -> tuple:
    return (
        label,
        c.units,
        c.units_enrolled,
        c.blank_spots,
        c.union_members,
        c.union_members_covered,
        c.rate,
        c.members_covered,
    )


def coverage_table(
    *,
    key: str,
    title: str,
    first: str,
    groups: Iterable[Group],
    total: Coverage,
    enrolled_chart: bool = False,
) -> Table:
    groups = list(groups)
    rows = [_coverage_row(g.label, g.coverage) for g in groups]
    table = Table(
        key=key,
        title=title,
        columns=_coverage_columns(first),
        rows=rows,
        total=_coverage_row(_("Total"), total),
    )
    charted = (
        rows
        if len(rows) <= CHART_BARS
        else sorted(rows, key=lambda r: r[4], reverse=True)[:CHART_BARS]
    )
    note = (
        _("The %(n)d with the most union members, of %(total)d.")
        % {"n": len(charted), "total": len(rows)}
        if len(rows) > len(charted)
        else ""
    )
    table.chart = charts.bar_chart(
        title=_("Coverage rate (%)"),
        categories=[r[0] for r in charted],
        series=[(_("Coverage rate (%)"), [r[6] or 0 for r in charted])],
        fmt=fmt_percent,
        axis_max=100 if all((r[6] or 0) <= 100 for r in charted) else None,
        note=note,
    )
    if enrolled_chart:
        table.enrolled_chart = charts.bar_chart(
            title=_("Units enrolled and blank spots"),
            categories=[r[0] for r in charted],
            series=[
                (_("Units enrolled"), [r[2] for r in charted]),
                (_("Blank spots"), [r[3] for r in charted]),
            ],
            stacked=True,
            palette=charts.STACK_PALETTE,
            note=note,
        )
    return table


# --- Blank spots ---------------------------------------------------------------------------------


def blank_spot_columns() -> list[Column]:
    return [
        Column(_("Unit"), TEXT, 30),
        Column(_("Belongs to"), TEXT, 24),
        Column(_("Unified social credit code"), TEXT, 22),
        Column(_("Ownership"), TEXT, 16),
        Column(_("Industry"), TEXT, 26),
        Column(_("Union members"), NUMBER, 12),
        Column(_("Members registered"), NUMBER, 14),
        Column(_("Last cover ended"), DATE, 14),
    ]


# --- .xlsx ---------------------------------------------------------------------------------------


def _xlsx_value(value, kind: str):
    if kind == PERCENT and value is not None:
        return float(value)  # a rate, not money: Excel keeps it as a number
    return value


def write_xlsx(
    *,
    columns: Sequence[Column],
    rows: Iterable[tuple],
    title: str,
    sheet: str,
    total: tuple | None = None,
) -> Path:
    """The table as an .xlsx in a temporary file (the caller sends and removes it)."""
    kinds = [c.kind for c in columns]

    def values():
        for row in rows:
            yield [_xlsx_value(v, k) for v, k in zip(row, kinds, strict=True)]
        if total is not None:
            yield [_xlsx_value(v, k) for v, k in zip(total, kinds, strict=True)]

    handle = tempfile.NamedTemporaryFile(prefix="stats-", suffix=".xlsx", delete=False)
    handle.close()
    xlsx.write_xlsx(
        path=handle.name,
        rows=values(),
        columns=[xlsx.ExportColumn(c.header, _XLSX_KIND[c.kind], c.width) for c in columns],
        title=title,
        sheet_name=sheet[:31],
    )
    return Path(handle.name)


def is_decimal(value) -> bool:
    return isinstance(value, Decimal)
