"""Cleaning what people type or upload, the same way for pages, files and the API: text,
dates, amounts, counts, bank accounts, the masks of personal numbers, and text that cannot
be stored at all (NUL, lone surrogates). Pure functions; errors are ``DomainError`` naming
the field, in words a cadre can act on. Amounts go through the one reader,
``mutualaid.money.parse_amount``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from mutualaid.core.errors import DomainError
from mutualaid.money import CENT, parse_amount


def mask_id_number(number: str) -> str:
    """``3401**********1234``: the first four and last four characters."""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_bank_account(account: str) -> str:
    """``6222 **** **** 1234`` for a card (16 digits or more): the first four name the
    issuing bank, as on a bank slip; ``**** 5678`` for a shorter (corporate) account. Always
    the same number of stars, so the mask does not tell the length either."""
    account = account or ""
    if len(account) < 8:
        return "****" if account else ""
    if len(account) >= 16:
        return f"{account[:4]} **** **** {account[-4:]}"
    return f"**** {account[-4:]}"


def keep_text(raw: Any) -> str:
    """Free text as the person typed it: composed (NFC, so é typed two ways is one), invisible
    characters removed, trimmed, and nothing else. Not NFKC: that would store the Chinese
    comma "，" and full stop "。" as ASCII. NFKC (``half_width``) is for codes only: ID
    numbers, credit codes, digits, bank accounts."""
    return unicodedata.normalize("NFC", str(raw or "")).translate(_INVISIBLE).strip()


def clean_text(raw: Any, *, field: str, max_length: int, required: bool = False) -> str:
    value = keep_text(raw)
    if required and not value:
        raise DomainError(_("This field is required."), field=field, code="required")
    if len(value) > max_length:
        raise DomainError(
            _("At most %(max)d characters.") % {"max": max_length}, field=field, code="max_length"
        )
    return value


def clean_date(raw: Any, *, field: str) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = unicodedata.normalize("NFKC", str(raw or "")).strip()
    if not text:
        raise DomainError(_("This field is required."), field=field, code="required")
    try:
        return dt.date.fromisoformat(text.replace("/", "-"))
    except ValueError:
        raise DomainError(_("Enter a date like 2026-09-28."), field=field) from None


def clean_money(raw: Any, *, field: str) -> Decimal | None:
    """Yuan with at most two decimals, not negative; "" or None → None."""
    if raw is None:
        return None
    if not str(raw).strip():
        return None
    try:
        value = parse_amount(raw if isinstance(raw, Decimal | int) else str(raw))
    except (TypeError, ValueError):
        raise DomainError(_("Enter an amount in yuan, e.g. 3500.00."), field=field) from None
    if not value.is_finite() or value < 0:
        raise DomainError(_("Enter an amount that is not negative."), field=field)
    if value != value.quantize(CENT):
        raise DomainError(_("Amounts have at most two decimal places."), field=field)
    if value >= Decimal("1000000000"):
        raise DomainError(_("This amount is too large."), field=field)
    return value.quantize(CENT)


def clean_count(raw: Any, *, field: str) -> int | None:
    if raw is None:
        return None
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 6:
        raise DomainError(_("Enter a whole number."), field=field)
    return int(text)


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


# Zero-width characters and the BOM survive NFKC and sneak in from copied cells.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)


def half_width(raw: str) -> str:
    """Full-width digits, letters and spaces → ASCII (NFKC), invisible characters removed."""
    return unicodedata.normalize("NFKC", raw).translate(_INVISIBLE)


_HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_BETWEEN_HAN = re.compile(f"(?<=[{_HAN}])\\s+(?=[{_HAN}])")
_NAME_DOT = re.compile("\\s*[·•・.．‧]\\s*")
_HAS_HAN = re.compile(f"[{_HAN}]")


def clean_person_name(raw: Any) -> str:
    """A person's name as on the ID card: trimmed, inner spaces collapsed, full-width
    letters made half-width (ＬＩ Ｌｅｉ → LI Lei); in a Han name the padding spaces people
    type between characters go (廖 春梅 → 廖春梅) and the middle dot of minority names is
    kept, unified to "·" (买买提 . 艾力 → 买买提·艾力)."""
    name = " ".join(half_width(str(raw or "")).split())
    # Letters only (the usual 张三): no space and no dot for the rules below to act on.
    if name.isalpha():
        return name
    if _HAS_HAN.search(name):
        name = _NAME_DOT.sub("·", name)
        name = _BETWEEN_HAN.sub("", name)
    return name


def account_digits(raw: Any) -> str:
    """What is left of a typed or pasted account number once the spaces, dashes and
    invisible characters people add for readability are gone (not yet checked)."""
    return re.sub(r"[\s-]", "", half_width(str(raw or "")))


def clean_bank_account(raw: Any, *, field: str = "bank_account") -> str:
    """Digits only (spaces and dashes dropped), 10–30 of them; bank cards of the UnionPay
    network (16–19 digits starting 62) carry a Luhn check digit, so it is checked."""
    text = account_digits(raw)
    if not text:
        raise DomainError(_("Enter the payee's account number."), field=field, code="required")
    if not text.isdigit():
        raise DomainError(_("An account number has digits only."), field=field)
    if not 10 <= len(text) <= 30:
        raise DomainError(_("An account number has 10 to 30 digits."), field=field)
    if text.startswith("62") and 16 <= len(text) <= 19 and not luhn_ok(text):
        raise DomainError(
            _("The card number's check digit is wrong: please check the number on the card."),
            field=field,
        )
    return text


# NUL cannot be stored in a PostgreSQL text column, and a lone surrogate cannot be encoded
# as UTF-8 (on its way to the database or into the page): either one turns a harmless
# search or form into a server error, so requests carrying them are refused at the door.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def is_storable_text(text: str) -> bool:
    """False when ``text`` holds a NUL or a lone surrogate (nothing a person can type)."""
    return not _UNSTORABLE.search(text)


def is_storable_data(data, *, depth: int = 0) -> bool:
    """``is_storable_text`` over every key and string of parsed JSON (dicts, lists, scalars)."""
    if isinstance(data, str):
        return is_storable_text(data)
    if depth > 100:
        return False  # nested deeper than any input of ours; refuse rather than recurse on
    if isinstance(data, dict):
        return all(
            is_storable_text(str(key)) and is_storable_data(value, depth=depth + 1)
            for key, value in data.items()
        )
    if isinstance(data, list):
        return all(is_storable_data(item, depth=depth + 1) for item in data)
    return True
