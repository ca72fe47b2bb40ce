"""Two database helpers for set-based roster work (STYLE habit 13).

- ``AnyOf(field, values)``: ``field = ANY(%s)`` with the values as ONE array parameter.
  ``__in`` would send one parameter per value, and PostgreSQL refuses statements with
  more than 65,535 of them: a 50,000-row roster plus a few more would not fit.
- ``copy_rows(model, columns, rows)``: psycopg's COPY into the model's table, for loads
  of thousands of rows (an order of magnitude faster than INSERT batches). ``rows`` are
  tuples (psycopg formats each value), or ``TextRows``: lines already in COPY's text
  format, built with ``copy_text`` — a third of the cost for the roster import's
  100,000 rows (docs/decisions.md "Roster import at 20,000 rows/s").
- ``ordered_uuids(n)``: n new UUIDs (text) in increasing order (time first, as version 7), so a
  batch's keys land on the right edge of the primary key's index, not all over it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator, Sequence

from django.db import connection
from django.db.models import F, Lookup


class AnyOf(Lookup):
    """``lhs = ANY(array)``; use as an expression: ``qs.filter(AnyOf(F("id_number"), numbers))``."""

    lookup_name = "any_of"
    prepare_rhs = False

    def __init__(self, lhs, rhs):
        if isinstance(lhs, str):
            lhs = F(lhs)
        super().__init__(lhs, list(rhs))

    def get_db_prep_lookup(self, value, connection):
        return ("%s", [list(value)])

    def as_sql(self, compiler, connection):
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs_sql} = ANY({rhs_sql})", [*lhs_params, *rhs_params]


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
#: COPY text format's NULL.
NULL = "\\N"


def copy_text(value: str) -> str:
    """A text value as COPY's text format writes it (backslash, tab and line ends escaped)."""
    return value.translate(_ESCAPES)


class TextRows:
    """Rows already in COPY's text format: an iterable of lines, each ending in a newline,
    columns separated by tabs, text through ``copy_text``, NULL as ``NULL``."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.lines = lines

    def __iter__(self) -> Iterator[str]:
        return iter(self.lines)


def ordered_uuids(n: int) -> list[str]:
    """``n`` new UUIDs (as text), each greater than the one before: version 7's layout
    (48 bits of milliseconds, version, variant) with a random 74-bit start counted up one
    per key, so a batch's keys follow each other in the indexes (after earlier batches')."""
    millis = time.time_ns() // 1_000_000
    start = int.from_bytes(os.urandom(10), "big") >> 7  # 73 bits: room to count up
    first = (millis << 74) | start
    out = []
    for counter in range(first, first + n):
        h = "%032x" % (  # noqa: UP031 - the fastest of the three spellings here
            (counter >> 74 << 80)
            | 0x7000_0000_0000_0000_0000  # version 7
            | ((counter >> 62) & 0xFFF) << 64
            | 0x8000_0000_0000_0000  # variant 10
            | (counter & 0x3FFF_FFFF_FFFF_FFFF)
        )
        out.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
    return out


def copy_rows(model, columns: Sequence[str], rows: Iterable[Sequence] | TextRows) -> int:
    """COPY ``rows`` (tuples in the order of ``columns``, column names as in the table) into
    ``model``'s table inside the current transaction; returns the number of rows.

    Constraint violations surface as Django's ``IntegrityError`` like any other write."""
    with connection.cursor() as cursor, connection.wrap_database_errors:
        return copy_with(cursor.cursor, model, columns, rows)


def copy_with(cursor, model, columns: Sequence[str], rows: Iterable[Sequence] | TextRows) -> int:
    """``copy_rows`` on a psycopg cursor of the current connection (errors as psycopg's)."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    count = 0
    # PostgreSQL refuses COPY FROM into a table under row-level security (the
    # application role's case): COPY into a temporary table of these columns, then one
    # INSERT … SELECT, whose rows the tenant policy checks like any other write.
    cursor.execute("SELECT row_security_active(%s::regclass)", [model._meta.db_table])
    secured = cursor.fetchone()[0]
    target = table
    if secured:
        target = connection.ops.quote_name(f"copy_{model._meta.db_table}")
        cursor.execute(f"DROP TABLE IF EXISTS {target}")
        cursor.execute(
            f"CREATE TEMP TABLE {target} ON COMMIT DROP AS SELECT {names} FROM {table} WITH NO DATA"
        )
    with cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
        if isinstance(rows, TextRows):
            chunk: list[str] = []
            for line in rows:
                chunk.append(line)
                if len(chunk) == 2000:
                    copy.write("".join(chunk))
                    count += len(chunk)
                    chunk = []
            if chunk:
                copy.write("".join(chunk))
                count += len(chunk)
        else:
            for row in rows:
                copy.write_row(row)
                count += 1
    if secured:
        cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {target}")
        cursor.execute(f"DROP TABLE {target}")
    return count
