"""The downloadable roster template: an .xlsx that looks like the paper 花名册.

Generated per unit and plan (its title and unit line are filled in), with the ID
column formatted as text so Excel never turns an 18-digit ID into a number, and data
validation on 份数 and 人员类别 so mistakes are caught while typing. ``read_roster``
reads it back as it is (tests/enrolment/test_roster_template.py).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

import xlsxwriter
from django.utils.translation import gettext as _

from plans.rules.vocab import MEMBER_CATEGORIES

from .columns import CANONICAL_HEADERS, ID_NUMBER, TEMPLATE_FIELDS, column_letter

# Rows formatted and validated for filling in (a larger unit copies the rows down).
DEFAULT_DATA_ROWS = 1000
DEFAULT_MAX_SHARES = 10

_WIDTHS = {
    "seq": 6,
    "name": 12,
    "id_number": 22,
    "shares": 7,
    "category": 16,
    "phone": 16,
    "note": 20,
}


def build_template_xlsx(
    *,
    unit_name: str,
    plan_name: str,
    categories: Sequence[str] | None = None,
    max_shares: int = DEFAULT_MAX_SHARES,
    data_rows: int = DEFAULT_DATA_ROWS,
    fill_date: dt.date | None = None,
) -> bytes:
    """The template as .xlsx bytes.

    Row 1: the merged title; row 2: 单位名称 / 参保计划 / 填表日期; row 3: how to fill
    it in; row 4: the header (frozen); rows 5…: empty rows, the ID column as text.
    ``categories``: the 人员类别 offered in the drop-down (default: every category).
    """
    categories = list(categories or MEMBER_CATEGORIES.values())
    last_col = len(TEMPLATE_FIELDS) - 1
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(_("Roster"))

    base = {"font_name": "宋体", "font_size": 11, "valign": "vcenter"}
    title = workbook.add_format({**base, "bold": True, "font_size": 16, "align": "center"})
    info = workbook.add_format({**base})
    note = workbook.add_format({**base, "font_size": 9, "font_color": "#595959", "text_wrap": True})
    header = workbook.add_format(
        {
            **base,
            "bold": True,
            "align": "center",
            "border": 1,
            "bg_color": "#D9E1F2",
            "text_wrap": True,
        }
    )
    cell = workbook.add_format({**base, "border": 1})
    centred = workbook.add_format({**base, "border": 1, "align": "center"})
    as_text = workbook.add_format({**base, "border": 1, "num_format": "@"})

    sheet.set_row(0, 30)
    sheet.merge_range(
        0,
        0,
        0,
        last_col,
        _("%(unit)s employee mutual-aid cover: roster of members") % {"unit": unit_name},
        title,
    )
    filled = (fill_date or dt.date.today()).strftime("%Y-%m-%d")
    sheet.merge_range(1, 0, 1, 2, _("Unit: %(unit)s") % {"unit": unit_name}, info)
    sheet.merge_range(1, 3, 1, 5, _("Plan: %(plan)s") % {"plan": plan_name}, info)
    sheet.write_string(1, 6, _("Date: %(date)s") % {"date": filled}, info)
    sheet.set_row(2, 52)  # four lines of small print: merged cells never auto-fit
    sheet.merge_range(
        2,
        0,
        2,
        last_col,
        _(
            "How to fill it in: one member per row from row 5; the ID number is 18 "
            "characters (an X at the end is fine) and the column is already text, so type "
            "or paste it as it is; the sex comes from the ID number; shares: a whole number "
            "from 1 to %(max)d; member category: choose from the list. Do not change the "
            "header row."
        )
        % {"max": max_shares},
        note,
    )

    header_row = 3
    sheet.set_row(header_row, 24)
    first, last = header_row + 1, header_row + data_rows
    for col, field in enumerate(TEMPLATE_FIELDS):
        sheet.write_string(header_row, col, CANONICAL_HEADERS[field], header)
        column_format = (
            as_text
            if field in (ID_NUMBER, "phone")
            else (centred if field in ("seq", "shares") else cell)
        )
        sheet.set_column(col, col, _WIDTHS[field])
        # Format only the rows offered for filling in: a whole-column format would
        # be lost on rows pasted from elsewhere anyway, and bloats nothing this way.
        for row in range(first, last + 1):
            sheet.write_blank(row, col, None, column_format)

    shares_col = TEMPLATE_FIELDS.index("shares")
    sheet.data_validation(
        first,
        shares_col,
        last,
        shares_col,
        {
            "validate": "integer",
            "criteria": "between",
            "minimum": 1,
            "maximum": max_shares,
            "error_title": _("Shares"),
            "error_message": _("A whole number from 1 to %(max)d.") % {"max": max_shares},
        },
    )
    category_col = TEMPLATE_FIELDS.index("category")
    sheet.data_validation(
        first,
        category_col,
        last,
        category_col,
        {
            "validate": "list",
            "source": categories,
            "error_title": _("Member category"),
            "error_message": _("Choose a category from the list."),
        },
    )
    id_col = TEMPLATE_FIELDS.index(ID_NUMBER)
    sheet.data_validation(
        first,
        id_col,
        last,
        id_col,
        {
            "validate": "length",
            "criteria": "==",
            "value": 18,
            "error_type": "warning",
            "error_title": _("ID number"),
            "error_message": _("The ID number has 18 characters."),
        },
    )
    sheet.freeze_panes(header_row + 1, 0)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.repeat_rows(header_row)
    sheet.fit_to_pages(1, 0)
    sheet.print_area(0, 0, last, last_col)
    sheet.set_footer("&C" + _("Page &P of &N"))
    sheet.activate()
    sheet.set_selection(f"{column_letter(1)}{first + 1}")
    workbook.close()
    return buffer.getvalue()
