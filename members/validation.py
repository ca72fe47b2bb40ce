"""The one validation path for units and members (STYLE habit 2).

Pure functions, no database: the form, the API, the admin and the roster upload all
call these, so a cadre sees the same message for the same bad value wherever they
typed (or pasted) it. A bad value raises ``InvalidValue``, which carries

- ``field``: the input it is about (form field, API key, or the roster column the
  upload maps to it; callers may rename it with the ``field=`` argument),
- ``code``: a stable reason code for reports and tests (``id_number_checksum`` …),
- the message, in the user's language (English msgids, Chinese in the catalogue).

``InvalidValue`` is a ``DomainError`` (a Django ``ValidationError`` with an error
dict), so forms put it on the field, and the API base view answers 400 with
``{field: [message]}``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc

from mutualaid.core.errors import DomainError

# --- Errors -----------------------------------------------------------------------------


class InvalidValue(DomainError):
    """One bad input value: ``field`` names it, ``code`` says what is wrong."""

    def __init__(self, message: str, *, code: str, field: str, params: dict | None = None):
        super().__init__(message, field=field, code=code, params=params)


class Problems:
    """Collects ``InvalidValue``s so a form shows every bad field at once, not the first."""

    def __init__(self) -> None:
        self.errors: dict[str, list[ValidationError]] = {}

    def check(self, validator, *args, **kwargs) -> Any:
        """``validator(*args, **kwargs)``, or None after noting its error."""
        try:
            return validator(*args, **kwargs)
        except InvalidValue as error:
            self.add(error)
            return None

    def add(self, error: ValidationError) -> None:
        for field, errors in error.error_dict.items():
            self.errors.setdefault(field, []).extend(errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise DomainError(self.errors)


# --- Text clean-up shared by every value ---------------------------------------------------

# Zero-width characters and the BOM survive NFKC and sneak in from copied cells.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)


def _half_width(raw: str) -> str:
    """Full-width digits, letters and spaces → ASCII (NFKC), invisible characters removed."""
    return unicodedata.normalize("NFKC", raw).translate(_INVISIBLE)


def _no_spaces(text: str) -> str:
    return "".join(text.split())


# --- ID numbers (GB 11643-1999) ------------------------------------------------------------

ID_NUMBER_LENGTH = 18


class Sex:
    MALE = "male"
    FEMALE = "female"


@dataclass(frozen=True)
class IdInfo:
    """What an ID number tells: the number itself (normalised), sex and birth date."""

    number: str
    sex: str
    birth_date: dt.date


# 1.10105194912310E+17, 1.1010519491231e17, 110105194912310000.0: what a cell holding an
# 18-digit number looks like after Excel (15 significant digits) and a float.
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d*)?[eE][+-]?\d+$")
_FLOAT_TEXT = re.compile(r"^\d{15,}\.\d*$")


def _excel_precision_error(field: str) -> InvalidValue:
    return InvalidValue(
        _(
            "Excel stored the ID number as a number and its precision is lost: "
            "format the column as text and enter the numbers again."
        ),
        code="id_number_excel_precision",
        field=field,
    )


def normalise_id_number(raw: Any, *, field: str = "id_number") -> str:
    """The ID number as stored: no spaces, half-width, upper-case X.

    ``raw`` may be what a spreadsheet reader hands over: a float or a large int is
    an ID that Excel kept as a number (15 significant digits), so its last digits are
    already lost; that raises with the "set the column to text" message instead of
    a misleading check-digit error.
    """
    if raw is None:
        return ""
    if isinstance(raw, bool):
        raise InvalidValue(
            _("The ID number must have 18 characters."), code="id_number_length", field=field
        )
    if isinstance(raw, float | Decimal):
        raise _excel_precision_error(field)
    if isinstance(raw, int):
        # Up to 2**53 a float is exact, so a shorter int is only a wrong length; a longer
        # one came out of a floating-point cell.
        if abs(raw) > 2**53:
            raise _excel_precision_error(field)
        raw = str(raw)
    text = _no_spaces(_half_width(str(raw))).lstrip("'")  # a leading ' is Excel's "this is text"
    if _SCIENTIFIC.match(text) or _FLOAT_TEXT.match(text):
        raise _excel_precision_error(field)
    return text.upper()


def validate_id_number(value: Any, *, field: str = "id_number") -> IdInfo:
    """Check an ID number (raw or normalised) and derive sex and birth date from it.

    Checks length, characters, the GB 11643 check digit (``stdnum.cn.ric``) and the
    birth date. The place code is not checked against stdnum's table of counties: it
    lags behind changes of administrative divisions and would refuse real people.
    """
    number = normalise_id_number(value, field=field)
    if not number:
        raise InvalidValue(_("Enter the ID number."), code="id_number_required", field=field)
    if len(number) != ID_NUMBER_LENGTH:
        raise InvalidValue(
            _("The ID number must have 18 characters."), code="id_number_length", field=field
        )
    if (
        not number[:-1].isascii()
        or not number[:-1].isdigit()
        or not (number[-1].isascii() and (number[-1].isdigit() or number[-1] == "X"))
    ):
        raise InvalidValue(
            _("The ID number may only contain digits, with an X as the last character."),
            code="id_number_characters",
            field=field,
        )
    if number[-1] != ric.calc_check_digit(number):
        if number.endswith("000"):
            # Excel keeps 15 significant digits: the rest comes back as zeros.
            raise _excel_precision_error(field)
        raise InvalidValue(
            _("The check digit of the ID number is wrong."), code="id_number_checksum", field=field
        )
    try:
        # Digits 7–14 are YYYYMMDD (GB 11643). Read directly: stdnum's get_birth_date
        # re-cleans the number and was half of a 50,000-row roster's validation time.
        birth_date = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:  # month 13, 31 February …
        birth_date = None
    if birth_date is None or birth_date.year < 1900 or birth_date > dt.date.today():
        raise InvalidValue(
            _("The birth date in the ID number is not valid."),
            code="id_number_birth_date",
            field=field,
        )
    sex = Sex.MALE if int(number[16]) % 2 else Sex.FEMALE
    return IdInfo(number=number, sex=sex, birth_date=birth_date)


def complete_id_number(first17: str) -> str:
    """The 18-character ID number for 17 digits (adds the check digit; demo data and tests)."""
    return first17 + ric.calc_check_digit(first17 + "0")


# --- Unified social credit code (GB 32100-2015) ---------------------------------------------

_USCC_ALPHABET = set("0123456789ABCDEFGHJKLMNPQRTUWXY")


def validate_credit_code(value: Any, *, field: str = "credit_code") -> str:
    """The normalised code, or "" when none was given (the code is optional).

    The check character is computed with ``stdnum.cn.uscc``. Its ``validate`` also wants
    the first character to be a digit, but GB 32100 lets the registering authority be a
    letter too (A, N, Y), so the characters are checked here against the standard's alphabet.
    """
    code = _no_spaces(_half_width(str(value or ""))).replace("-", "").upper()
    if not code:
        return ""
    if len(code) != 18:
        raise InvalidValue(
            _("The unified social credit code must have 18 characters."),
            code="credit_code_length",
            field=field,
        )
    if not set(code) <= _USCC_ALPHABET or not code[2:8].isdigit():
        raise InvalidValue(
            _("The unified social credit code contains characters it cannot have."),
            code="credit_code_characters",
            field=field,
        )
    if code[-1] != uscc.calc_check_digit(code):
        raise InvalidValue(
            _("The check character of the unified social credit code is wrong."),
            code="credit_code_checksum",
            field=field,
        )
    return code


# --- Bank accounts and phones -------------------------------------------------------------


def validate_bank_account(value: Any, *, field: str = "bank_account") -> str:
    """Digits only, 8 to 30 of them; spaces and hyphens people type for readability go.
    "" when none was given. Unit (corporate) accounts carry no Luhn digit, so none is checked."""
    account = _no_spaces(_half_width(str(value or ""))).replace("-", "")
    if not account:
        return ""
    if not (account.isascii() and account.isdigit()):
        raise InvalidValue(
            _("The bank account may only contain digits."),
            code="bank_account_characters",
            field=field,
        )
    if not 8 <= len(account) <= 30:
        raise InvalidValue(
            _("The bank account must have 8 to 30 digits."), code="bank_account_length", field=field
        )
    return account


_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Area code 0xx or 0xxx, a 7- or 8-digit number, an optional extension.
_LANDLINE = re.compile(r"^(0\d{2,3})-?(\d{7,8})(?:(?:-|转|ext\.?)(\d{1,6}))?$", re.IGNORECASE)


def validate_phone(value: Any, *, field: str = "phone") -> str:
    """A mainland mobile (11 digits) or a landline with its area code; "" when none was given.

    Returns the number normalised: mobiles as 11 digits (a +86 prefix dropped),
    landlines as ``0774-3821234`` (``-123`` for an extension)."""
    phone = _no_spaces(_half_width(str(value or ""))).replace("(", "").replace(")", "")
    if not phone:
        return ""
    if phone.startswith("+86"):
        phone = phone[3:].lstrip("-")
    elif phone.startswith("0086"):
        phone = phone[4:].lstrip("-")
    digits = phone.replace("-", "")
    if _MOBILE.match(digits):
        return digits
    match = _LANDLINE.match(phone)
    if match:
        area, number, extension = match.groups()
        return f"{area}-{number}" + (f"-{extension}" if extension else "")
    raise InvalidValue(
        _(
            "Enter a mobile number (11 digits starting with 1) or a landline number with its "
            "area code."
        ),
        code="phone_invalid",
        field=field,
    )


# --- Names ------------------------------------------------------------------------------

NAME_MAX_LENGTH = 50


def validate_person_name(value: Any, *, field: str = "name") -> str:
    """A person's name as on the ID card: spaces trimmed and collapsed, full-width letters
    made half-width, the middle dot of minority names (买买提·艾力) unified to "·"."""
    name = " ".join(_half_width(str(value or "")).split())
    name = re.sub(r"\s*[•・.．]\s*", "·", name) if re.search(r"[\u4e00-\u9fff]", name) else name
    if not name:
        raise InvalidValue(_("Enter the name."), code="name_required", field=field)
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidValue(
            _("The name may have at most %(max)d characters.") % {"max": NAME_MAX_LENGTH},
            code="name_length",
            field=field,
        )
    return name


def validate_choice(value: Any, choices, *, field: str) -> str:
    """``value`` if it is one of the codes of ``choices`` (a TextChoices class)."""
    value = str(value or "").strip()
    if value not in choices.values:
        raise InvalidValue(
            _("Choose one of the listed values."), code="choice_invalid", field=field
        )
    return value
