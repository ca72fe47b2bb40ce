"""Amounts in Chinese capitals (中文大写金额), as receipts and bank forms write them."""

from decimal import Decimal

import pytest

from mutualaid.money import capitals, fmt_yuan, to_money

CASES = [
    ("1200.00", "人民币壹仟贰佰元整"),  # SPEC §6
    ("1200", "人民币壹仟贰佰元整"),
    ("0", "人民币零元整"),
    ("0.05", "人民币伍分"),
    ("0.50", "人民币伍角整"),
    ("0.55", "人民币伍角伍分"),
    ("1.20", "人民币壹元贰角整"),
    ("3.14", "人民币叁元壹角肆分"),
    ("10.00", "人民币壹拾元整"),  # 拾 always carries its digit
    ("120", "人民币壹佰贰拾元整"),
    ("1005.30", "人民币壹仟零伍元叁角整"),
    ("1010.00", "人民币壹仟零壹拾元整"),
    ("1200.05", "人民币壹仟贰佰元零伍分"),  # a zero 角 before 分 is written
    ("10500", "人民币壹万零伍佰元整"),
    ("15000", "人民币壹万伍仟元整"),
    ("20000.10", "人民币贰万元壹角整"),
    ("100000.00", "人民币壹拾万元整"),
    ("1000010.01", "人民币壹佰万零壹拾元零壹分"),
    ("100000000.00", "人民币壹亿元整"),
    ("100000010", "人民币壹亿零壹拾元整"),
    ("1680.32", "人民币壹仟陆佰捌拾元叁角贰分"),  # the regulation's own example
    # ditto: the regulation allows one 零 or none where 元 ends a run of zeros.
    ("107000.53", "人民币壹拾万零柒仟元伍角叁分"),
    ("99999999.99", "人民币玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ("-5.00", "人民币负伍元整"),
]


@pytest.mark.parametrize(("amount", "expected"), CASES)
def test_capitals(amount, expected):
    assert capitals(Decimal(amount)) == expected


def test_rounds_half_up_to_the_fen():
    assert to_money("2.345") == Decimal("2.35")
    assert capitals("2.345") == "人民币贰元叁角伍分"


@pytest.mark.parametrize("bad", [1.5, True])
def test_floats_are_refused(bad):
    with pytest.raises(TypeError):
        to_money(bad)


def test_figures():
    assert fmt_yuan(Decimal("1200")) == "¥1,200.00"
    assert fmt_yuan(Decimal("-3.5")) == "-¥3.50"
