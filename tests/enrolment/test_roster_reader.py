"""Reading roster files as cadres really keep them, and the file-local checks (E8–E11).

Every file here is a real one, made in the test (openpyxl for .xlsx, bytes for .csv)
or kept as a fixture (.xls, made once with xlwt: fixtures/make_roster_xls.py). No
database: the reader and ``validate_rows`` are pure.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.utils import translation

from enrolment.roster.columns import column_letter, field_for_header, normalise_header
from enrolment.roster.reader import RosterFileError, decode_text, read_roster
from enrolment.roster.validation import validate_rows
from members.validation import complete_id_number

FIXTURES = Path(__file__).with_name("fixtures")

E8_ID = "11010519491231002X"  # valid check digit
E9_ID = "110105194912310021"  # wrong check digit
E10_CELL = 1.10105194912310e17  # what Excel keeps of an 18-digit ID typed as a number
OTHER_ID = "450102198001011237"  # valid
THIRD_ID = "450102198512152349"  # valid


def xlsx(rows, *, title_rows=(), merge_title=True, number_cells=()) -> bytes:
    """An .xlsx like a cadre's: title rows (the first merged across), then ``rows``."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "花名册"
    for title in title_rows:
        sheet.append(list(title))
    if title_rows and merge_title:
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=7)
    for values in rows:
        sheet.append(list(values))
    for ref, value in number_cells:
        sheet[ref] = value
        sheet[ref].number_format = "0.00000000000000E+00"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


TITLE = (
    ("南宁市某某公司职工互助保障参保人员名册",),
    ("单位名称：南宁市某某公司", None, None, "填表日期：2026年3月1日"),
)
HEADER = ("序号", "姓 名", "公民身份号码", "购买份数", "类别", "手机", "备注")


def realistic_xlsx() -> bytes:
    """Rows 4…: E8 (lower-case x, spaces), E9, E10 (a number cell), E11 (rows 7 and 9)."""
    rows = [
        HEADER,
        (1, " 张三 ", " 1101051949123 1002x ", 5, "职工", "138 0013 8000", ""),  # row 4, E8
        (2, "李四", E9_ID, 5, "职工", "", ""),  # row 5, E9
        (3, "王五", None, 5, "职工", "", "号码存成了数字"),  # row 6, E10 (cell set below)
        (4, "赵六", OTHER_ID, "３", "农民工", "0771-5678901", ""),  # row 7, E11 with row 9
        (None, None, None, None, None, None, None),  # row 8, blank
        (6, "孙八", "４５０１０２１９８００１０１１２３７", 2, "职工", "", ""),  # row 9, full-width
        (7, "周九", THIRD_ID, 1, "工会干部", "13912345678", "新入职"),  # row 10
        ("合计", None, None, 18, None, None, None),  # row 11
        (None, "填表人：吴十", None, None, None, "联系电话：13800000000", None),  # row 12
    ]
    return xlsx(rows, title_rows=TITLE, number_cells=[("C6", E10_CELL)])


# --- Headers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("身份证号", "id_number"),
        ("身份证号码", "id_number"),
        ("公民身份号码", "id_number"),
        ("证件号码", "id_number"),
        ("身份证号码（必填）", "id_number"),
        ("＊姓　名", "name"),
        (" 姓名\n", "name"),
        ("参保份数", "shares"),
        ("份 数", "shares"),
        ("人员类别", "category"),
        ("手机号码", "phone"),
        ("联系电话：", "phone"),
        ("备注", "note"),
        ("性别", "sex"),
        ("出生日期", "birth_date"),  # read to be checked against the ID (issue 16 item 2)
        ("出生年月", "birth_date"),
        ("档次", "tier"),
        ("XX单位职工互助保障参保人员名册", None),
    ],
)
def test_header_variants(header, field):
    assert field_for_header(header) == field


def test_normalise_header_and_letters():
    assert normalise_header("【身份证号码】（18位）") == ""  # all hint, no name left
    assert normalise_header("身份证号码(18位)") == "身份证号码"
    assert [column_letter(i) for i in (0, 3, 25, 26, 27, 51, 52, 701, 702)] == [
        "A",
        "D",
        "Z",
        "AA",
        "AB",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]


