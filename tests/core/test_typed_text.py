"""Keep what people type (issue 14): free text keeps its Chinese punctuation ("，" "。" are
not turned into ASCII); NFKC only on codes; a Han name loses the padding spaces people type
between its characters and keeps the middle dot of minority names."""

from __future__ import annotations

import pytest

from mutualaid.core.cleaning import (
    account_digits,
    clean_person_name,
    clean_text,
    half_width,
    keep_text,
)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("确诊肺癌，住院手术。", "确诊肺癌，住院手术。"),
        ("（一）门诊；（二）住院！", "（一）门诊；（二）住院！"),
        ("  前后空格  ", "前后空格"),
        ("\u3000全角空格\u3000", "全角空格"),
        ("零宽\u200b字符\ufeff", "零宽字符"),
        ("e\u0301", "é"),  # composed (NFC), nothing more
        ("ＡＢＣ１２３", "ＡＢＣ１２３"),  # free text: full-width letters are what was typed
    ],
)
def test_free_text_is_kept(typed, stored):
    assert keep_text(typed) == stored
    assert clean_text(typed, field="note", max_length=100) == stored


@pytest.mark.parametrize(
    ("typed", "code"),
    [("４５０１０２", "450102"), ("6222\u200b0212", "62220212"), ("ＡＢ-１２", "AB-12")],
)
def test_codes_are_made_half_width(typed, code):
    assert half_width(typed) == code


def test_account_numbers_lose_separators():
    assert account_digits("６２２２ ０２１２-３４５６") == "622202123456"


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("廖 春梅", "廖春梅"),
        ("  廖  春 梅 ", "廖春梅"),
        ("廖\u3000春梅", "廖春梅"),
        ("买买提·艾力", "买买提·艾力"),
        ("买买提 · 艾力", "买买提·艾力"),
        ("买买提.艾力", "买买提·艾力"),
        ("买买提・艾力", "买买提·艾力"),
        ("Anna  Lee", "Anna Lee"),
        ("ＬＩ Ｌｅｉ", "LI Lei"),
    ],
)
def test_person_names(typed, name):
    assert clean_person_name(typed) == name
