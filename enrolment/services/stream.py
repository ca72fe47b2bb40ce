"""The roster import's writer: new people and their lines are written while the rest of
the roster is still being checked, so Python and the database work at the same time
(issue 19).

``lines_import`` opens a ``MemberStream`` for a roster of ``ROSTER_STREAM_ROWS`` rows or
more (0, the default, never: on the shared bench machine it cost more than it saved, see
docs/benchmarks.md; 4,000 is the size tried) and hands it to ``checks.evaluate``, which
passes it each chunk of rows as it has cleaned them. For a chunk the stream (on the
caller's thread) looks up the registered people among its ID numbers, as ``evaluate``
would for the whole roster, and picks the rows that will create a member if nothing else
refuses them: an ID number that is valid, new to the tenant and not seen earlier in the
roster, on a row with no error so far; with each such member goes its line (not for a
renewal, whose lines carry last year's shares, known only later). A writer thread COPYs
them on the same connection and transaction (psycopg serialises the two threads'
statements), with their keys checked at each statement instead of at COMMIT, while the
caller cleans the next chunk.

Line ids are drawn from the sequence for every row up front, in row order, so the lines
keep the roster's order (the pages read it by id) whichever are written first; the
enrolment is locked, so its lines from before the import all have smaller ids, and the
whole-roster checks count only those (``first_line_id``). The rules then run exactly as
without a stream (``evaluate`` gets the same registered people); ``lines.write`` keeps
what was written for the valid rows, writes the rest (rows naming registered members) and
deletes the few members and lines written for rows refused in the end (a repeated ID
number, shares unlike the others'…). A refusal of the whole roster, or any failure, rolls
the transaction back with everything in it. The result — members, lines and their order,
report, audit — is the one the import gives without a stream
(tests/enrolment/test_stream.py).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection

from enrolment.db import NULL, TextRows, copy_text, copy_with, ordered_uuids
from enrolment.models import Enrolment, EnrolmentKind, EnrolmentLine, LineStatus
from enrolment.rules import Candidate, EnrolmentRules, Report
from enrolment.services.checks import premium_of, registered_members
from members.models import EmploymentStatus, Member, MemberCategory

#: The keys of what the stream writes, checked per statement while streaming (so the
#: database checks them while Python works, not all at COMMIT).
STREAMED_KEYS = (
    "members_member_unit_id_tfk",
    "enrolment_line_enrolment_same_tenant_fk",
    "enrolment_enrolmentline_member_id_tfk",
)

#: The columns of a new member as the import writes them (here and in ``lines.write``).
MEMBER_COLUMNS = (
    "id",
    "tenant_id",
    "unit_id",
    "organisation_id",
    "name",
    "id_number",
    "sex",
    "birth_date",
    "phone",
    "category",
    "employment_status",
    "is_union_member",
    "created_at",
    "updated_at",
)


#: The columns of a roster line as the import writes it (``line_text``).
LINE_COLUMNS = (
    "tenant_id",
    "enrolment_id",
    "member_id",
    "shares",
    "tier",
    "category",
    "previous_shares",
    "premium",
    "status",
    "problem",
    "row_number",
    "created_at",
)


def line_text(head: str, member_id, cand: Candidate, category: str, premium, now: str) -> str:
    """One line of ``LINE_COLUMNS`` in COPY's text format; ``head``: tenant and enrolment."""
    row = NULL if cand.row is None else cand.row
    return (
        f"{head}{member_id}\t{cand.shares}\t{copy_text(cand.tier)}\t{category}\t"
        f"{cand.previous_shares}\t{premium}\t{LineStatus.OK}\t\t{row}\t{now}\n"
    )


def stream_rows() -> int:
    return getattr(settings, "ROSTER_STREAM_ROWS", 0) or 0