# --- A realistic .xlsx: E8–E11 ------------------------------------------------------------------


def test_xlsx_with_title_rows_variants_and_number_cell():
    result = read_roster(realistic_xlsx(), "名册.xlsx")

    assert result.file_type == "xlsx"
    assert result.header_row == 3
    assert result.column_of["id_number"].letter == "C"
    assert result.column_of["id_number"].header == "公民身份号码"
    assert result.column_of["name"].header == "姓 名"
    assert result.column_of["shares"].letter == "D"
    assert [r["row"] for r in result.rows] == [4, 5, 6, 7, 9, 10]
    assert result.skipped_rows == [11, 12]  # the total and the signature line
    first = result.rows[0]
    assert first == {
        "row": 4,
        "name": "张三",
        "id_number_raw": " 1101051949123 1002x ",
        "shares": 5,
        "category": "职工",
        "phone": "138 0013 8000",
        "note": "",
    }
    # The number cell stays a float, so the check can say the precision is lost.
    assert isinstance(result.rows[2]["id_number_raw"], float)
    assert result.rows[3]["shares"] == 3  # full-width ３


def test_e8_to_e11_through_the_file():
    result = read_roster(realistic_xlsx(), "名册.xlsx")
    with translation.override("en"):
        valid, problems = validate_rows(result.rows, result.column_of)

    # E8: lower-case x and spaces are fine; the ID comes back normalised.
    by_row = {r["row"]: r for r in valid}
    assert by_row[4]["id_number"] == E8_ID
    assert by_row[4]["sex"] == "female" and by_row[4]["birth_date"] == dt.date(1949, 12, 31)
    assert by_row[4]["phone"] == "13800138000"
    assert by_row[4]["category"] == "worker"
    assert by_row[10]["category"] == "union_cadre"
    assert sorted(by_row) == [4, 10]

    found = {(p.row, p.column, p.field, p.code) for p in problems}
    assert found == {
        (5, "C", "id_number", "id_number_checksum"),  # E9
        (6, "C", "id_number", "id_number_excel_precision"),  # E10
        (7, "C", "id_number", "id_number_duplicate_in_file"),  # E11, both rows
        (9, "C", "id_number", "id_number_duplicate_in_file"),
    }
    e9 = next(p for p in problems if p.row == 5)
    assert e9.header == "公民身份号码"
    with translation.override("en"):  # the row/column prefix is rendered when read
        assert (
            e9.text == "Row 5, column C (公民身份号码): The check digit of the ID number is wrong."
        )
    e10 = next(p for p in problems if p.row == 6)
    assert "precision is lost" in e10.message and "text" in e10.message
    e11 = [p for p in problems if p.code == "id_number_duplicate_in_file"]
    assert all("rows 7, 9" in p.message for p in e11)


def test_e9_and_e10_messages_in_chinese():
    result = read_roster(realistic_xlsx(), "名册.xlsx")
    with translation.override("zh-hans"):
        _, problems = validate_rows(result.rows, result.column_of)
    messages = {p.row: p.message for p in problems}
    assert messages[5] == "身份证号码校验位错误"
    assert "精度已丢失" in messages[6]


def test_e10_as_text_scientific_notation():
    # Copied out of Excel as text, the lost precision still shows.
    rows = [("姓名", "身份证号码", "份数"), ("王五", "1.10105194912310E+17", 5)]
    result = read_roster(xlsx(rows), "r.xlsx")
    _, problems = validate_rows(result.rows, result.column_of)
    assert [(p.row, p.column, p.code) for p in problems] == [(2, "B", "id_number_excel_precision")]


