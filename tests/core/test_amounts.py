"""The one amount reader: what cadres and files send, read the same way everywhere."""

from decimal import Decimal

import pytest

from mutualaid.money import parse_amount, to_money

READ = [
    ("1200", Decimal("1200")),
    ("1,200.50", Decimal("1200.50")),
    ("１，２００．５０", Decimal("1200.50")),  # full-width digits and comma (IME input)
    ("¥3500", Decimal("3500")),
    ("￥3500", Decimal("3500")),  # full-width yuan sign
    ("3500元", Decimal("3500")),
    ("  80.00 ", Decimal("80.00")),
    (Decimal("0.01"), Decimal("0.01")),
    (40, Decimal("40")),
]


@pytest.mark.parametrize(("raw", "expected"), READ)
def test_amounts_are_read_as_typed(raw, expected):
    assert parse_amount(raw) == expected


@pytest.mark.parametrize("raw", ["", "abc", "1.2.3", "NaN", "Infinity", "12元5角"])
def test_text_that_is_not_an_amount_is_refused(raw):
    with pytest.raises(ValueError):
        parse_amount(raw)


@pytest.mark.parametrize("raw", [1.5, True, None])
def test_floats_bools_and_none_never_pass(raw):
    with pytest.raises(TypeError):
        parse_amount(raw)


def test_money_is_rounded_half_up_to_the_fen():
    assert to_money("0.005") == Decimal("0.01")
    assert to_money("2.675") == Decimal("2.68")
