"""A roster's sex and birth-date columns are checked against the ID number (issue 16 item 2):
a value that is no date or sex, or disagrees with the number, makes the row an error named by
row and column — in the file-local checks, in the service every upload goes through, and in
the preview job's report. The portal records the ID number's values (SPEC §4)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import translation

from enrolment.roster.reader import read_roster
from enrolment.roster.validation import validate_rows
from enrolment.services.lines import lines_import
from members.validation import (
    InvalidValue,
    check_stated_birth_date,
    check_stated_sex,
    complete_id_number,
    validate_id_number,
)
from tests.enrolment.support import new_enrolment

WOMAN = "11010519491231002X"  # born 1949-12-31, a woman
INFO = validate_id_number(WOMAN)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", None),
        (None, None),
        ("1949-12-31", None),
        ("1949/12/31", None),
        ("1949.12.31", None),
        ("1949年12月31日", None),
        ("19491231", None),
        (19491231, None),
        ("１９４９－１２－３１", None),  # full width
        (dt.date(1949, 12, 31), None),  # a date cell
        (dt.datetime(1949, 12, 31), None),
        ("1949-12", None),  # 出生年月: year and month only
        ("1949年12月", None),
        ("194912", None),
        ("1985-13-45", "birth_date_invalid"),  # the date
        ("1949-02-30", "birth_date_invalid"),
        ("去年", "birth_date_invalid"),
        ("1949-12-30", "birth_date_mismatch"),  # one day off
        ("1950-12-31", "birth_date_mismatch"),
        ("1949-11", "birth_date_mismatch"),
        (dt.date(1985, 3, 12), "birth_date_mismatch"),
    ],
)
def test_a_birth_date_beside_the_id_number(value, code):
    if code is None:
        check_stated_birth_date(value, INFO)
        return
    with pytest.raises(InvalidValue) as caught:
        check_stated_birth_date(value, INFO)
    assert (caught.value.code, caught.value.field) == (code, "birth_date")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", None),
        ("女", None),
        (" 女性 ", None),
        ("F", None),
        ("female", None),
        ("男", "sex_mismatch"),
        ("M", "sex_mismatch"),
        ("未知", "sex_invalid"),
    ],
)
def test_a_sex_beside_the_id_number(value, code):
    if code is None:
        check_stated_sex(value, INFO)
        return
    with pytest.raises(InvalidValue) as caught:
        check_stated_sex(value, INFO)
    assert (caught.value.code, caught.value.field) == (code, "sex")


def _file(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for values in rows:
        workbook.active.append(list(values))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


ROSTER = [
    ("姓名", "身份证号码", "性别", "出生日期", "份数"),
    ("王芳", WOMAN, "女", "1949-12-31", 1),  # row 2: agrees
    ("王芳", WOMAN, "", None, 1),  # row 3: blank cells pass (duplicate checked elsewhere)
    ("李娜", "450102198001011237", "女", "1985-13-45", 1),  # row 4: a man's ID; no date
    ("张伟", complete_id_number("11010519850312001"), "男", "1985-03-21", 1),  # row 5: date
]


def test_the_file_checks_name_row_and_column():
    result = read_roster(_file(ROSTER), "名册.xlsx")
    with translation.override("zh-hans"):
        _valid, problems = validate_rows(result.rows, result.column_of)
    found = {(p.row, p.column, p.code) for p in problems if p.field in ("sex", "birth_date")}
    assert found == {
        (4, "C", "sex_mismatch"),
        (4, "D", "birth_date_invalid"),
        (5, "D", "birth_date_mismatch"),
    }
    text = next(p.text for p in problems if p.code == "sex_mismatch")
    assert "4" in text and "C" in text and "性别" in text and "身份证号码显示性别为男" in text


def test_the_service_refuses_such_rows_on_every_upload(world, actors, units, plans):
    from tests import factories

    woman = "11010519491231002X"
    man = factories.make_id_number(birth="19850312", male=True)
    enrolment = new_enrolment(actors.agent, units.a1, plans["gx_designated_disease"])
    rows = [
        {
            "row": 2,
            "name": "王芳",
            "id_number_raw": woman,
            "shares": 1,
            "sex": "女",
            "birth_date": dt.date(1949, 12, 31),
        },
        {
            "row": 3,
            "name": "张伟",
            "id_number_raw": man,
            "shares": 1,
            "sex": "女",
            "birth_date": "1985-03-12",
        },
    ]
    report = lines_import(actor=actors.agent, enrolment=enrolment, rows=rows, preview=True)
    assert (report.valid, report.invalid) == (1, 1)
    assert [(e.row, e.field, e.code) for e in report.errors] == [(3, "sex", "sex_mismatch")]