def test_row_checks_name_shares_phone_category():
    rows = [
        ("姓名", "身份证号码", "份数", "人员类别", "联系电话"),
        ("", E8_ID, 1, "", ""),  # row 2: no name
        ("甲", OTHER_ID, 0, "", ""),  # row 3: zero shares
        ("乙", THIRD_ID, 2.5, "", ""),  # row 4: not a whole number
        ("丙", complete_id_number("45010219800101125"), None, "", ""),  # row 5: no shares
        ("丁", "450102199211110019", "2份", "外星人", "12345"),  # row 6: category, phone
        ("戊", "", 1, "", ""),  # row 7: a name but no ID
    ]
    result = read_roster(xlsx(rows), "r.xlsx")
    assert result.rows[4]["shares"] == 2  # "2份"
    valid, problems = validate_rows(result.rows, result.column_of)
    assert valid == []
    assert [(p.row, p.column, p.code) for p in problems] == [
        (2, "A", "name_required"),
        (3, "C", "shares_invalid"),
        (4, "C", "shares_invalid"),
        (5, "C", "shares_required"),
        (6, "D", "category_invalid"),
        (6, "E", "phone_invalid"),
        (7, "B", "id_number_required"),
    ]


def test_default_shares_and_no_shares_column():
    rows = [("姓名", "身份证号码"), ("甲", E8_ID)]
    result = read_roster(xlsx(rows), "r.xlsx")
    assert "shares" not in result.column_of
    assert result.rows[0]["shares"] is None
    valid, problems = validate_rows(result.rows, result.column_of)
    assert problems == [] and valid[0]["shares"] is None
    valid, _ = validate_rows(result.rows, result.column_of, default_shares=3)
    assert valid[0]["shares"] == 3
    assert validate_rows(result, default_shares=3) == (valid, [])


