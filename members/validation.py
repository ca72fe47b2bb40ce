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
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc

from mutualaid.core.cleaning import account_digits, clean_person_name, half_width
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


def _no_spaces(text: str) -> str:
    return "".join(text.split())


# --- ID numbers (GB 11643-1999) ------------------------------------------------------------

ID_NUMBER_LENGTH = 18
#: The first-generation card's number (GB 11643-1989): no century, no check digit. Those cards
#: stopped being valid on 2013-01-01; a roster that still holds one is refused with its own
#: message (docs/decisions.md), never converted: the 18-character number is on the new card.
FIRST_GENERATION_LENGTH = 15


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
_FIRST_GENERATION_FLOAT_TEXT = re.compile(r"^\d{15}\.0*$")


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
        # 15 digits fit a float exactly: a first-generation number stored as a number is
        # whole, and is refused below for what it is, not for a precision it did not lose.
        if raw == int(raw) and 10**14 <= abs(raw) < 10**15:
            return str(int(raw))
        raise _excel_precision_error(field)
    if isinstance(raw, int):
        # Up to 2**53 a float is exact, so a shorter int is only a wrong length; a longer
        # one came out of a floating-point cell.
        if abs(raw) > 2**53:
            raise _excel_precision_error(field)
        raw = str(raw)
    text = _no_spaces(half_width(str(raw))).lstrip("'")  # a leading ' is Excel's "this is text"
    if _FIRST_GENERATION_FLOAT_TEXT.match(text):
        return text.split(".")[0]
    if _SCIENTIFIC.match(text) or _FLOAT_TEXT.match(text):
        raise _excel_precision_error(field)
    return text.upper()


_LAST_CHARACTERS = frozenset("0123456789Xx")


def validate_id_number(value: Any, *, field: str = "id_number") -> IdInfo:
    """Check an ID number (raw or normalised) and derive sex and birth date from it.

    Checks length, characters, the GB 11643 check digit (``stdnum.cn.ric``) and the
    birth date. The place code is not checked against stdnum's table of counties: it
    lags behind changes of administrative divisions and would refuse real people.
    """
    if (
        type(value) is str
        and len(value) == ID_NUMBER_LENGTH
        and value.isascii()
        and value[:-1].isdigit()
        and value[-1] in _LAST_CHARACTERS
    ):
        # The usual cell, already clean (what normalise_id_number would return) and of the
        # right length and characters: a third of a 50,000-row roster's ID checking saved
        # (docs/decisions.md, issue 19).
        number = value.upper()
    else:
        number = _checked_shape(normalise_id_number(value, field=field), field)
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


def _checked_shape(number: str, field: str) -> str:
    """``number`` (normalised) if it has 18 digits (an X last allowed); else the problem."""
    if not number:
        raise InvalidValue(_("Enter the ID number."), code="id_number_required", field=field)
    if len(number) == FIRST_GENERATION_LENGTH and number.isascii() and number.isdigit():
        # Still a length problem (the code callers know), with the message that says why.
        raise InvalidValue(
            _(
                "First-generation 15-digit ID numbers are no longer valid: enter the "
                "18-character number of the current ID card."
            ),
            code="id_number_length",
            field=field,
        )
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
    return number


# --- Sex and birth date typed beside an ID number ----------------------------------------------
#
# The portal records both from the ID number (SPEC §4: never typed twice). A roster may still
# carry 性别 and 出生日期 columns; they are checked, not stored: a value that disagrees with a
# valid ID number most often means the row pairs a name with someone else's number (a column
# sorted on its own), so the row is refused until someone looks (docs/decisions.md).

_SEX_WORDS = {
    "男": Sex.MALE,
    "男性": Sex.MALE,
    "m": Sex.MALE,
    "male": Sex.MALE,
    "女": Sex.FEMALE,
    "女性": Sex.FEMALE,
    "f": Sex.FEMALE,
    "female": Sex.FEMALE,
}
_SEX_NAMES = {Sex.MALE: "男", Sex.FEMALE: "女"}
# 1985-03-12, 1985/3/12, 1985.3.12, 1985年3月12日; year and month only: 1985-03, 1985年3月.
_DATE_TEXT = re.compile(r"^(\d{4})[-/.年](\d{1,2})(?:月?[-/.]?(\d{1,2})日?|月)?$")
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")  # 19850312, 198503


