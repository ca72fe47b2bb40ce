"""The file of errors a cadre downloads after a preview: the bad rows, ready to fix.

It has the template's columns (so it uploads again as it is), the original row number,
and a 错误说明 column; the cells at fault are shaded. IDs are written as text, in the
form the file held them, so a number-stored ID shows what went wrong and the column is
already text when the cadre types it again.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

from .columns import CANONICAL_HEADERS, DATA_FIELDS, ID_NUMBER, NAME, PHONE, SHARES
from .validation import Problem

_FIELDS = (NAME, ID_NUMBER, SHARES, "category", PHONE, "note")
_SOURCE_KEY = {ID_NUMBER: "id_number_raw"}
_WIDTHS = {NAME: 12, ID_NUMBER: 22, SHARES: 7, "category": 16, PHONE: 16, "note": 20}


def build_errors_xlsx(
    problems: Iterable[Problem], original_rows: Sequence[dict[str, Any]]
) -> bytes:
    """An .xlsx of the rows that have problems, each with its messages in 错误说明.

    ``original_rows``: the rows as ``read_roster`` returned them (all of them, or only
    the bad ones); ``problems``: from ``validate_rows`` and the enrolment service.
    """
    by_row: dict[int, list[Problem]] = {}
    for problem in problems:
        by_row.setdefault(problem.row, []).append(problem)
    rows = sorted((r for r in original_rows if r["row"] in by_row), key=lambda r: r["row"])

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet(_("Errors"))
    base = {"font_name": "宋体", "font_size": 11, "valign": "top", "border": 1}
    header = workbook.add_format({**base, "bold": True, "bg_color": "#D9E1F2", "align": "center"})
    plain = workbook.add_format(base)
    text = workbook.add_format({**base, "num_format": "@"})
    bad = workbook.add_format({**base, "bg_color": "#F8CBAD"})
    bad_text = workbook.add_format({**base, "bg_color": "#F8CBAD", "num_format": "@"})
    explain = workbook.add_format({**base, "font_color": "#C00000", "text_wrap": True})

    headers = [_("Original row")] + [CANONICAL_HEADERS[f] for f in _FIELDS] + [_("What is wrong")]
    sheet.write_row(0, 0, headers, header)
    sheet.set_column(0, 0, 8)
    for col, field in enumerate(_FIELDS, start=1):
        sheet.set_column(col, col, _WIDTHS[field], text if field in (ID_NUMBER, PHONE) else None)
    sheet.set_column(len(_FIELDS) + 1, len(_FIELDS) + 1, 60)
    sheet.freeze_panes(1, 0)

    for out_row, row in enumerate(rows, start=1):
        row_problems = by_row[row["row"]]
        bad_fields = {p.field for p in row_problems}
        sheet.write_number(out_row, 0, row["row"], plain)
        for col, field in enumerate(_FIELDS, start=1):
            value = row.get(_SOURCE_KEY.get(field, field))
            as_text = field in (ID_NUMBER, PHONE)
            fmt = (
                (bad_text if as_text else bad)
                if field in bad_fields
                else (text if as_text else plain)
            )
            if value is None or value == "":
                sheet.write_blank(out_row, col, None, fmt)
            elif isinstance(value, int | float) and not isinstance(value, bool) and not as_text:
                sheet.write_number(out_row, col, value, fmt)
            else:
                sheet.write_string(out_row, col, _cell_text(value), fmt)
        sheet.write_string(
            out_row,
            len(_FIELDS) + 1,
            "\n".join(_explain(p) for p in row_problems),
            explain,
        )
    sheet.autofilter(0, 0, max(len(rows), 1), len(_FIELDS) + 1)
    workbook.close()
    return buffer.getvalue()


def _explain(problem: Problem) -> str:
    if problem.field not in DATA_FIELDS:
        return problem.message
    return _("%(where)s: %(message)s") % {
        "where": problem.header or CANONICAL_HEADERS.get(problem.field, problem.field),
        "message": problem.message,
    }


def _cell_text(value: Any) -> str:
    if isinstance(value, float):
        # A number-stored ID: show it as Excel did (1.10105194912310E+17), not a guess.
        return (
            f"{value:.14E}"
            if abs(value) >= 1e15
            else (str(int(value)) if value.is_integer() else repr(value))
        )
    return str(value)