class MemberStream:
    """See the module docstring. ``provisional``: row index → the member id written."""

    def __init__(self, enrolment: Enrolment, now: str, size: int, rows: int) -> None:
        self.size = size
        self.now = now
        self.tenant_id = enrolment.tenant_id
        self.registered: dict[str, dict[str, Any]] = {}
        self.provisional: dict[int, str] = {}
        #: row index → the id of the line written for it.
        self.lines: dict[int, int] = {}
        # A renewal's lines carry last year's shares, known only after the checks.
        self._with_lines = enrolment.kind != EnrolmentKind.RENEWAL
        self._line_head = f"{enrolment.tenant_id}\t{enrolment.pk}\t"
        self.line_ids = self._allocate_line_ids(rows)
        # The enrolment is locked: every line it had was written before these ids were drawn.
        self.first_line_id = self.line_ids[0]
        self._looked_up: set[str] = set()
        self._written: set[str] = set()
        unit = str(enrolment.unit_id)
        # Member.organisation = unit (check constraint): the unit's id serves for both.
        self._head = f"{enrolment.tenant_id}\t{unit}\t{unit}\t"
        self._tail = f"\t{EmploymentStatus.IN_SERVICE}\tt\t{now}\t{now}\n"
        self._raw = connection.connection  # the psycopg connection of this transaction
        self._chunks: queue.Queue = queue.Queue()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="roster-members", daemon=True)
        self._thread.start()

    @classmethod
    def open(cls, enrolment: Enrolment, rows: int, now: str) -> MemberStream | None:
        size = stream_rows()
        return cls(enrolment, now, size, rows) if size and rows >= size else None

    @staticmethod
    def _allocate_line_ids(rows: int) -> list[int]:
        """One line id per row, in increasing order: lines keep the roster's order (the
        roster pages read them by id) whenever each is written."""
        table = EnrolmentLine._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, rows],
            )
            return sorted(row[0] for row in cursor.fetchall())

    # --- The caller's thread -------------------------------------------------------------

    def cleaned(
        self, chunk: Sequence[Candidate], infos, texts, report: Report, rules: EnrolmentRules
    ) -> None:
        """A chunk of rows cleaned by ``evaluate``: look up, pick, hand to the writer."""
        self._raise_writer_error()
        numbers = list(
            dict.fromkeys(
                c.id_number
                for c in chunk
                if c.id_number and c.member_id is None and c.id_number not in self._looked_up
            )
        )
        self._looked_up.update(numbers)
        try:
            self.registered.update(registered_members(self.tenant_id, numbers))
        except DatabaseError:
            self._raise_writer_error()  # the writer's failure aborted the transaction
            raise
        people, lines = [], []
        picked = [
            c
            for c in chunk
            if c.member_id is None
            and c.index in infos
            and c.index in texts
            and not report.has(c)
            and c.id_number not in self.registered
            and c.id_number not in self._written
            and not self._written.add(c.id_number)  # once per number (a repeat is refused)
        ]
        for cand, member_id in zip(picked, ordered_uuids(len(picked)), strict=True):
            name, phone, category = texts[cand.index]
            category = category or MemberCategory.WORKER
            info = infos[cand.index]
            self.provisional[cand.index] = member_id
            people.append(
                f"{member_id}\t{self._head}{copy_text(name)}\t{info.number}\t{info.sex}\t"
                f"{info.birth_date.isoformat()}\t{copy_text(phone)}\t{category}{self._tail}"
            )
            premium = self._premium(rules, cand)
            if premium is not None:
                line_id = self.line_ids[cand.index]
                text = line_text(self._line_head, member_id, cand, category, premium, self.now)
                lines.append(f"{line_id}\t{text}")
                self.lines[cand.index] = line_id
        if people:
            self._chunks.put((people, lines))

    def _premium(self, rules: EnrolmentRules, cand: Candidate):
        """The line's premium, or None when this row's line is not written now: a renewal,
        or shares a line cannot hold (the row will be refused)."""
        if not self._with_lines or cand.shares is None or not 1 <= cand.shares <= 32767:
            return None
        try:
            return premium_of(rules, cand)
        except (KeyError, ValueError, ArithmeticError):  # an unknown tier …: refused later
            return None

    def _raise_writer_error(self) -> None:
        if self._error is not None:
            self.close()
            error, self._error = self._error, None
            with connection.wrap_database_errors:
                raise error

    def finish(self) -> dict[str, dict[str, Any]]:
        """Wait for the writer; the registered people of the whole roster."""
        self.close()
        self._raise_writer_error()
        with connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS {self._keys()} DEFERRED")
        return self.registered

    @staticmethod
    def _keys() -> str:
        return ", ".join(connection.ops.quote_name(name) for name in STREAMED_KEYS)

    def close(self) -> None:
        """Stop the writer (idempotent); the connection is the caller's again."""
        if self._thread.is_alive():
            self._chunks.put(None)
            self._thread.join()

    def discard(self, kept: set[int]) -> tuple[int, int]:
        """Delete the lines and members written for rows not in ``kept`` (refused in the
        end); returns the members and lines that stay."""
        lines = [line_id for index, line_id in self.lines.items() if index not in kept]
        people = [member_id for index, member_id in self.provisional.items() if index not in kept]
        with connection.cursor() as cursor:
            if lines:
                table = connection.ops.quote_name(EnrolmentLine._meta.db_table)
                cursor.execute(f"DELETE FROM {table} WHERE id = ANY(%s::bigint[])", [lines])
            if people:
                table = connection.ops.quote_name(Member._meta.db_table)
                cursor.execute(f"DELETE FROM {table} WHERE id = ANY(%s::uuid[])", [people])
        return len(self.provisional) - len(people), len(self.lines) - len(lines)

    # --- The writer thread ---------------------------------------------------------------

    def _run(self) -> None:
        started = False
        while True:
            item = self._chunks.get()
            if item is None:
                return
            if self._error is not None:
                continue  # drain: the caller raises the first error at finish()
            people, lines = item
            try:
                with self._raw.cursor() as cursor:
                    if not started:
                        cursor.execute(f"SET CONSTRAINTS {self._keys()} IMMEDIATE")
                        started = True
                    copy_with(cursor, Member, MEMBER_COLUMNS, TextRows(people))
                    if lines:
                        copy_with(cursor, EnrolmentLine, ("id", *LINE_COLUMNS), TextRows(lines))
            except BaseException as error:  # noqa: BLE001 - handed to the caller's thread
                self._error = error
