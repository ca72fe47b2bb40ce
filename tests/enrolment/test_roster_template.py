"""The files we hand to cadres: the roster template and the errors file, read back.

The template must look like the paper 花名册 and read back through ``read_roster`` as
it is, filled in or not; the errors file must show what is wrong and upload again.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from django.utils import translation
from python_calamine import load_workbook

from enrolment.roster.columns import CANONICAL_HEADERS, TEMPLATE_FIELDS
from enrolment.roster.errors_file import build_errors_xlsx
from enrolment.roster.reader import read_roster
from enrolment.roster.template import build_template_xlsx
from enrolment.roster.validation import validate_rows

E8_ID = "11010519491231002X"
OTHER_ID = "450102198001011237"


def template(**kwargs) -> bytes:
    defaults = {
        "unit_name": "南宁市第一中学",
        "plan_name": "GX 职工综合",
        "fill_date": dt.date(2026, 3, 1),
    }
    return build_template_xlsx(**{**defaults, **kwargs})


def test_template_looks_like_the_paper_roster():
    with translation.override("zh-hans"):
        data = template(max_shares=5)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active

    assert "A1:G1" in {str(r) for r in sheet.merged_cells.ranges}
    assert "南宁市第一中学" in sheet["A1"].value
    assert "南宁市第一中学" in sheet["A2"].value and "GX 职工综合" in sheet["D2"].value
    assert "2026-03-01" in sheet["G2"].value
    assert sheet["A3"].value  # how to fill it in
    assert (
        [sheet.cell(4, c + 1).value for c in range(7)]
        == [CANONICAL_HEADERS[f] for f in TEMPLATE_FIELDS]
        == ["序号", "姓名", "身份证号码", "份数", "人员类别", "联系电话", "备注"]
    )
    assert sheet.freeze_panes == "A5"
    # The ID column is text, so Excel never turns an ID into a number.
    assert sheet["C5"].number_format == "@" and sheet["C1004"].number_format == "@"
    assert sheet.column_dimensions["C"].width >= 20

    validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    shares = validations["D5:D1004"]
    # "between" is the default operator, so the file leaves it out.
    assert (shares.type, shares.operator or "between", shares.formula1, shares.formula2) == (
        "whole",
        "between",
        "1",
        "5",
    )
    categories = validations["E5:E1004"]
    assert categories.type == "list"
    assert categories.formula1 == '"职工,农民工,新就业形态劳动者,工会干部"'


def test_template_reads_back_empty():
    result = read_roster(template(), "模板.xlsx")
    assert result.header_row == 4
    assert {f: c.letter for f, c in result.column_of.items()} == {
        "seq": "A",
        "name": "B",
        "id_number": "C",
        "shares": "D",
        "category": "E",
        "phone": "F",
        "note": "G",
    }
    assert result.rows == []


def test_template_filled_in_reads_back():
    workbook = openpyxl.load_workbook(io.BytesIO(template(categories=["职工", "农民工"])))
    sheet = workbook.active
    # Typed where a cadre types: the first rows under the header.
    for col, value in enumerate([1, "张三", E8_ID, 3, "职工", "13800138000", "新"], start=1):
        sheet.cell(5, col, value)
    for col, value in enumerate([2, "李四", OTHER_ID, 3, "农民工", "0771-5678901", None], start=1):
        sheet.cell(6, col, value)
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = read_roster(buffer.getvalue(), "名册.xlsx")
    valid, problems = validate_rows(result.rows, result.column_of)
    assert problems == []
    assert [
        (r["row"], r["name"], r["id_number"], r["shares"], r["category"], r["phone"]) for r in valid
    ] == [
        (5, "张三", E8_ID, 3, "worker", "13800138000"),
        (6, "李四", OTHER_ID, 3, "migrant_worker", "0771-5678901"),
    ]


def test_errors_file_reads_back_and_uploads_again():
    rows = [
        ("姓名", "身份证号码", "份数", "手机号码"),
        ("张三", E8_ID, 5, ""),  # row 2: fine
        ("李四", "110105194912310021", 5, ""),  # row 3: E9
        ("王五", 1.10105194912310e17, 0, "123"),  # row 4: E10, shares, phone
        ("赵六", OTHER_ID, 2, ""),  # row 5: E11 with row 6
        ("赵六", OTHER_ID, 2, ""),  # row 6
    ]
    workbook = openpyxl.Workbook()
    for values in rows:
        workbook.active.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = read_roster(buffer.getvalue(), "r.xlsx")
    with translation.override("zh-hans"):
        _, problems = validate_rows(result.rows, result.column_of)
        data = build_errors_xlsx(problems, result.rows)

    sheet = load_workbook(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    header, body = sheet[0], sheet[1:]
    assert header[1:7] == ["姓名", "身份证号码", "份数", "人员类别", "联系电话", "备注"]
    assert [int(r[0]) for r in body] == [3, 4, 5, 6]
    by_row = {int(r[0]): r for r in body}
    assert by_row[3][2] == "110105194912310021"
    assert by_row[4][2] == "1.10105194912310E+17"  # as Excel showed it, now as text
    assert by_row[4][3] == 0
    explanation = by_row[4][-1]
    assert "精度已丢失" in explanation and "份数" in explanation and "手机号码" in explanation
    assert "身份证号码校验位错误" in by_row[3][-1]
    assert "5, 6" in by_row[5][-1] and "5, 6" in by_row[6][-1]

    # The cells at fault are shaded; the ID column is text.
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet["C2"].fill.fgColor.rgb.endswith("F8CBAD") and sheet["C2"].number_format == "@"
    assert sheet["B2"].fill.fgColor.rgb in (None, "00000000")

    # Uploaded again as it is, the same rows come back with their original values.
    again = read_roster(data, "错误.xlsx")
    assert [r["name"] for r in again.rows] == ["李四", "王五", "赵六", "赵六"]
    assert again.rows[1]["id_number_raw"] == "1.10105194912310E+17"
    _, problems_again = validate_rows(again.rows, again.column_of)
    assert {p.code for p in problems_again} == {p.code for p in problems}
