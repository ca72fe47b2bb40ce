"""The one validation path (members.validation): ID numbers, credit codes, accounts, phones, names.

Acceptance rows E8–E10 of ``shared/acceptance/enrolment.csv`` are read at test time and
run through ``validate_id_number``, the function the form, the API, the admin and the
roster upload all call.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from members.validation import (
    IdInfo,
    InvalidValue,
    Problems,
    complete_id_number,
    normalise_id_number,
    validate_bank_account,
    validate_credit_code,
    validate_id_number,
    validate_person_name,
    validate_phone,
)
from mutualaid.core.cleaning import mask_id_number
from mutualaid.core.errors import DomainError

ACCEPTANCE = Path(__file__).resolve().parents[3] / "shared" / "acceptance" / "enrolment.csv"
ID_CASES = ("E8", "E9", "E10")


def _acceptance_rows() -> list[dict[str, str]]:
    with ACCEPTANCE.open(encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["case"] in ID_CASES]


def _id_in(situation: str) -> str:
    # "ID number 11010519491231002X (valid check digit)",
    # "ID cell read from Excel as the number 1.10105194912310E+17"
    words = situation.replace("(", " ").split()
    return next(word for word in words if word[0].isdigit() and len(word) >= 15)


# --- Acceptance E8–E10 ------------------------------------------------------------------------

# What each row's expectation means for the validation path: (accepted?, reason code).
EXPECTED_CODES = {"E8": None, "E9": "id_number_checksum", "E10": "id_number_excel_precision"}


def test_the_acceptance_file_has_the_id_rows():
    assert [row["case"] for row in _acceptance_rows()] == list(ID_CASES)


@pytest.mark.parametrize("row", _acceptance_rows(), ids=lambda row: row["case"])
def test_acceptance_id_cases(row):
    raw = _id_in(row["situation"])
    expected_code = EXPECTED_CODES[row["case"]]
    if row["expected"].startswith("accepted"):
        assert expected_code is None
        info = validate_id_number(raw)
        assert info == IdInfo(
            number="11010519491231002X", sex="female", birth_date=dt.date(1949, 12, 31)
        )
        return
    assert row["expected"].startswith("rejected")
    with pytest.raises(InvalidValue) as caught:
        validate_id_number(raw, field="身份证号码")
    # The roster upload names the column from ``field`` and the row from its own loop.
    assert (caught.value.code, caught.value.field) == (expected_code, "身份证号码")
    assert caught.value.message_dict == {"身份证号码": [caught.value.text]}


def test_e9_and_e10_messages_a_cadre_can_act_on():
    with translation.override("en"):
        with pytest.raises(InvalidValue) as wrong_digit:
            validate_id_number("110105194912310021")
        with pytest.raises(InvalidValue) as excel:
            validate_id_number("1.10105194912310E+17")
    assert wrong_digit.value.text == "The check digit of the ID number is wrong."
    assert "format the column as text" in excel.value.text


# --- What real cells look like ----------------------------------------------------------------

E8 = "11010519491231002X"


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002X",
        "11010519491231002x",  # lower-case x
        " 110105 19491231 002X ",  # spaces people type to read it
        "１１０１０５１９４９１２３１００２Ｘ",  # full width (input methods)
        "１１０１０５１９４９１２３１００２ｘ",
        "\u3000110105194912310 02X\u200b",  # ideographic space, zero-width space
        "'11010519491231002X",  # Excel's leading apostrophe for "text"
        "\ufeff11010519491231002X",  # a BOM from a CSV export
    ],
)
def test_id_numbers_are_normalised_before_checking(raw):
    assert normalise_id_number(raw) == E8
    assert validate_id_number(raw).number == E8


@pytest.mark.parametrize(
    "raw",
    [
        "1.10105194912310E+17",
        "1.1010519491231e17",
        "1.1010519491231002e+17",  # Python's repr of the float a reader hands over
        "110105194912310000.0",
        110105194912310021.0,  # a float cell
        Decimal("110105194912310021"),
        110105194912310016,  # an int that came out of a float: beyond 2**53
        "110105194912310000",  # Excel's 15 significant digits, the rest zeros
    ],
)
def test_numbers_excel_stored_as_numbers_ask_for_text(raw):
    with pytest.raises(InvalidValue) as caught:
        validate_id_number(raw)
    assert caught.value.code == "id_number_excel_precision"


def test_a_valid_number_that_ends_in_zeros_is_still_accepted():
    # Order code x00 with check digit 0 exists; only zeros failing the check are Excel's doing.
    candidates = (
        complete_id_number(f"110105198001{day:02d}{x}00") for day in range(1, 29) for x in range(10)
    )
    number = next(n for n in candidates if n.endswith("000"))
    assert validate_id_number(number).number == number


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "id_number_required"),
        ("   ", "id_number_required"),
        (None, "id_number_required"),
        ("110105491231002", "id_number_length"),  # the old 15-digit number
        ("11010519491231002X1", "id_number_length"),
        ("1101051949123100X2", "id_number_characters"),
        ("11010519491231O02X", "id_number_characters"),  # letter O for zero
        ("110105194912310021", "id_number_checksum"),
        (complete_id_number("11010519491331002"), "id_number_birth_date"),  # month 13
        (complete_id_number("11010519490230002"), "id_number_birth_date"),  # 30 February
        (complete_id_number("11010518991231002"), "id_number_birth_date"),  # before 1900
        (complete_id_number("11010530001231002"), "id_number_birth_date"),  # in the future
    ],
)
def test_bad_id_numbers_say_what_is_wrong(raw, code):
    with pytest.raises(InvalidValue) as caught:
        validate_id_number(raw)
    assert (caught.value.code, caught.value.field) == (code, "id_number")


@pytest.mark.parametrize(
    ("first17", "sex", "birth"),
    [
        ("44030119900307123", "male", dt.date(1990, 3, 7)),  # 17th digit 3: odd
        ("44030119900307124", "female", dt.date(1990, 3, 7)),  # 17th digit 4: even
        ("45042120000229001", "male", dt.date(2000, 2, 29)),
        ("33060219651231000", "female", dt.date(1965, 12, 31)),
    ],
)
def test_sex_and_birth_date_come_from_the_number(first17, sex, birth):
    info = validate_id_number(complete_id_number(first17))
    assert (info.sex, info.birth_date) == (sex, birth)


def test_masking_keeps_the_first_and_last_four():
    assert mask_id_number("340104199001011234") == "3401**********1234"
    assert mask_id_number(E8) == "1101**********002X"


# --- Messages are translated, in Chinese by default --------------------------------------------


def test_messages_use_the_active_language():
    with translation.override("en"), pytest.raises(InvalidValue) as english:
        validate_id_number("123")
    assert english.value.text == "The ID number must have 18 characters."
    with translation.override("zh-hans"), pytest.raises(InvalidValue) as chinese:
        validate_id_number("123")
    # Until the catalogue has it the msgid shows; once translated it reads 身份证号码应为18位.
    assert chinese.value.text in ("The ID number must have 18 characters.", "身份证号码应为18位")


# --- Unified social credit codes -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("91110000600037341L", "91110000600037341L"),
        ("9111 0000 6000 3734 1l", "91110000600037341L"),  # spaces, lower case
        ("９１１１００００６０００３７３４１Ｌ", "91110000600037341L"),  # full width
        ("", ""),  # optional
        (None, ""),
    ],
)
def test_credit_codes_are_normalised(raw, expected):
    assert validate_credit_code(raw) == expected


def test_credit_codes_may_start_with_a_letter():
    # GB 32100: the registering authority may be a letter (A, N, Y); stdnum wants a digit.
    from stdnum.cn import uscc

    code = "Y1110000600037341" + uscc.calc_check_digit("Y11100006000373410")
    assert validate_credit_code(code) == code


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("91110000600037341", "credit_code_length"),
        ("91110000600037341M", "credit_code_checksum"),
        ("9111000060003734IL", "credit_code_characters"),  # I is not in the alphabet
        ("911A0000600037341L", "credit_code_characters"),  # region code must be digits
    ],
)
def test_bad_credit_codes(raw, code):
    with pytest.raises(InvalidValue) as caught:
        validate_credit_code(raw)
    assert (caught.value.code, caught.value.field) == (code, "credit_code")


# --- Bank accounts, phones, names -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("6222 0202 0001 2345 678", "6222020200012345678"),
        ("12345678", "12345678"),
        ("１２３４-５６７８", "12345678"),
        ("", ""),
    ],
)
def test_bank_accounts(raw, expected):
    assert validate_bank_account(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("1234567", "bank_account_length"),
        ("1" * 31, "bank_account_length"),
        ("6222O20200012345", "bank_account_characters"),
    ],
)
def test_bad_bank_accounts(raw, code):
    with pytest.raises(InvalidValue) as caught:
        validate_bank_account(raw)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13807741234", "13807741234"),
        ("138 0774 1234", "13807741234"),
        ("+86 138-0774-1234", "13807741234"),
        ("１３８０７７４１２３４", "13807741234"),
        ("0774-2681234", "0774-2681234"),
        ("(0575)85123456", "0575-85123456"),
        ("07742681234", "0774-2681234"),
        ("0774-2681234-801", "0774-2681234-801"),
        ("", ""),
    ],
)
def test_phones(raw, expected):
    assert validate_phone(raw) == expected


@pytest.mark.parametrize("raw", ["1380774123", "23807741234", "2681234", "电话"])
def test_bad_phones(raw):
    with pytest.raises(InvalidValue) as caught:
        validate_phone(raw, field="contact_phone")
    assert (caught.value.code, caught.value.field) == ("phone_invalid", "contact_phone")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" 张  伟 ", "张伟"),
        ("廖 春梅", "廖春梅"),
        ("廖\u3000春梅", "廖春梅"),  # an ideographic space typed with a Chinese IME
        ("阿依古丽 · 买买提", "阿依古丽·买买提"),
        ("Anna Lee", "Anna Lee"),
        ("买买提.艾力", "买买提·艾力"),
        ("买买提 • 艾力", "买买提·艾力"),
        ("ＬＩ Ｌｅｉ", "LI Lei"),
    ],
)
def test_names(raw, expected):
    assert validate_person_name(raw) == expected


@pytest.mark.parametrize("raw", ["张\x00伟", "张伟\x1b", "\ud800张伟"])
def test_a_name_with_a_control_character_is_refused(raw):
    """A NUL reached COPY and gave a server error on the roster upload; now it is the row's
    message like any other bad name."""
    with pytest.raises(InvalidValue) as caught:
        validate_person_name(raw)
    assert caught.value.code == "name_control"


def test_problems_collects_every_bad_field():
    problems = Problems()
    assert problems.check(validate_phone, "123") is None
    assert problems.check(validate_id_number, "123") is None
    assert problems.check(validate_person_name, "张伟") == "张伟"
    with pytest.raises(DomainError) as caught:
        problems.raise_if_any()
    assert set(caught.value.message_dict) == {"phone", "id_number"}
