"""The roster import's member writer: new people are written while the rest of the roster
is still being checked, so Python and the database work at the same time (issue 19).

``lines_import`` opens a ``MemberStream`` for a roster of ``ROSTER_STREAM_ROWS`` rows or
more and hands it to ``checks.evaluate``, which passes it each chunk of rows as it has
cleaned them. For a chunk the stream (on the caller's thread) looks up the registered
people among its ID numbers, as ``evaluate`` would for the whole roster, and picks the
rows that will create a member if nothing else refuses them: an ID number that is valid,
new to the tenant and not seen earlier in the roster, on a row with no error so far. A
writer thread COPYs those people into the members table on the same connection and
transaction (psycopg serialises the statements of the two threads), with the members'
unit key checked at each statement instead of at COMMIT, while the caller cleans the
next chunk.

The rules over the whole roster run afterwards exactly as without a stream (``evaluate``
gets the same registered people); ``lines.write`` then takes the written member for each
valid row and deletes the few written for rows that were refused in the end (a repeated
ID number, shares unlike the others'…). A refusal of the whole roster, or any failure,
rolls the transaction back with everything in it. The result — members, lines, report,
audit — is the one the import gives without a stream (tests/enrolment/test_stream.py).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection

from enrolment.db import TextRows, copy_text, copy_with, ordered_uuids
from enrolment.models import Enrolment
from enrolment.rules import Candidate, Report
from enrolment.services.checks import registered_members
from members.models import EmploymentStatus, Member, MemberCategory

#: Rows of a roster from which the import streams (below it, one write after the checks).
DEFAULT_STREAM_ROWS = 4000
#: The members' composite key to their unit, checked per statement while streaming.
UNIT_KEY = "members_member_unit_id_tfk"

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


def stream_rows() -> int:
    return getattr(settings, "ROSTER_STREAM_ROWS", DEFAULT_STREAM_ROWS)


class MemberStream:
    """See the module docstring. ``provisional``: row index → the member id written."""

    def __init__(self, enrolment: Enrolment, now: str, size: int) -> None:
        self.size = size
        self.now = now
        self.tenant_id = enrolment.tenant_id
        self.registered: dict[str, dict[str, Any]] = {}
        self.provisional: dict[int, str] = {}
        self.people: dict[int, tuple[str, str, Any]] = {}
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
        return cls(enrolment, now, size) if rows >= size else None

    # --- The caller's thread -------------------------------------------------------------

    def cleaned(self, chunk: Sequence[Candidate], infos, texts, report: Report) -> None:
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
        lines = []
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
            info = infos[cand.index]
            self.provisional[cand.index] = member_id
            lines.append(
                f"{member_id}\t{self._head}{copy_text(name)}\t{info.number}\t{info.sex}\t"
                f"{info.birth_date.isoformat()}\t{copy_text(phone)}\t"
                f"{category or MemberCategory.WORKER}{self._tail}"
            )
        if lines:
            self._chunks.put(lines)

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
            cursor.execute(f"SET CONSTRAINTS {connection.ops.quote_name(UNIT_KEY)} DEFERRED")
        return self.registered

    def close(self) -> None:
        """Stop the writer (idempotent); the connection is the caller's again."""
        if self._thread.is_alive():
            self._chunks.put(None)
            self._thread.join()

    def discard(self, kept: set[int]) -> int:
        """Delete the members written for rows not in ``kept`` (refused in the end)."""
        unused = [member_id for index, member_id in self.provisional.items() if index not in kept]
        if unused:
            table = connection.ops.quote_name(Member._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {table} WHERE id = ANY(%s::uuid[])", [unused])
        return len(self.provisional) - len(unused)

    # --- The writer thread ---------------------------------------------------------------

    def _run(self) -> None:
        started = False
        while True:
            lines = self._chunks.get()
            if lines is None:
                return
            if self._error is not None:
                continue  # drain: the caller raises the first error at finish()
            try:
                with self._raw.cursor() as cursor:
                    if not started:
                        cursor.execute(f'SET CONSTRAINTS "{UNIT_KEY}" IMMEDIATE')
                        started = True
                    copy_with(cursor, Member, MEMBER_COLUMNS, TextRows(lines))
            except BaseException as error:  # noqa: BLE001 - handed to the caller's thread
                self._error = error
