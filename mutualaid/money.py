"""Money: Decimal yuan with two places, and amounts in Chinese capitals (中文大写金额).

Money is ``Decimal`` everywhere (SPEC §6), never float; amounts are rounded half-up to
the fen (四舍五入), as a clerk rounds on paper. ``capitals`` writes an amount the way
receipts and bank forms do (中国人民银行《支付结算办法》附一《正确填写票据和结算凭证的
基本规定》):

- 人民币 + digits in 壹贰叁肆伍陆柒捌玖 with 拾佰仟万亿, then 元, 角, 分;
- an amount in whole yuan ends in 整 (人民币壹仟贰佰元整); one that stops at 角 also
  takes 整 (the rules allow both; we always write it, so nothing can be added after);
- zeros inside an amount are written once (壹仟零伍元, 壹佰万零壹拾元), a zero 角 before
  a 分 is written (壹仟贰佰元零伍分), and 拾 always carries its digit (壹拾元, never 拾元).

``cn2an`` does this too, but it was last released in 2023, pulls in a text-cleaning
package with its own dictionaries, and differs on 整 after 角; the rules fit in this
module with a table of cases from the regulation in the tests.
"""

from __future__ import annotations

import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

DIGITS = "零壹贰叁肆伍陆柒捌玖"
#: Units inside a group of four digits, from the right.
SMALL_UNITS = ("", "拾", "佰", "仟")
#: Units of the groups of four, from the right (up to 万亿: 16 integer digits).
GROUP_UNITS = ("", "万", "亿", "万亿")


# What people type around an amount and what is not part of it: thousands separators
# (ASCII and full-width commas, after NFKC both are ","), the yuan sign, spaces, "元".
_AMOUNT_NOISE = str.maketrans("", "", ",¥ 元")


def parse_amount(value: Decimal | int | str) -> Decimal:
    """The one reader of amounts typed, uploaded or sent: Decimal, int or text (full-width
    digits, "1,200.50", "¥3500", "3500元") → a finite Decimal, not rounded.

    Floats and bools are refused (``TypeError``): money never passes through a float.
    Anything else that is not a finite number raises ``ValueError``; callers turn that
    into their own message naming the field.
    """
    if isinstance(value, bool | float):
        raise TypeError(f"amounts must be Decimal, int or str, not {type(value).__name__}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).translate(_AMOUNT_NOISE).strip()
        try:
            result = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError(f"not an amount: {value!r}") from exc
    else:
        raise TypeError(f"amounts must be Decimal, int or str, not {type(value).__name__}")
    if not result.is_finite():
        raise ValueError(f"not a finite amount: {value!r}")
    return result


def to_money(value: Decimal | int | str) -> Decimal:
    """A Decimal amount in yuan, rounded to the fen. Floats and bools are refused."""
    return parse_amount(value).quantize(CENT, rounding=ROUND_HALF_UP)


def fmt_yuan(value: Decimal) -> str:
    """¥1,200.00"""
    amount = to_money(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


def _integer_capitals(number: int) -> str:
    """Whole yuan → capitals without 元 ("" for zero). Zeros inside are written once, where
    the next non-zero digit follows them (壹仟零伍, 壹万零伍佰, 壹亿零壹拾); trailing zeros
    are not written (壹拾万)."""
    text = str(number).lstrip("0")
    if len(text) > 4 * len(GROUP_UNITS):
        raise ValueError("amount too large for capitals")
    out: list[str] = []
    zero_pending = False
    group_has_digit = False
    for index, char in enumerate(text):
        power = len(text) - index - 1
        small, group = power % 4, power // 4
        digit = int(char)
        if digit:
            if zero_pending:
                out.append("零")
            out.append(DIGITS[digit] + SMALL_UNITS[small])
            zero_pending = False
            group_has_digit = True
        elif out:
            zero_pending = True
        if small == 0:
            if group and group_has_digit:
                out.append(GROUP_UNITS[group])
            group_has_digit = False
    return "".join(out)


def capitals(value: Decimal | int | str, *, prefix: str = "人民币") -> str:
    """The amount in Chinese capitals: ``capitals("1200.00")`` → 人民币壹仟贰佰元整.

    Negative amounts (refunds shown as such) read 负…; zero is 人民币零元整."""
    amount = to_money(value)
    sign = "负" if amount < 0 else ""
    amount = abs(amount)
    yuan = int(amount)
    fen_total = int((amount - yuan) * 100)
    jiao, fen = divmod(fen_total, 10)
    head = _integer_capitals(yuan)
    if not head and not fen_total:
        return f"{prefix}零元整"
    out = head + "元" if head else ""
    if fen_total == 0:
        return f"{prefix}{sign}{out}整"
    if jiao:
        out += DIGITS[jiao] + "角"
    elif head:
        out += "零"  # 壹仟贰佰元零伍分
    if fen:
        out += DIGITS[fen] + "分"
    else:
        out += "整"
    return f"{prefix}{sign}{out}"
