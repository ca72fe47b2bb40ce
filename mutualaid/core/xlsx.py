"""Streaming .xlsx writer for every exported file (roster exports, bank files, statistics
tables): flat memory at any size, ≥ 15,000 rows/s.

xlsxwriter in ``constant_memory`` mode writes each row to a temporary file as soon as
the next one starts, and the rows come from an iterator (a server-side cursor:
``queryset.values_list(...).iterator(chunk_size=...)``), so memory does not grow with
the number of rows (SPEC §14: xlsxwriter streaming 19,000 rows/s at 59 MB;
django-import-export's ``export()`` 5,400 rows/s at 320 MB).

ID numbers are masked (``3401**********1234``) unless the caller says the reader of
the file may see them in full (SPEC §4). Money is a number cell with a two-place format.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from django.utils import timezone

from mutualaid.core.cleaning import mask_id_number

TEXT = "text"
ID_NUMBER = "id_number"  # text, masked unless full_id_numbers
NUMBER = "number"
MONEY = "money"  # Decimal yuan, shown with two decimals and thousands separators
PLAIN_MONEY = "plain_money"  # Decimal yuan as 1234.50 (0.00): what a bank's import reads
DATE = "date"
DATETIME = "datetime"  # aware datetimes are shown in local time
KINDS = (TEXT, ID_NUMBER, NUMBER, MONEY, PLAIN_MONEY, DATE, DATETIME)

#: Excel's last row; a longer export continues on another sheet.
MAX_SHEET_ROWS = 1_048_576
DEFAULT_PROGRESS_EVERY = 10_000


@dataclass(frozen=True)
class ExportColumn:
    """One column of the export: its header and how its values are written."""

    header: str
    kind: str = TEXT
    width: float = 14

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown export column kind {self.kind!r}")


def write_xlsx(
    *,
    path: str | Path,
    rows: Iterable[Sequence[Any]],
    columns: Sequence[ExportColumn],
    full_id_numbers: bool = False,
    sheet_name: str,
    title: str | None = None,
    progress: Callable[[int], None] | None = None,
    progress_every: int = DEFAULT_PROGRESS_EVERY,
) -> int:
    """Write ``rows`` (tuples in the order of ``columns``) to an .xlsx at ``path``.

    ``progress(rows_written)`` is called every ``progress_every`` rows and once at the
    end (a Celery job updates its progress there). Returns the number of rows written.
    None is written as an empty cell.
    """
    workbook = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_numbers": False, "strings_to_urls": False}
    )
    try:
        header_format = workbook.add_format(
            {"bold": True, "bg_color": "#D9E1F2", "border": 1, "align": "center"}
        )
        title_format = workbook.add_format({"bold": True, "font_size": 14})
        formats = {
            DATE: workbook.add_format({"num_format": "yyyy-mm-dd"}),
            DATETIME: workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
            MONEY: workbook.add_format({"num_format": "#,##0.00"}),
            PLAIN_MONEY: workbook.add_format({"num_format": "0.00"}),
        }
        base_name = sheet_name
        sheet_number = 0

        def new_sheet():
            nonlocal sheet_number
            sheet_number += 1
            name = base_name if sheet_number == 1 else f"{base_name} ({sheet_number})"
            sheet = workbook.add_worksheet(name[:31])
            first = 0
            if title:
                sheet.write_string(0, 0, title, title_format)
                first = 1
            for col, column in enumerate(columns):
                sheet.set_column(col, col, column.width)
                sheet.write_string(first, col, column.header, header_format)
            sheet.freeze_panes(first + 1, 0)
            return sheet, first + 1

        writers = _cell_writers(columns, formats, full_id_numbers)
        sheet, row_index = new_sheet()
        count = 0
        next_report = progress_every if progress else -1
        for values in rows:
            if row_index >= MAX_SHEET_ROWS:
                sheet, row_index = new_sheet()
            for col, write in writers:
                value = values[col]
                if value is not None:
                    write(sheet, row_index, col, value)
            row_index += 1
            count += 1
            if count == next_report:
                progress(count)
                next_report += progress_every
        if progress:
            progress(count)
    finally:
        workbook.close()
    return count


def _cell_writers(columns, formats, full_id_numbers):
    """(column index, write(sheet, row, col, value)) per column, chosen once, not per cell."""

    def text(sheet, row, col, value):
        sheet.write_string(row, col, value if type(value) is str else str(value))

    def masked(sheet, row, col, value):
        sheet.write_string(row, col, mask_id_number(str(value)))

    def number(sheet, row, col, value):
        sheet.write_number(row, col, value)

    def money_writer(money_format):
        def money(sheet, row, col, value):
            sheet.write_number(
                # Excel stores every number as a double; the Decimal is exact to the cent up
                # to ¥90 trillion, and the cell's money format shows two places.
                row,
                col,
                float(value) if isinstance(value, Decimal) else value,
                money_format,
            )

        return money

    date_format = formats[DATE]

    def date(sheet, row, col, value):
        sheet.write_datetime(row, col, value, date_format)

    datetime_format = formats[DATETIME]

    def datetime(sheet, row, col, value):
        if isinstance(value, dt.datetime) and timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        sheet.write_datetime(row, col, value, datetime_format)

    by_kind = {
        TEXT: text,
        ID_NUMBER: text if full_id_numbers else masked,
        NUMBER: number,
        MONEY: money_writer(formats[MONEY]),
        PLAIN_MONEY: money_writer(formats[PLAIN_MONEY]),
        DATE: date,
        DATETIME: datetime,
    }
    return [(col, by_kind[column.kind]) for col, column in enumerate(columns)]


def iter_values(queryset, paths: Sequence[str], *, chunk_size: int = 2000):
    """Row tuples from a queryset through a server-side cursor (PostgreSQL), never all at once."""
    return queryset.values_list(*paths).iterator(chunk_size=chunk_size)