def test_two_row_merged_header_xlsx():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"] = "参保人员名册"
    sheet.merge_cells("A1:E1")
    sheet["A2"], sheet["B2"], sheet["C2"], sheet["E2"] = "序号", "姓名", "身份证号码", "备注"
    sheet["D2"] = "参保信息"
    sheet["D3"] = "份数"
    for ref in ("A2:A3", "B2:B3", "C2:C3", "E2:E3"):
        sheet.merge_cells(ref)
    sheet.append([1, "甲", E8_ID, 2, "x"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = read_roster(buffer.getvalue(), "r.xlsx")
    assert result.column_of["shares"].letter == "D"
    assert result.column_of["note"].letter == "E"
    assert [(r["row"], r["shares"], r["note"]) for r in result.rows] == [(4, 2, "x")]


def test_header_on_second_sheet_when_first_is_instructions():
    workbook = openpyxl.Workbook()
    workbook.active.title = "填表说明"
    workbook.active["A1"] = "请在第二张表填写"
    data = workbook.create_sheet("名册")
    data.append(["姓名", "身份证号码"])
    data.append(["甲", E8_ID])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = read_roster(buffer.getvalue(), "r.xlsx")
    assert result.sheet_name == "名册" and len(result.rows) == 1


# --- .xls ---------------------------------------------------------------------------------------


def test_xls_fixture_e8_to_e11():
    result = read_roster((FIXTURES / "roster_sample.xls").read_bytes(), "名册.xls")
    assert result.file_type == "xls"
    assert result.column_of["id_number"].header == "公民身份号码"
    assert result.column_of["shares"].header == "参保份数"  # from the second header row
    assert [r["row"] for r in result.rows] == [5, 6, 7, 8, 9, 10]
    assert result.skipped_rows == [12, 13]
    assert isinstance(result.rows[2]["id_number_raw"], float)
    assert result.rows[3]["phone"] == "13912345678"  # a number cell, no ".0"
    valid, problems = validate_rows(result.rows, result.column_of)
    assert [r["id_number"] for r in valid] == [E8_ID, "450102198512152349"]
    assert [(p.row, p.column, p.code) for p in problems] == [
        (6, "C", "id_number_checksum"),
        (7, "C", "id_number_excel_precision"),
        (8, "C", "id_number_duplicate_in_file"),
        (10, "C", "id_number_duplicate_in_file"),
    ]


def test_xlsx_content_named_xls_is_read_for_what_it_is():
    result = read_roster(xlsx([("姓名", "身份证号码"), ("甲", E8_ID)]), "export.xls")
    assert result.file_type == "xlsx"


# --- .csv ---------------------------------------------------------------------------------------

CSV_TEXT = (
    "XX单位职工互助保障参保人员名册,,,\r\n"
    "序号,姓名,身份证号码,份数\r\n"
    f"1,张三,{E8_ID.lower()},5\r\n"
    f"2,李四,{E9_ID},5\r\n"
    ",,,\r\n"
    "3,王五,1.10105E+17,5\r\n"
    f'4,赵六,="{OTHER_ID}",3\r\n'
    "合计,,,13\r\n"
)


@pytest.mark.parametrize(
    ("encoding", "label"), [("gbk", "GBK"), ("utf-8-sig", "UTF-8 BOM"), ("utf-8", "UTF-8")]
)
def test_csv_encodings(encoding, label):
    result = read_roster(CSV_TEXT.encode(encoding), "名册.csv")
    assert result.file_type == "csv"
    assert result.header_row == 2
    assert [r["row"] for r in result.rows] == [3, 4, 6, 7]
    valid, problems = validate_rows(result.rows, result.column_of)
    assert [r["id_number"] for r in valid] == [E8_ID, OTHER_ID]
    assert [(p.row, p.column, p.code) for p in problems] == [
        (4, "C", "id_number_checksum"),
        (6, "C", "id_number_excel_precision"),
    ]


def test_csv_tab_separated_utf16():
    text = "姓名\t身份证号码\t份数\r\n张三\t" + E8_ID + "\t2\r\n"
    result = read_roster(text.encode("utf-16"), "名册.csv")
    assert result.rows[0]["id_number_raw"] == E8_ID and result.rows[0]["shares"] == 2


def test_gbk_is_detected_not_guessed_as_utf8():
    assert decode_text("姓名,身份证号码".encode("gbk")) == "姓名,身份证号码"


# --- Refusals -------------------------------------------------------------------------------------


def refusal(data: bytes, name: str, **kwargs) -> RosterFileError:
    with pytest.raises(RosterFileError) as caught:
        read_roster(data, name, **kwargs)
    assert caught.value.field == "file"
    return caught.value


def test_missing_id_column_is_a_file_error():
    error = refusal(xlsx([("姓名", "手机号码", "份数"), ("甲", "13800138000", 1)]), "r.xlsx")
    assert error.code == "roster_missing_column"
    assert "身份证号码" in error.text
    with translation.override("en"):
        error = refusal(xlsx([("姓名", "手机号码"), ("甲", "13800138000")]), "r.xlsx")
    assert error.text == 'The file has no "身份证号码" column: please use the template.'


def test_no_header_at_all():
    assert refusal(xlsx([("a", "b"), (1, 2)]), "r.xlsx").code == "roster_missing_column"


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "r.xlsx", "roster_empty"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "r.xlsx", "roster_type"),  # a picture renamed
        ("<html><table><tr><td>姓名</td></tr></table></html>".encode(), "r.xls", "roster_html"),
        ("姓名,身份证号码\n".encode(), "r.xlsx", "roster_type"),  # text named .xlsx
        (b"\x00\x01\x02binary", "r.csv", "roster_type"),
        ("姓名,身份证号码".encode(), "r.txt", "roster_type"),
        (b"PK\x03\x04 not really a zip", "r.xlsx", "roster_unreadable"),
    ],
)
def test_refused_by_content(data, name, code):
    assert refusal(data, name).code == code


def test_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert refusal(buffer.getvalue(), "r.xlsx").code == "roster_type"


def test_ole_file_named_csv_and_encrypted_xlsx():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    assert refusal(ole, "r.csv").code == "roster_type"
    encrypted = ole + "EncryptedPackage".encode("utf-16-le")
    assert refusal(encrypted, "r.xlsx").code == "roster_encrypted"


def test_size_and_row_limits():
    data = xlsx([("姓名", "身份证号码")] + [("甲", E8_ID)] * 5)
    assert refusal(data, "r.xlsx", max_bytes=len(data) - 1).code == "roster_too_large"
    assert refusal(data, "r.xlsx", max_rows=4).code == "roster_too_many_rows"
    assert len(read_roster(data, "r.xlsx", max_rows=5).rows) == 5
