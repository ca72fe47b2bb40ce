"""Read a roster file (.xlsx, .xls, .csv) into row dicts, tolerating what real files hold.

Real rosters have title rows above the header, merged header cells, column-name
variants, blank rows, a 合计 row and signature lines at the bottom; CSVs saved by a
Chinese Excel are GBK. The reader finds the header by its names, maps columns to
fields and hands back one dict per member row, values as read: it does not judge them
(``validation.validate_rows`` does, with ``members.validation``), except that it keeps
a number cell in the ID column a float, so the ID check can say the precision is lost.

Speed: python-calamine parses (≈ 186,000 rows/s here; openpyxl ≈ 29,000) and the
per-row Python is a handful of index lookups, because the whole upload has to reach
10,000 rows/s at 50,000 rows (SPEC §14).

Memory: an .xlsx is inflated once within bounds before calamine sees it
(``unpack.check_expansion``): a zip bomb or a sheet with a far-away cell is refused
unread, so what calamine builds is bounded by the ``ROSTER_MAX_*`` settings.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from python_calamine import (
    CalamineError,
    PasswordError,
    SheetTypeEnum,
    SheetVisibleEnum,
    load_workbook,
)

from members.validation import InvalidValue
from mutualaid.core.collector import collector_paused

from .columns import (
    BIRTH_DATE,
    CANONICAL_HEADERS,
    CATEGORY,
    ID_NUMBER,
    NAME,
    NOTE,
    PHONE,
    REQUIRED_FIELDS,
    SEQ,
    SEX,
    SHARES,
    TIER,
    Column,
    column_letter,
    field_for_header,
)
from .unpack import ExpansionRefused, UnpackLimits, check_expansion

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_ROWS = 100_000
# How far down the header may be (title rows, a unit line, filling notes).
HEADER_SEARCH_ROWS = 30

XLSX, XLS, CSV = "xlsx", "xls", "csv"
_EXTENSIONS = (".xlsx", ".xls", ".csv")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An encrypted .xlsx is an OLE file with this stream (its name in UTF-16).
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")

# A row whose name cell says this (and has no ID) is a total, not a member.
_TOTAL_WORDS = ("合计", "总计", "小计", "共计", "总数")
# A row with no ID whose name cell starts like this is a footer or a filling note.
_FOOTER_STARTS = ("注", "说明", "填表", "制表", "负责人", "单位负责人", "经办人", "审核", "备注")


class RosterFileError(InvalidValue):
    """The file as a whole cannot be read as a roster (wrong type, no header, too big…).

    An ``InvalidValue`` on the form's "file" field, so the upload form shows it there.
    """

    def __init__(self, message: str, *, code: str, field: str = "file"):
        super().__init__(message, code=code, field=field)


@dataclass
class RosterReadResult:
    """What ``read_roster`` found.

    ``rows``: one dict per member row, keys ``row`` (the row number Excel shows),
    ``name``, ``id_number_raw``, ``shares``, ``category``, ``phone``, ``note``; and
    ``tier``, ``sex``, ``birth_date`` (the cell as read: a date, or text) when the file
    has those columns.
    ``column_of``: field → ``Column`` (header text as written, letter, index), for the
    columns the file has; errors name them ("第 12 行 D列（身份证号码）").
    """

    rows: list[dict[str, Any]]
    column_of: dict[str, Column]
    header_row: int
    file_type: str
    sheet_name: str = ""
    skipped_rows: list[int] = field(default_factory=list)  # totals and footer lines

    def column(self, field_name: str) -> Column | None:
        return self.column_of.get(field_name)


# --- Entry point ---------------------------------------------------------------------------


def read_roster(
    file_bytes: bytes,
    filename: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
    limits: UnpackLimits | None = None,
) -> RosterReadResult:
    """Parse an uploaded roster; raise ``RosterFileError`` when the file is not one.

    The type is decided by the content (zip with a workbook part → .xlsx, OLE
    compound file → .xls, decodable text without NUL bytes → .csv), and must be one of
    the three the name's extension allows. ``limits`` bound what an .xlsx may inflate to
    (default: the ``ROSTER_MAX_*`` settings).
    """
    if not file_bytes:
        raise RosterFileError(_("The file is empty."), code="roster_empty")
    if len(file_bytes) > max_bytes:
        raise RosterFileError(
            _("The file is larger than %(size)d MB: split the roster into several files.")
            % {"size": max_bytes // (1024 * 1024) or 1},
            code="roster_too_large",
        )
    extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in _EXTENSIONS:
        raise _wrong_type()
    # Every row becomes objects that live until the roster is checked (mutualaid.core.collector).
    with collector_paused():
        file_type = sniff_file_type(file_bytes, extension, limits=limits)
        if file_type == CSV:
            return _read_grid([("", _csv_grid(file_bytes))], file_type, max_rows)
        return _read_grid(_workbook_grids(file_bytes, file_type), file_type, max_rows)


def _wrong_type() -> RosterFileError:
    return RosterFileError(
        _("Upload the roster as an .xlsx, .xls or .csv file (the template is an .xlsx)."),
        code="roster_type",
    )


def sniff_file_type(data: bytes, extension: str, *, limits: UnpackLimits | None = None) -> str:
    """xlsx / xls / csv from the bytes themselves; a spreadsheet named with the other
    spreadsheet extension is read for what it is (systems export xlsx named .xls). An
    .xlsx must also inflate within ``limits``."""
    head = data[:8]
    if head.startswith(_ZIP_MAGIC):
        if extension == ".csv":
            raise _wrong_type()
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = {info.filename for info in archive.infolist()}
                if "xl/workbook.xml" not in names:
                    raise _wrong_type()  # .docx, .ods, .xlsb, any other zip
                check_expansion(archive, limits or UnpackLimits.from_settings())
        except (zipfile.BadZipFile, ValueError) as error:
            raise _unreadable() from error
        except ExpansionRefused as refused:
            raise _refused_expansion(refused.reason, limits) from None
        return XLSX
    if head == _OLE_MAGIC:
        if extension == ".csv":
            raise _wrong_type()
        if _ENCRYPTED_STREAM in data:
            raise _encrypted()
        return XLS
    if extension != ".csv":
        sample = data[:1024].lstrip().lower()
        if sample.startswith((b"<", b"\xef\xbb\xbf<")):
            # Web systems "export to Excel" as an HTML table named .xls.
            raise RosterFileError(
                _(
                    "The file is a web page saved with a spreadsheet name, not a spreadsheet: "
                    "open it in Excel or WPS and save it as .xlsx."
                ),
                code="roster_html",
            )
        raise _wrong_type()
    return CSV


def _refused_expansion(reason: str, limits: UnpackLimits | None) -> RosterFileError:
    if reason == "damaged":
        return _unreadable()
    if reason == "too_wide":
        limits = limits or UnpackLimits.from_settings()
        return RosterFileError(
            _(
                "The sheet has content below row %(rows)d or right of column %(column)s: "
                "delete what lies below or beside the roster and save the file again."
            )
            % {"rows": limits.sheet_rows, "column": column_letter(limits.columns - 1)},
            code="roster_too_wide",
        )
    return RosterFileError(
        _("The file is too large once unpacked: split the roster into several files."),
        code="roster_too_large",
    )


def _unreadable() -> RosterFileError:
    return RosterFileError(
        _("The file cannot be read: it may be damaged. Save it again as .xlsx and retry."),
        code="roster_unreadable",
    )


def _encrypted() -> RosterFileError:
    return RosterFileError(
        _("The file is protected by a password: remove the password and upload it again."),
        code="roster_encrypted",
    )


# --- Turning each kind of file into grids of cells ------------------------------------------


def _workbook_grids(data: bytes, file_type: str):
    """(sheet name, rows from A1) for each visible worksheet, parsed by calamine lazily."""
    try:
        workbook = load_workbook(io.BytesIO(data))
        sheets = [
            meta.name
            for meta in workbook.sheets_metadata
            if meta.typ == SheetTypeEnum.WorkSheet and meta.visible == SheetVisibleEnum.Visible
        ] or list(workbook.sheet_names)
    except PasswordError as error:
        raise _encrypted() from error
    except (CalamineError, ValueError, OSError) as error:
        raise _unreadable() from error
    for name in sheets:
        try:
            # From A1, so list positions are Excel's row numbers and column letters.
            grid = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except PasswordError as error:
            raise _encrypted() from error
        except (CalamineError, ValueError, OSError) as error:
            raise _unreadable() from error
        yield name, grid


def decode_text(data: bytes) -> str:
    """CSV bytes → text: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030.

    GB18030 is a superset of GBK and GB2312, which is what a Chinese Excel writes for
    "CSV (逗号分隔)". Plain UTF-8 is tried first: GBK text is almost never valid UTF-8.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    elif data.startswith(b"\xef\xbb\xbf"):
        encodings = ("utf-8-sig",)
    else:
        if b"\x00" in data[:4096]:
            raise _wrong_type()  # binary content named .csv
        encodings = ("utf-8", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RosterFileError(
        _(
            "The text encoding of the CSV file is not recognised: save it as "
            '"CSV UTF-8" or as .xlsx.'
        ),
        code="roster_encoding",
    )


def _csv_grid(data: bytes) -> list[list[str]]:
    text = decode_text(data)
    first_lines = text[:4096].splitlines()[:10]
    sample = "\n".join(first_lines)
    delimiter = max(",\t;", key=sample.count)
    try:
        grid = [
            [_unwrap_csv_formula(cell) for cell in record]
            for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
    except csv.Error as error:
        raise _unreadable() from error
    return grid


def _unwrap_csv_formula(cell: str) -> str:
    # ="11010519491231002X" is how some systems keep an ID as text in a CSV.
    if cell.startswith('="') and cell.endswith('"'):
        return cell[2:-1]
    return cell


# --- Finding the header and reading the rows ----------------------------------------------


def _find_header(grid: list[list[Any]]) -> tuple[int, dict[str, Column], int] | None:
    """(header row index, columns, first data row index) or None.

    The header is the first of the top rows naming the ID or name column and at least
    one other known column. A two-line header (merged cells: a group title above, or
    a cell merged down over two rows) is completed from the rows next to it.
    """
    for index, cells in enumerate(grid[:HEADER_SEARCH_ROWS]):
        found = _known_columns(cells)
        if len(found) < 2 or not (ID_NUMBER in found or NAME in found):
            continue
        data_start = index + 1
        taken = {column.index for column in found.values()}
        if index + 1 < len(grid):
            below = _known_columns(grid[index + 1])
            if below and not _looks_like_data(grid[index + 1], found):
                for field_name, column in below.items():
                    if field_name not in found and column.index not in taken:
                        found[field_name] = column
                        taken.add(column.index)
                data_start = index + 2
        if index > 0:
            for field_name, column in _known_columns(grid[index - 1]).items():
                own = cells[column.index] if column.index < len(cells) else ""
                if field_name not in found and column.index not in taken and own in ("", None):
                    found[field_name] = column  # merged down over the header row
                    taken.add(column.index)
        return index, found, data_start
    return None


def _known_columns(cells: list[Any]) -> dict[str, Column]:
    found: dict[str, Column] = {}
    for index, cell in enumerate(cells):
        if not isinstance(cell, str) or not cell:
            continue
        field_name = field_for_header(cell)
        if field_name and field_name not in found:  # the first of two 电话 columns wins
            found[field_name] = Column(
                field_name, " ".join(cell.split()), column_letter(index), index
            )
    return found


def _looks_like_data(cells: list[Any], header: dict[str, Column]) -> bool:
    id_column = header.get(ID_NUMBER)
    if id_column is None or id_column.index >= len(cells):
        return False
    value = cells[id_column.index]
    return not isinstance(value, str) or (value != "" and field_for_header(value) is None)


def _read_grid(sheets, file_type: str, max_rows: int) -> RosterReadResult:
    first_grid_header: dict[str, Column] | None = None
    for sheet_name, grid in sheets:
        found = _find_header(grid)
        if found is None:
            continue
        header_index, column_of, data_start = found
        if all(required in column_of for required in REQUIRED_FIELDS):
            return _rows_from(
                grid, sheet_name, file_type, header_index, column_of, data_start, max_rows
            )
        if first_grid_header is None:
            first_grid_header = column_of
    missing = [f for f in REQUIRED_FIELDS if f not in (first_grid_header or {})]
    raise RosterFileError(
        _('The file has no "%(column)s" column: please use the template.')
        % {"column": CANONICAL_HEADERS[missing[0]]},
        code="roster_missing_column",
    )


def _rows_from(grid, sheet_name, file_type, header_index, column_of, data_start, max_rows):
    width = max(column.index for column in column_of.values()) + 1
    name_i = column_of[NAME].index
    id_i = column_of[ID_NUMBER].index
    # A missing optional column reads as a blank cell past the row's end.
    shares_i = column_of[SHARES].index if SHARES in column_of else width
    category_i = column_of[CATEGORY].index if CATEGORY in column_of else width
    phone_i = column_of[PHONE].index if PHONE in column_of else width
    note_i = column_of[NOTE].index if NOTE in column_of else width
    seq_i = column_of[SEQ].index if SEQ in column_of else width
    # Columns only some files have: read when present, so a row dict names no more than
    # the file held (the checks of sex and birth date run only where there is a column).
    extra = [(f, column_of[f].index) for f in (TIER, SEX, BIRTH_DATE) if f in column_of]
    pad = [""] * (width + 1)

    rows: list[dict[str, Any]] = []
    skipped: list[int] = []
    append = rows.append
    for row_number, cells in enumerate(grid[data_start:], start=data_start + 1):
        if len(cells) <= width:
            cells = list(cells) + pad[: width + 1 - len(cells)]
        id_raw = cells[id_i]
        name = cells[name_i]
        if isinstance(id_raw, str) and not id_raw.strip():
            # No ID: a blank row, a total, a footer line or a row with only a 序号 left
            # over from the template, unless it names a person (then the ID is missing).
            if _is_blank(cells):
                continue
            if _not_a_member(name, cells[seq_i]):
                skipped.append(row_number)
                continue
            id_raw = ""
        if len(rows) >= max_rows:
            raise RosterFileError(
                _("The file has more than %(rows)d rows: split the roster into several files.")
                % {"rows": max_rows},
                code="roster_too_many_rows",
            )
        row = {
            "row": row_number,
            "name": name.strip() if isinstance(name, str) else _text(name),
            "id_number_raw": id_raw,
            "shares": _shares(cells[shares_i]),
            "category": _text(cells[category_i]),
            "phone": _text(cells[phone_i]),
            "note": _text(cells[note_i]),
        }
        for field_name, index in extra:
            value = cells[index]
            row[field_name] = value.strip() if isinstance(value, str) else value
        append(row)
    return RosterReadResult(
        rows=rows,
        column_of=column_of,
        header_row=header_index + 1,
        file_type=file_type,
        sheet_name=sheet_name,
        skipped_rows=skipped,
    )


def _is_blank(cells: list[Any]) -> bool:
    for cell in cells:
        if cell is not None and cell != "" and not (isinstance(cell, str) and not cell.strip()):
            return False
    return True


def _not_a_member(name: Any, seq: Any) -> bool:
    """For a row without an ID: true when it is not about a person at all."""
    if not isinstance(name, str) or not name.strip():
        return name in ("", None)
    for cell in (name, seq):
        if isinstance(cell, str) and cell:
            text = "".join(unicodedata.normalize("NFKC", cell).split())
            if text.startswith(_TOTAL_WORDS) or text.startswith(_FOOTER_STARTS):
                return True
            if ":" in text:  # "填表人：张三", "联系电话：…"
                return True
    return False


def _text(value: Any) -> str:
    """A cell as text: numbers without a spurious ".0" (phones typed as numbers)."""
    if isinstance(value, str):
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _shares(value: Any) -> int | str | None:
    """A whole number of shares as int; anything else as the text the cell showed."""
    if isinstance(value, str):
        text = "".join(unicodedata.normalize("NFKC", value).split())
        if not text:
            return None
        if text.endswith("份"):
            text = text[:-1]
        return int(text) if text.isascii() and text.isdigit() else value.strip()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else _text(value)
    if value is None:
        return None
    return str(value)
