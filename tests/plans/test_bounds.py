"""Chinese legal counting (民法典 第一千二百五十九条) on band bounds.

以上/以下/以内/届满 include the number; 不满/超过/以外 exclude it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from plans.rules import Band, Bound
from plans.rules.bounds import band_errors, overlap_errors

D = Decimal

# (lower, upper, x, inside?)
COUNTING = [
    # "自付3000元以上1万元以下" → 3,000 ≤ x ≤ 10,000
    ((3000, "以上"), (10000, "以下"), "2999.99", False),
    ((3000, "以上"), (10000, "以下"), "3000", True),
    ((3000, "以上"), (10000, "以下"), "10000", True),
    ((3000, "以上"), (10000, "以下"), "10000.01", False),
    # "超过10万元" → x > 100,000
    ((100000, "超过"), None, "100000", False),
    ((100000, "超过"), None, "100000.01", True),
    # "不满2000元" → x < 2,000
    (None, (2000, "不满"), "1999.99", True),
    (None, (2000, "不满"), "2000", False),
    # "180日以内" → x ≤ 180
    (None, (180, "以内"), "180", True),
    (None, (180, "以内"), "181", False),
    # "届满60天" → x ≥ 60
    ((60, "届满"), None, "60", True),
    ((60, "届满"), None, "59", False),
    # "3公里以外" → x > 3
    ((3, "以外"), None, "3", False),
    ((3, "以外"), None, "3.01", True),
    # "未满18周岁" → x < 18
    (None, (18, "未满"), "17", True),
    (None, (18, "未满"), "18", False),
]


@pytest.mark.parametrize("lower, upper, x, inside", COUNTING)
def test_legal_counting(lower, upper, x, inside) -> None:
    assert Band.from_terms(lower=lower, upper=upper).contains(D(x)) is inside


def test_unknown_term_is_refused() -> None:
    with pytest.raises(ValueError):
        Band.from_terms(lower=(3000, "以下"))  # 以下 closes a range; it cannot open one
    with pytest.raises(ValueError):
        Band.from_terms(upper=(3000, "大约"))


@pytest.mark.parametrize(
    "band, text",
    [
        (Band.from_terms(lower=(3000, "以上"), upper=(10000, "以下")), "3,000元以上、10,000元以下"),
        (Band.from_terms(lower=(100000, "超过")), "超过100,000元"),
        (Band.from_terms(upper=("2000", "不满")), "不满2,000元"),
        (Band(), "不限"),
    ],
)
def test_describe_uses_legal_words(band: Band, text: str) -> None:
    assert band.describe() == text


def test_stored_form_round_trips() -> None:
    band = Band.from_terms(lower=(3000, "以上"), upper=(10000, "不满"))
    assert band.to_dict() == {
        "lower": "3000",
        "lower_inclusive": True,
        "upper": "10000",
        "upper_inclusive": False,
    }
    assert Band.from_dict(band.to_dict()) == band


# (a, b, overlap?)
OVERLAPS = [
    (
        ((0, "以上"), (3000, "不满")),
        ((3000, "以上"), (10000, "以下")),
        False,
    ),  # 不满 3000 | 3000 以上
    (((0, "以上"), (3000, "以下")), ((3000, "以上"), (10000, "以下")), True),  # both include 3000
    (((3000, "以上"), (10000, "以下")), ((10000, "超过"), None), False),  # 10000 以下 | 超过 10000
    (((3000, "以上"), (10000, "以下")), ((8000, "以上"), (20000, "以下")), True),
    ((None, None), ((1, "以上"), None), True),
]


@pytest.mark.parametrize("a, b, overlap", OVERLAPS)
def test_overlaps(a, b, overlap) -> None:
    band_a, band_b = Band.from_terms(*a), Band.from_terms(*b)
    assert band_a.overlaps(band_b) is overlap
    assert band_b.overlaps(band_a) is overlap


def test_overlap_message_names_both_bands() -> None:
    bands = [
        Band.from_terms((3000, "以上"), (10000, "以下")),
        Band.from_terms((8000, "以上"), (20000, "以下")),
    ]
    assert overlap_errors(bands) == [
        "金额区间重叠: 「3,000元以上、10,000元以下」与「8,000元以上、20,000元以下」"
    ]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"lower": "10000", "upper": "3000"}, "下限不能高于上限"),
        ({"lower": "3000", "lower_inclusive": False, "upper": "3000"}, "下限不能高于上限"),
        ({"lower": "-1"}, "下限不能为负数"),
        ({"lower": 3000.0}, "必须是数字"),
        ({"lower": "abc"}, "不是有效数字"),
        ({"lower": "1", "lowr": "2"}, "未知字段"),
        ("3000-10000", "格式不正确"),
    ],
)
def test_band_errors(data, message) -> None:
    errors = band_errors(data, label="给付区间")
    assert any(message in e for e in errors), errors


def test_single_point_band_is_allowed_when_both_ends_include_it() -> None:
    assert band_errors({"lower": "3000", "upper": "3000"}, label="区间") == []
    assert Band(Bound(D(3000), True), Bound(D(3000), True)).contains(3000)
