"""The bank transfer file of a payout batch (SPEC §10): .xlsx and .csv, one row a payee.

The rows are the lines still to be paid (status pending), in line order, read straight
from the database through a server-side cursor (``values_list(...).iterator()``), so a
batch of 10,000 claims never sits in memory as model objects. Payee, account and bank
are the line's own copy, as they were when the batch was built (a later correction of
the claim's account goes with the next batch, never silently into this file). Lines
already paid or failed are left out: handing the bank a file with settled lines in it
is how a claim gets paid twice. ``check_sendable`` says whether a batch may go to the
bank at all (approved by finance); pages, jobs and the API ask it before writing.

- ``write_xlsx`` goes through ``mutualaid.core.xlsx.write_xlsx`` (xlsxwriter
  in ``constant_memory`` mode): amounts are numbers in the format 0.00 (no thousands
  separators, as the bank's import and the CSV have them), so
  the bank's import and Excel's sum read them as amounts; a Decimal written as text
  would be a string to both (and a Decimal handed to xlsxwriter as-is is refused). The
  account is a text cell: as a number, Excel shows a 19-digit card as 6.22202E+18 and
  keeps only 15 digits of it.
- ``write_csv`` is UTF-8 with a byte-order mark, so Excel opens the Chinese names
  instead of mojibake, and amounts as plain ``1234.50``. The account stays digits as
  they are (what a bank's import reads); reading the CSV is fine, but Excel re-saving
  it rounds long numbers, so people work in the .xlsx and the bank gets either file.
  Text that starts like a formula (=, +, -, @) is prefixed with an apostrophe: a payee
  name is typed by an agent and must never run as a formula on finance's computer.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext as _

from claims import access
from claims.models import LineStatus, PayoutBatch, PayoutLine
from mutualaid.core import xlsx
from mutualaid.core.xlsx import NUMBER, PLAIN_MONEY, TEXT, ExportColumn

#: The language of bank files whatever the user's: the bank and the office read Chinese.
FILE_LANGUAGE = "zh-hans"
CHUNK = 2000

#: What the database gives for each line, in the file's column order (after the row number).
PATHS = (
    "payee_name",
    "bank_account",
    "bank_name",
    "amount",
    "claim__number",
    "claim__member__name",
    "claim__organisation__name",
)


def _columns() -> list[ExportColumn]:
    return [
        ExportColumn(_("No."), NUMBER, 6),
        ExportColumn(_("Payee"), TEXT, 14),
        ExportColumn(_("Account number"), TEXT, 24),
        ExportColumn(_("Bank"), TEXT, 24),
        ExportColumn(_("Amount (yuan)"), PLAIN_MONEY, 14),
        ExportColumn(_("Claim no."), TEXT, 18),
        ExportColumn(_("Member"), TEXT, 12),
        ExportColumn(_("Unit"), TEXT, 28),
        ExportColumn(_("Purpose"), TEXT, 24),
    ]


def check_sendable(batch: PayoutBatch) -> None:
    """The bank gets a batch's file only once finance approved it (someone other than the
    builder): a file of a batch still "built" would let one person pay alone. The rule is
    the ``bank_file`` action's state in ``claims.access``."""
    access.require_state(batch, "bank_file")


def headers() -> list[str]:
    with translation.override(FILE_LANGUAGE):
        return [str(column.header) for column in _columns()]


def bank_rows(batch: PayoutBatch) -> Iterator[tuple]:
    """(no., payee, account, bank, amount, claim no., member, unit, purpose) for each line
    still to be paid, in line order, streamed from the database (one query)."""
    values = (
        PayoutLine.objects.filter(batch_id=batch.pk, status=LineStatus.PENDING)
        .order_by("id")
        .values_list(*PATHS)
        .iterator(chunk_size=CHUNK)
    )
    with translation.override(FILE_LANGUAGE):
        purpose = _("Mutual-aid benefit %(number)s")
    for n, (payee, account, bank, amount, number, member, unit) in enumerate(values, start=1):
        yield (n, payee, account, bank, amount, number, member, unit, purpose % {"number": number})


def _title(batch: PayoutBatch) -> str:
    return _("Payout batch %(number)s: %(count)s claims, %(total)s yuan") % {
        "number": batch.number,
        "count": batch.line_count,
        "total": f"{batch.total:.2f}",
    }


def write_xlsx(batch: PayoutBatch, path: str | Path) -> int:
    """The bank file as .xlsx at ``path`` (streamed: flat memory at any size). Returns
    the number of payee rows written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    with translation.override(FILE_LANGUAGE):
        count = xlsx.write_xlsx(
            path=partial,
            rows=bank_rows(batch),
            columns=_columns(),
            title=_title(batch),
            sheet_name=_("Bank transfers"),
        )
    partial.replace(path)  # a half-written file is never offered for download
    return count


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Columns (0-based) of free text typed by people: guarded against formula injection.
_TEXT_COLUMNS = (1, 3, 5, 6, 7, 8)


def _safe(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def write_csv(batch: PayoutBatch, path: str | Path) -> int:
    """The bank file as CSV (UTF-8 with BOM, comma-separated, amounts ``1234.50``).
    Returns the number of payee rows written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    count = 0
    with partial.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers())
        for row in bank_rows(batch):
            out = list(row)
            for col in _TEXT_COLUMNS:
                out[col] = _safe(out[col] or "")
            amount: Decimal = out[4]
            out[4] = f"{amount:.2f}"
            writer.writerow(out)
            count += 1
    partial.replace(path)
    return count


def filename(batch: PayoutBatch, extension: str) -> str:
    with translation.override(FILE_LANGUAGE):
        return _("bank-file-%(number)s") % {"number": batch.number} + f".{extension}"
