"""The roster's columns: what the paper 花名册 calls them and what real files call them.

The header texts are data, not user-interface strings: they are the vocabulary of the
files cadres keep (and of our template), so they stay Chinese whatever the user's
language. The reader matches a header cell against ``HEADER_VARIANTS`` after
``normalise_header`` (full-width → half-width, spaces, a leading "*", and a
parenthesised hint such as "（必填）" removed).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from mutualaid.core.cleaning import half_width

# Fields of a roster row, in the template's order. "seq" (序号) is recognised so it is not
# mistaken for data; "sex" (性别) and "birth_date" (出生日期) are read only to be checked
# against the ID number, which is what the portal records (SPEC §4: never typed twice).
SEQ = "seq"
NAME = "name"
ID_NUMBER = "id_number"
SHARES = "shares"
TIER = "tier"
CATEGORY = "category"
PHONE = "phone"
NOTE = "note"
SEX = "sex"
BIRTH_DATE = "birth_date"

#: The fields a row dict carries (besides "row"); sex and birth date only when the file has
#: those columns (they are checked against the ID number, never stored from the file).
DATA_FIELDS = (NAME, ID_NUMBER, SHARES, TIER, CATEGORY, PHONE, NOTE, SEX, BIRTH_DATE)
#: Without these the file is not a roster.
REQUIRED_FIELDS = (ID_NUMBER, NAME)
#: The template's columns, left to right (a plan sold in tiers has 档次 in place of 份数).
TEMPLATE_FIELDS = (SEQ, NAME, ID_NUMBER, SHARES, CATEGORY, PHONE, NOTE)
TIER_TEMPLATE_FIELDS = (SEQ, NAME, ID_NUMBER, TIER, CATEGORY, PHONE, NOTE)

#: The header each field has in our template, errors file and messages.
CANONICAL_HEADERS: dict[str, str] = {
    SEQ: "序号",
    NAME: "姓名",
    ID_NUMBER: "身份证号码",
    SHARES: "份数",
    TIER: "档次",
    CATEGORY: "人员类别",
    PHONE: "联系电话",
    NOTE: "备注",
    SEX: "性别",
    BIRTH_DATE: "出生日期",
}

#: Header texts seen in real rosters (and a few English ones), before normalisation.
HEADER_VARIANTS: dict[str, tuple[str, ...]] = {
    SEQ: ("序号", "编号", "序", "No", "No.", "#"),
    NAME: (
        "姓名",
        "职工姓名",
        "会员姓名",
        "人员姓名",
        "参保人姓名",
        "参保人员姓名",
        "被保障人姓名",
        "被保险人姓名",
        "名字",
        "Name",
    ),
    ID_NUMBER: (
        "身份证号",
        "身份证号码",
        "公民身份号码",
        "公民身份证号码",
        "身份证",
        "身份证件号码",
        "身份号码",
        "证件号码",
        "证件号",
        "身份证号码(18位)",
        "ID number",
        "ID No.",
        "ID",
    ),
    SHARES: (
        "份数",
        "参保份数",
        "购买份数",
        "认购份数",
        "投保份数",
        "保障份数",
        "互助份数",
        "Shares",
    ),
    CATEGORY: ("人员类别", "类别", "参保类别", "人员类型", "职工类别", "Category"),
    PHONE: (
        "联系电话",
        "手机",
        "手机号码",
        "手机号",
        "电话",
        "电话号码",
        "联系方式",
        "Phone",
    ),
    NOTE: ("备注", "说明", "Note", "Notes"),
    TIER: ("档次", "保障档次", "参保档次", "档位", "Tier"),
    SEX: ("性别", "Sex"),
    BIRTH_DATE: ("出生日期", "出生年月", "出生年月日", "出生日期(年月日)", "生日", "Birth date"),
}

# A hint in brackets after the name: 身份证号码（必填）, 份数(1-5), 手机【选填】.
_HINT = re.compile(r"[\(\[【〔<].*?[\)\]】〕>]")
_PUNCTUATION = str.maketrans("", "", "*＊※:：_-.·'\"“”")


def normalise_header(text: object) -> str:
    """The comparable form of a header cell: half-width, no spaces, hints or stars, lower-case."""
    if not isinstance(text, str):
        return ""
    text = half_width(text)
    text = _HINT.sub("", "".join(text.split()))
    return text.translate(_PUNCTUATION).lower()


_FIELD_BY_HEADER: dict[str, str] = {
    normalise_header(variant): field
    for field, variants in HEADER_VARIANTS.items()
    for variant in variants
}
_FIELD_BY_HEADER.pop("", None)


def field_for_header(text: object) -> str | None:
    """The field a header cell names, or None for a column the roster does not read."""
    return _FIELD_BY_HEADER.get(normalise_header(text))


def column_letter(index: int) -> str:
    """Excel's letters for a 0-based column index: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


class Column(NamedTuple):
    """Where a field is in the file: the header as written there and its column."""

    field: str
    header: str
    letter: str
    index: int
