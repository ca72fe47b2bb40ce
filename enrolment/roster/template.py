"""The downloadable roster template: an .xlsx that looks like the paper 花名册.

Generated per unit and plan (its title and unit line are filled in), with the ID
column formatted as text so Excel never turns an 18-digit ID into a number, and data
validation on 份数 and 人员类别 so mistakes are caught while typing. ``read_roster``
reads it back as it is (tests/enrolment/test_roster_template.py).

The share rules it states and validates are the plan version's (``template_options``):
the maximum number of shares (none: any whole number from 1), the same count for the
whole unit, the cap when counts differ; a plan sold in tiers has a 档次 column with the
tiers' names to choose from instead of 份数.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

import xlsxwriter
from django.utils.translation import gettext as _

from plans.rules import PlanTerms
from plans.rules.vocab import MEMBER_CATEGORIES

from .columns import (
    CANONICAL_HEADERS,
    ID_NUMBER,
    SHARES,
    TEMPLATE_FIELDS,
    TIER,
    TIER_TEMPLATE_FIELDS,
    column_letter,
)

# Rows formatted and validated for filling in (a larger unit copies the rows down).
DEFAULT_DATA_ROWS = 1000
DEFAULT_MAX_SHARES = 10

_WIDTHS = {
    "seq": 6,
    "name": 12,
    "id_number": 22,
    "shares": 7,
    "tier": 14,
    "category": 16,
    "phone": 16,
    "note": 20,
}


def template_options(terms: PlanTerms) -> dict:
    """The share rules of a plan version as ``build_template_xlsx`` takes them."""
    if terms.sale_mode == "tiers":
        return {"tiers": [(tier.name, tier.premium) for tier in terms.tiers.values()]}
    return {
        "max_shares": terms.max_shares,
        "uniform_shares": terms.uniform_shares,
        "mixed_cap": None if terms.uniform_shares else terms.max_shares_if_not_uniform,
    }


def _share_rule_text(
    *, max_shares: int | None, uniform_shares: bool, mixed_cap: int | None, tiers
) -> str:
    if tiers:
        listed = "、".join(f"{name} ¥{premium}" for name, premium in tiers)
        return _("tier: choose one from the list (%(tiers)s)") % {"tiers": listed}
    if max_shares is not None:
        text = _("shares: a whole number from 1 to %(max)d") % {"max": max_shares}
    else:
        text = _("shares: a whole number, 1 or more")
    if uniform_shares:
        text += _(", the same number for every member of the unit")
    elif mixed_cap is not None:
        text += _(", at most %(cap)d each when the numbers differ") % {"cap": mixed_cap}
    return text


def build_template_xlsx(
    *,
    unit_name: str,
    plan_name: str,
    categories: Sequence[str] | None = None,
    max_shares: int | None = DEFAULT_MAX_SHARES,
    uniform_shares: bool = False,
    mixed_cap: int | None = None,
    tiers: Sequence[tuple[str, object]] = (),
    data_rows: int = DEFAULT_DATA_ROWS,
    fill_date: dt.date | None = None,
) -> bytes:
    """The template as .xlsx bytes.

    Row 1: the merged title; row 2: 单位名称 / 参保计划 / 填表日期; row 3: how to fill
    it in; row 4: the header (frozen); rows 5…: empty rows, the ID column as text.
    ``categories``: the 人员类别 offered in the drop-down (default: every category).
    Share rules (pass ``template_options(terms)``): ``max_shares`` (None: no maximum),
    ``uniform_shares``, ``mixed_cap``; or ``tiers`` ((name, premium), …) for a plan sold
    in tiers, which then has a 档次 column in place of 份数.
    """
    categories = list(categories or MEMBER_CATEGORIES.values())
    fields = TIER_TEMPLATE_FIELDS if tiers else TEMPLATE_FIELDS
    last_col = len(fields) - 1
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
            "or paste it as it is; the sex comes from the ID number; %(shares)s; member "
            "category: choose from the list. Do not change the header row."
        )
        % {
            "shares": _share_rule_text(
                max_shares=max_shares,
                uniform_shares=uniform_shares,
                mixed_cap=mixed_cap,
                tiers=tiers,
            )
        },
        note,
    )

    header_row = 3
    sheet.set_row(header_row, 24)
    first, last = header_row + 1, header_row + data_rows
    for col, field in enumerate(fields):
        sheet.write_string(header_row, col, CANONICAL_HEADERS[field], header)
        column_format = (
            as_text
            if field in (ID_NUMBER, "phone")
            else (centred if field in ("seq", SHARES) else cell)
        )
        sheet.set_column(col, col, _WIDTHS[field])
        # Format only the rows offered for filling in: a whole-column format would
        # be lost on rows pasted from elsewhere anyway, and bloats nothing this way.
        for row in range(first, last + 1):
            sheet.write_blank(row, col, None, column_format)

    if tiers:
        tier_col = fields.index(TIER)
        sheet.data_validation(
            first,
            tier_col,
            last,
            tier_col,
            {
                "validate": "list",
                "source": [name for name, _premium in tiers],
                "error_title": _("Tier"),
                "error_message": _("Choose a tier from the list."),
            },
        )
    else:
        shares_col = fields.index(SHARES)
        if max_shares is not None:
            shares_rule = {"criteria": "between", "minimum": 1, "maximum": max_shares}
            message = _("A whole number from 1 to %(max)d.") % {"max": max_shares}
        else:
            shares_rule = {"criteria": ">=", "value": 1}
            message = _("A whole number, 1 or more.")
        sheet.data_validation(
            first,
            shares_col,
            last,
            shares_col,
            {
                "validate": "integer",
                **shares_rule,
                "error_title": _("Shares"),
                "error_message": message,
            },
        )
    category_col = fields.index("category")
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
    id_col = fields.index(ID_NUMBER)
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
