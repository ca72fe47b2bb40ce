"""A roster may not expand beyond what a real one does (issue 12, item 5).

Each hostile file is built here, small on disk: the issue's 0.6 MB workbook whose one
shared string is 590 MiB, a zip whose directory understates its parts, a part that
packs a thousand times, one cell of 300 KB of text, and a 5 KB sheet with a value in
cell XFD1048576 (calamine's dense grid of it aborts the process). Each is refused
within a second with its message, and calamine never opens it.
"""

from __future__ import annotations

import io
import struct
import time
import zipfile
import zlib

import openpyxl
import pytest
import xlsxwriter
from django.test import override_settings
from django.utils import translation

from enrolment.roster import reader
from enrolment.roster.reader import RosterFileError, read_roster

MiB = 1024 * 1024
E8_ID = "11010519491231002X"


@pytest.fixture
def parsed(monkeypatch):
    """The files calamine was asked to open (none, for a refused roster)."""
    opened = []
    real = reader.load_workbook

    def spy(source):
        opened.append(source)
        return real(source)

    monkeypatch.setattr(reader, "load_workbook", spy)
    return opened


def _small_xlsx(rows=(("姓名", "身份证号码"), ("张三", E8_ID))) -> bytes:
    """A roster as Excel writes one: text in the shared strings, cells naming their place."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet()
    for index, values in enumerate(rows):
        sheet.write_row(index, 0, values)
    workbook.close()
    return buffer.getvalue()


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


class _Member:
    """One zip member as raw deflate: its stream, CRC and the sizes the directory states."""

    def __init__(self, name, raw, crc, size, *, declared_size=None):
        self.name, self.raw, self.crc = name.encode(), raw, crc
        self.size = size if declared_size is None else declared_size

    @classmethod
    def of(cls, name: str, content: bytes, **kwargs):
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        raw = packer.compress(content) + packer.flush()
        return cls(name, raw, zlib.crc32(content), len(content), **kwargs)


def _zip(members: list[_Member]) -> bytes:
    """A zip written by hand, so a member may be a stream built without its content in
    memory, and the directory may state any size."""
    out, directory = io.BytesIO(), io.BytesIO()
    for m in members:
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, m.crc,
                              len(m.raw), m.size, len(m.name), 0))  # fmt: skip
        out.write(m.name + m.raw)
        directory.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21,
                                    m.crc, len(m.raw), m.size, len(m.name), 0, 0, 0, 0, 0,
                                    offset))  # fmt: skip
        directory.write(m.name)
    start, size = out.tell(), directory.tell()
    out.write(directory.getvalue())
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), size,
                          start, 0))  # fmt: skip
    return out.getvalue()


def _with(parts: dict[str, bytes], **replaced: _Member) -> bytes:
    members = [replaced.pop(name, None) or _Member.of(name, body) for name, body in parts.items()]
    return _zip(members + list(replaced.values()))


def _huge_shared_string(mib: int) -> _Member:
    """xl/sharedStrings.xml holding one string of ``mib`` MiB of "a": the stream is one
    packed MiB repeated (a full flush resets the packer, so each copy packs the same)."""
    head = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'  # noqa: E501
    tail = b"</t></si></sst>"
    block = b"a" * MiB
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw_head = packer.compress(head) + packer.flush(zlib.Z_FULL_FLUSH)
    raw_block = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    raw_tail = packer.compress(tail) + packer.flush()
    crc = zlib.crc32(head)
    for _ in range(mib):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    raw = raw_head + raw_block * mib + raw_tail
    return _Member("xl/sharedStrings.xml", raw, crc, len(head) + mib * MiB + len(tail))


def _refused(data: bytes, parsed, code: str) -> RosterFileError:
    started = time.monotonic()
    with pytest.raises(RosterFileError) as caught:
        read_roster(data, "名册.xlsx")
    assert time.monotonic() - started < 1, "refused, but not quickly"
    assert caught.value.code == code
    assert parsed == [], "calamine parsed a file it should never have opened"
    return caught.value


# --- The issue's file and its kin -----------------------------------------------------------


def test_the_issues_bomb_is_refused_unread(parsed):
    data = _with(_parts(_small_xlsx()), **{"xl/sharedStrings.xml": _huge_shared_string(590)})
    assert len(data) < 1 * MiB  # 0.6 MB on disk, 590 MiB inflated
    with translation.override("zh-hans"):
        error = _refused(data, parsed, "roster_too_large")
    assert error.text.startswith("文件解压后过大")
    assert error.field == "file"


def test_a_zip_that_understates_its_parts_is_refused(parsed):
    # The directory says 2 KB; the stream inflates to 64 MiB.
    honest = _huge_shared_string(64)
    liar = _Member(honest.name.decode(), honest.raw, honest.crc, honest.size, declared_size=2048)
    data = _with(_parts(_small_xlsx()), **{"xl/sharedStrings.xml": liar})
    _refused(data, parsed, "roster_unreadable")


def test_a_part_that_packs_a_thousand_times_is_refused(parsed):
    junk = _Member.of("xl/junk.xml", b"<a/>" * (3 * MiB))  # 12 MiB packing to ~12 KB
    _refused(_with(_parts(_small_xlsx()), junk=junk), parsed, "roster_too_large")


def test_one_cell_of_300_kb_of_text_is_refused(parsed):
    parts = _parts(_small_xlsx())
    shared = parts["xl/sharedStrings.xml"]
    long_text = "长" * 100_000  # 300 KB in UTF-8, three times Excel's own cell limit
    parts["xl/sharedStrings.xml"] = shared.replace("张三".encode(), long_text.encode())
    _refused(_with(parts), parsed, "roster_too_large")


@pytest.mark.parametrize(
    "cell", ["XFD1048576", "A1048576", "BM2", "A120001"], ids=lambda c: f"value in {c}"
)
def test_a_sheet_with_a_far_away_cell_is_refused(parsed, cell):
    workbook = openpyxl.Workbook()
    workbook.active.append(["姓名", "身份证号码"])
    workbook.active[cell] = "x"
    buffer = io.BytesIO()
    workbook.save(buffer)
    with translation.override("zh-hans"):
        error = _refused(buffer.getvalue(), parsed, "roster_too_wide")
    assert "120000" in error.text and "BL" in error.text


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b'<c r="A2"', b"<c"),  # no place: calamine counts on from the last one
        (b'<c r="A2" t="s"', b'<c t="s" r="A2"'),  # the place, but not first
        (b'<c r="A2"', b'<c r="a1048576"'),  # a place not written as Excel writes it
        (b'<row r="2"', b"<row"),
    ],
    ids=["cell without r", "r not first", "place not plain", "row without r"],
)
def test_cells_and_rows_must_name_their_place_first(parsed, old, new):
    parts = _parts(_small_xlsx())
    sheet = parts["xl/worksheets/sheet1.xml"]
    assert old in sheet
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(old, new)
    # Excel writes every place plainly: saving the file again from it mends the file.
    _refused(_with(parts), parsed, "roster_unreadable")


# --- Real rosters still pass, and the limits are settings ------------------------------------


def test_a_roster_near_the_limits_is_read():
    rows = [("姓名", "身份证号码", *[f"列{n}" for n in range(62)])]
    rows += [("张三", E8_ID, *["x"] * 62)] * 3
    result = read_roster(_small_xlsx(rows), "名册.xlsx")  # 64 columns: BL, the last allowed
    assert len(result.rows) == 3


def test_the_limits_come_from_the_settings(parsed):
    data = _small_xlsx([("姓名", "身份证号码")] + [("张三", E8_ID)] * 20_000)
    with override_settings(ROSTER_MAX_UNPACKED_MB=1):
        _refused(data, parsed, "roster_too_large")
    with override_settings(ROSTER_MAX_SHEET_ROWS=10_000):
        _refused(data, parsed, "roster_too_wide")
    assert len(read_roster(data, "名册.xlsx").rows) == 20_000
