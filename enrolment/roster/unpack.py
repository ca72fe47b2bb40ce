"""What an .xlsx roster may expand to, checked before calamine parses a byte of it.

An .xlsx is a zip of XML. A 0.6 MB file holding one 590 MiB shared string took 3 GB in
the worker, and a 5 KB file with one value in cell XFD1048576 makes calamine allocate
its dense grid of 17 billion cells (the process aborts). So every part is inflated here
first, in 1 MiB steps and never beyond the limits, and must show:

- declared sizes of no more than ``ROSTER_MAX_UNPACKED_MB`` in all and
  ``ROSTER_MAX_SHARED_STRINGS_MB`` for the shared strings, big parts packed no more than
  ``ROSTER_MAX_COMPRESSION_RATIO`` times (all checked before inflating anything), and
  exactly the declared number of bytes inflated (a zip may lie in its directory);
- in XML, no text longer than ``ROSTER_MAX_CELL_KB`` between two tags (any aligned
  block of that many bytes without a ``<`` is refused, so text twice as long never
  passes and text shorter never trips it; Excel's own cell limit is 32,767 characters);
- every cell and row naming its place first and plainly (``<c r="B7"``), within
  ``ROSTER_MAX_SHEET_ROWS`` rows and ``ROSTER_MAX_COLUMNS`` columns, so calamine's grid
  is at most their product.

A real 100,000-row roster is 20–30 MB unpacked, packs 4–7 times and has seven columns.
The check costs one more inflate of the parts and a scan of the sheet's tags: about a
fifth of ``read_roster``'s time (≈ 0.1 s at 50,000 rows).
"""

from __future__ import annotations

import copy
import re
import zipfile
import zlib
from dataclasses import dataclass

from django.conf import settings

from .columns import column_letter

_CHUNK = 1 << 20
# Parts below this size are never refused for their packing ratio (tiny XML packs well).
_RATIO_FLOOR = 1 << 20
# Bytes kept from one chunk to the next so a tag cut in two is seen whole.
_OVERLAP = 128
_XML_SUFFIXES = (".xml", ".rels", ".vml")


class ExpansionRefused(Exception):
    """The archive would expand beyond the limits (``too_large``, ``too_wide``) or lies
    about itself or its cells' places (``damaged``)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class UnpackLimits:
    total_bytes: int
    shared_strings_bytes: int
    ratio: int
    text_bytes: int
    sheet_rows: int
    columns: int

    @classmethod
    def from_settings(cls) -> UnpackLimits:
        mib = 1024 * 1024
        return cls(
            total_bytes=settings.ROSTER_MAX_UNPACKED_MB * mib,
            shared_strings_bytes=settings.ROSTER_MAX_SHARED_STRINGS_MB * mib,
            ratio=settings.ROSTER_MAX_COMPRESSION_RATIO,
            text_bytes=settings.ROSTER_MAX_CELL_KB * 1024,
            sheet_rows=settings.ROSTER_MAX_SHEET_ROWS,
            columns=settings.ROSTER_MAX_COLUMNS,
        )


def check_expansion(archive: zipfile.ZipFile, limits: UnpackLimits) -> None:
    """Inflate every part within the limits, or raise ``ExpansionRefused``."""
    infos = archive.infolist()
    # What the directory declares first: a bomb that says what it is costs nothing.
    if sum(info.file_size for info in infos) > limits.total_bytes:
        raise ExpansionRefused("too_large")
    for info in infos:
        if info.file_size > _part_cap(info, limits):
            raise ExpansionRefused("too_large")
        if info.file_size > _RATIO_FLOOR and info.file_size > limits.ratio * max(
            info.compress_size, 1
        ):
            raise ExpansionRefused("too_large")
    # Then what the parts really hold: no more than they declare, so no more than the above.
    grid = _GridCheck(limits)
    for info in infos:
        _inflate(archive, info, limits, grid)


def _part_cap(info: zipfile.ZipInfo, limits: UnpackLimits) -> int:
    if info.filename.lower().endswith("sharedstrings.xml"):
        return limits.shared_strings_bytes
    return limits.total_bytes


def _inflate(archive, info, limits: UnpackLimits, grid: _GridCheck) -> None:
    """Inflate one part, reading one byte past its declared size at most."""
    # Past a declared size that lies, and without the CRC check (calamine checks it).
    probe = copy.copy(info)
    probe.file_size, probe.CRC = info.file_size + 1, None
    is_xml = info.filename.lower().endswith(_XML_SUFFIXES)
    block = limits.text_bytes
    step = max(block, _CHUNK // block * block)  # whole blocks per chunk
    size, carry = 0, b""
    try:
        with archive.open(probe) as stream:
            while chunk := stream.read(step):
                size += len(chunk)
                if size > info.file_size:
                    raise ExpansionRefused("damaged")
                if not is_xml:
                    continue
                for start in range(0, len(chunk) - block + 1, block):
                    if chunk.find(b"<", start, start + block) == -1:
                        raise ExpansionRefused("too_large")
                carry = grid.scan(carry + chunk, final=len(chunk) < step)
            if is_xml and carry:
                grid.scan(carry, final=True)
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError) as error:
        raise ExpansionRefused("damaged") from error
    if size != info.file_size:
        raise ExpansionRefused("damaged")


class _GridCheck:
    """Every cell and row of a sheet names its place first, and the place is in bounds."""

    def __init__(self, limits: UnpackLimits):
        col_above = _above(column_letter(limits.columns - 1), "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        row_above = _above(str(limits.sheet_rows), "0123456789")
        # A cell whose first attribute is not a plain place (r="B7"), or whose place lies
        # beyond the last column or row; a row likewise. The same with a namespace prefix
        # (``<x:c r=…``), as some exporters write.
        self.patterns = [
            re.compile(
                rb'%s(?:[>/]|\s(?!r="[A-Z]{1,3}[0-9]{1,7}")|\sr="(?:%s|[A-Z]+%s"))'
                % (tag, col_above.encode(), row_above.encode())
            )
            for tag in (rb"<c", rb":c")
        ] + [
            re.compile(rb'%s(?:[>/]|\s(?!r="[0-9]{1,7}")|\sr="%s")' % (tag, row_above.encode()))
            for tag in (rb"<row", rb":row")
        ]

    def scan(self, buffer: bytes, *, final: bool) -> bytes:
        """Refuse a place out of bounds in ``buffer``; return the tail to scan again with
        the next chunk (a match in it may lack the bytes that would clear it)."""
        cutoff = len(buffer) if final else max(0, len(buffer) - _OVERLAP)
        for pattern in self.patterns:
            found = pattern.search(buffer)
            if found is not None and found.start() < cutoff:
                # A place beyond the bounds, or none written plainly (Excel always writes
                # one: saving the file again from Excel or WPS mends it).
                raise ExpansionRefused("too_wide" if b'r="' in found.group() else "damaged")
        return b"" if final else buffer[cutoff:]


def _above(limit: str, alphabet: str) -> str:
    """A regex for strings over ``alphabet`` above ``limit``: longer ones, or as long and
    higher at the first letter that differs (how row numbers and column letters order)."""
    any_letter = f"[{alphabet[0]}-{alphabet[-1]}]"
    options = [f"{any_letter}{{{len(limit) + 1},}}"]
    for i, letter in enumerate(limit):
        higher = alphabet[alphabet.index(letter) + 1 :]
        if higher:
            rest = len(limit) - i - 1
            options.append(
                re.escape(limit[:i]) + f"[{higher[0]}-{higher[-1]}]" + f"{any_letter}{{{rest}}}"
            )
    return "(?:" + "|".join(options) + ")"
