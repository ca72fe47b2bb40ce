"""First-generation 15-digit ID numbers are refused with their own message (issue 16 item 11),
on the one validation path of forms, rosters and the API (``validate_id_number``)."""

from __future__ import annotations

import pytest
from django.utils import translation

from enrolment.roster.validation import validate_rows
from members.validation import InvalidValue, validate_id_number

FIRST_GENERATION = "110105491231002"


@pytest.mark.parametrize(
    "raw",
    [
        FIRST_GENERATION,
        f" {FIRST_GENERATION[:6]} {FIRST_GENERATION[6:]} ",
        "１１０１０５４９１２３１００２",  # full width
        int(FIRST_GENERATION),  # a number cell: 15 digits are exact
        float(FIRST_GENERATION),
        f"{FIRST_GENERATION}.0",  # a number cell read as text
    ],
)
def test_a_first_generation_number_is_refused_for_what_it_is(raw):
    with translation.override("zh-hans"), pytest.raises(InvalidValue) as caught:
        validate_id_number(raw)
    assert caught.value.code == "id_number_length"
    assert caught.value.text == "第一代 15 位身份证号码已停用，请填写 18 位身份证号码。"


@pytest.mark.parametrize(
    ("raw", "first_generation"),
    [
        ("11010549123100", False),  # 14 digits
        ("1101054912310021", False),  # 16 digits
        ("11010549123100X", False),  # 15 characters, not all digits
        (FIRST_GENERATION, True),
    ],
)
def test_only_fifteen_digits_read_as_first_generation(raw, first_generation):
    with translation.override("en"), pytest.raises(InvalidValue) as caught:
        validate_id_number(raw)
    assert ("First-generation" in caught.value.text) is first_generation


def test_a_roster_row_names_row_and_column():
    rows = [{"row": 5, "name": "张三", "id_number_raw": FIRST_GENERATION, "shares": 1}]
    with translation.override("zh-hans"):
        valid, problems = validate_rows(rows)
    assert valid == [] and [(p.row, p.field, p.code) for p in problems] == [
        (5, "id_number", "id_number_length")
    ]
    assert "第一代" in problems[0].message
