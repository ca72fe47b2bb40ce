"""The file-local checks of a roster: each row's own fields, and duplicates within the file.

The values are judged by ``members.validation`` (the one validation path: the member
form and the API say the same thing for the same bad ID). What this adds is *where*:
every ``Problem`` names the row and the column as the cadre sees them in Excel, so
"第 12 行 D列（身份证号码）：身份证号码校验位错误" can be fixed without searching.

Rules that need the database or the plan (eligibility, share rules, exclusive groups,
existing cover) belong to the enrolment service, which reports with the same
``Problem`` (``Problem.at``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from django.utils.translation import gettext as _

from members.validation import (
    InvalidValue,
    check_stated_birth_date,
    check_stated_sex,
    validate_id_number,
    validate_person_name,
    validate_phone,
)
from plans.rules.vocab import MEMBER_CATEGORIES

from .columns import (
    BIRTH_DATE,
    CANONICAL_HEADERS,
    CATEGORY,
    ID_NUMBER,
    NAME,
    PHONE,
    SEX,
    SHARES,
    Column,
)
from .reader import RosterReadResult


class Problem(NamedTuple):
    """One thing wrong with one row: where it is, a stable code, and the message."""

    row: int
    column: str  # Excel letter, "" when the file has no such column
    header: str  # the header as written in the file
    field: str
    code: str
    message: str

    @classmethod
    def at(
        cls,
        row: int,
        field: str,
        code: str,
        message: str,
        column_of: Mapping[str, Column] | None = None,
    ) -> Problem:
        """A problem at ``row`` in the column that holds ``field`` (for the service's rules)."""
        column = (column_of or {}).get(field)
        if column is None:
            return cls(row, "", CANONICAL_HEADERS.get(field, field), field, code, message)
        return cls(row, column.letter, column.header, field, code, message)

    @property
    def where(self) -> str:
        if self.column:
            return _("Row %(row)d, column %(column)s (%(header)s)") % {
                "row": self.row,
                "column": self.column,
                "header": self.header,
            }
        return _("Row %(row)d") % {"row": self.row}

    @property
    def text(self) -> str:
        return _("%(where)s: %(message)s") % {"where": self.where, "message": self.message}


# Category as written in a roster → the engine's code. Codes themselves pass too.
_CATEGORY_CODES: dict[str, str] = {label: code for code, label in MEMBER_CATEGORIES.items()}
_CATEGORY_CODES.update({code: code for code in MEMBER_CATEGORIES})
_CATEGORY_CODES.update({"在职职工": "worker", "职工会员": "worker"})


def category_code(text: str) -> str | None:
    """The member-category code for a roster's 人员类别 cell; "" for blank, None if unknown."""
    text = "".join(text.split())
    if not text:
        return ""
    return _CATEGORY_CODES.get(text)


def validate_rows(
    rows: Iterable[dict[str, Any]] | RosterReadResult,
    column_of: Mapping[str, Column] | None = None,
    *,
    default_shares: int | None = None,
) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Check each row read by ``read_roster``; return (valid rows, problems).

    ``validate_rows(result)`` with the ``RosterReadResult`` itself is the same as
    ``validate_rows(result.rows, result.column_of)``.

    A valid row is ``{row, name, id_number, sex, birth_date, shares, category, phone,
    note}`` with normalised values (``category`` an engine code, "" when blank;
    ``shares`` None only when the file has no 份数 column and no default is given).
    Problems are ordered by row, then column. An ID that appears on several rows
    makes each of those rows invalid, with a message naming all of them: which one
    is right is for the cadre to say.
    """
    if isinstance(rows, RosterReadResult):
        rows, column_of = rows.rows, rows.column_of
    column_of = column_of or {}
    has_shares_column = SHARES in column_of
    problems: list[Problem] = []
    checked: list[dict[str, Any]] = []
    rows_of_id: dict[str, list[int]] = {}

    def problem(row: int, field: str, code: str, message: str) -> None:
        problems.append(Problem.at(row, field, code, message, column_of))

    for raw in rows:
        row = raw["row"]
        bad = False
        try:
            info = validate_id_number(raw["id_number_raw"], field=ID_NUMBER)
        except InvalidValue as error:
            problem(row, ID_NUMBER, error.code, error.text)
            info = None
            bad = True
        if info is not None:
            # Sex and birth date columns, when the file has them: the ID number's word
            # against the cell (members.validation; an error, docs/decisions.md).
            checks = ((SEX, check_stated_sex), (BIRTH_DATE, check_stated_birth_date))
            for field_name, check in checks:
                if field_name in raw:
                    try:
                        check(raw[field_name], info, field=field_name)
                    except InvalidValue as error:
                        problem(row, field_name, error.code, error.text)
                        bad = True
        try:
            name = validate_person_name(raw["name"], field=NAME)
        except InvalidValue as error:
            problem(row, NAME, error.code, error.text)
            bad = True
        shares = raw.get("shares")
        if shares is None or shares == "":
            if default_shares is not None:
                shares = default_shares
            elif has_shares_column:
                problem(row, SHARES, "shares_required", _("Enter the number of shares."))
                bad = True
        elif type(shares) is not int or shares < 1:
            problem(
                row,
                SHARES,
                "shares_invalid",
                _("The number of shares must be a whole number, 1 or more."),
            )
            bad = True
        category = category_code(raw.get("category") or "")
        if category is None:
            problem(
                row,
                CATEGORY,
                "category_invalid",
                _("Unknown member category: use one of %(choices)s.")
                % {"choices": "、".join(MEMBER_CATEGORIES.values())},
            )
            bad = True
        phone = raw.get("phone") or ""
        if phone:
            try:
                phone = validate_phone(phone, field=PHONE)
            except InvalidValue as error:
                problem(row, PHONE, error.code, error.text)
                bad = True
        if info is not None:
            rows_of_id.setdefault(info.number, []).append(row)
        if not bad:
            checked.append(
                {
                    "row": row,
                    "name": name,
                    "id_number": info.number,
                    "sex": info.sex,
                    "birth_date": info.birth_date,
                    "shares": shares,
                    "category": category,
                    "phone": phone,
                    "note": raw.get("note") or "",
                }
            )

    duplicate_rows: set[int] = set()
    for row_numbers in rows_of_id.values():
        if len(row_numbers) > 1:
            listed = ", ".join(str(n) for n in row_numbers)
            message = _("The same ID number appears more than once in the file: rows %(rows)s.") % {
                "rows": listed
            }
            for row in row_numbers:
                problem(row, ID_NUMBER, "id_number_duplicate_in_file", message)
            duplicate_rows.update(row_numbers)
    valid = [r for r in checked if r["row"] not in duplicate_rows] if duplicate_rows else checked
    # Row, then column left to right (B before AA), as the cadre reads the sheet.
    problems.sort(key=lambda p: (p.row, len(p.column), p.column))
    return valid, problems