def _stated_date(value: Any) -> tuple[int, int, int | None] | None:
    """(year, month, day or None) of a birth-date cell, None when it is not a date."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.year, value.month, value.day
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _no_spaces(half_width(str(value)))
    match = _DATE_TEXT.match(text) or _DATE_DIGITS.match(text)
    if match is None:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        dt.date(year, month, day or 1)
    except ValueError:  # 1985-13-45
        return None
    return year, month, day


def check_stated_birth_date(value: Any, info: IdInfo, *, field: str = "birth_date") -> None:
    """A birth date typed beside the ID number must be a date and the one the number holds
    (year and month only, as 出生年月 columns have it, compare on those). Blank passes."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return
    stated = _stated_date(value)
    if stated is None:
        raise InvalidValue(
            _(
                "“%(value)s” is not a date: write the birth date as 1985-03-12, or leave the "
                "column empty (the birth date is taken from the ID number)."
            )
            % {"value": str(value).strip()},
            code="birth_date_invalid",
            field=field,
        )
    year, month, day = stated
    born = info.birth_date
    if (year, month) != (born.year, born.month) or (day is not None and day != born.day):
        shown = f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day is not None else "")
        raise InvalidValue(
            _(
                "The ID number gives the birth date %(id_date)s, not %(value)s: check that the "
                "ID number is this person's, then correct the birth date or leave it empty."
            )
            % {"id_date": born.isoformat(), "value": shown},
            code="birth_date_mismatch",
            field=field,
        )


def check_stated_sex(value: Any, info: IdInfo, *, field: str = "sex") -> None:
    """A sex typed beside the ID number (男/女) must be the one the number holds. Blank passes."""
    text = _no_spaces(half_width(str(value or ""))).lower()
    if not text:
        return
    stated = _SEX_WORDS.get(text)
    if stated is None:
        raise InvalidValue(
            _(
                "“%(value)s” is not a sex: write 男 or 女, or leave the column empty (the sex "
                "is taken from the ID number)."
            )
            % {"value": str(value).strip()},
            code="sex_invalid",
            field=field,
        )
    if stated != info.sex:
        raise InvalidValue(
            _(
                "The ID number gives the sex %(id_sex)s, not %(value)s: check that the ID "
                "number is this person's, then correct the sex or leave it empty."
            )
            % {"id_sex": _SEX_NAMES[info.sex], "value": _SEX_NAMES[stated]},
            code="sex_mismatch",
            field=field,
        )


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
    code = _no_spaces(half_width(str(value or ""))).replace("-", "").upper()
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
    account = account_digits(value)
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
    if type(value) is str and len(value) == 11 and value.isascii() and _MOBILE.match(value):
        return value  # the usual cell: a clean mobile number, returned as the path below would
    phone = _no_spaces(half_width(str(value or ""))).replace("(", "").replace(")", "")
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
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")  # Cc and lone surrogates


def validate_person_name(value: Any, *, field: str = "name") -> str:
    """A person's name as on the ID card (``mutualaid.core.cleaning.clean_person_name``:
    padding spaces of a Han name dropped, the middle dot of minority names kept as "·")."""
    name = clean_person_name(value)
    if not name:
        raise InvalidValue(_("Enter the name."), code="name_required", field=field)
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidValue(
            _("The name may have at most %(max)d characters.") % {"max": NAME_MAX_LENGTH},
            code="name_length",
            field=field,
        )
    # A control character (a NUL pasted from another system, a stray escape) is nothing a
    # name holds, and PostgreSQL cannot store a NUL: refused with the row, not a server error.
    if _CONTROL.search(name):
        raise InvalidValue(
            _("The name holds an invisible control character: retype the name."),
            code="name_control",
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
