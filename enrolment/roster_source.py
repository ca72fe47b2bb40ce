"""The roster of an enrolment, wherever it is held: the one way to read roster lines.

A renewal draft prepared by the daily run (``enrolment.renewals``) does not copy the
previous roster line by line. It refers to its source — the previous enrolment's policies
(``previous_id``) — and holds, on its own row, only what the run decided: which of those
members continue, in roster order (``roster_members``), with the category they were judged
on and the premium of the new term (``roster_categories``, ``roster_premiums``); the
members left out are in ``dropped`` with the reason, as before. Shares and tier are read
from the source policy (a policy's shares and tier never change after it is written). No
row per member, so no index entries and no deferred key checks per member at COMMIT — the
bulk of the run's cost before (docs/decisions.md, "Renewal drafts that refer to their
source (issue 19)").

The lines are written (``materialise``) the first time anything reads or edits that
draft's roster: one INSERT … SELECT for that draft, in the order and with the values the
run would have written (their time of writing is the run's, the draft's ``created_at``),
and the held arrays are cleared in the same statement. So every
page, API, check, invoice and notice reads ordinary ``EnrolmentLine`` rows, through
``roster_lines(enrolment)`` — nothing else in the project may query ``EnrolmentLine`` by
enrolment (``tests/enrolment/test_roster_source.py`` checks the sources). Readers across
enrolments (a member "already enrolled" in another open enrolment: the cover checks) add
the held rosters with ``HELD_ROSTER_SQL`` / ``open_roster_rows``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from enrolment.models import OPEN_STATUSES, Enrolment, EnrolmentLine, LineStatus

#: Columns of ``enrolment_enrolment`` that hold a draft's roster by reference.
HELD_FIELDS = ("roster_members", "roster_categories", "roster_premiums")

_MATERIALISE = f"""
WITH src AS (
    SELECT e.id, e.tenant_id, e.previous_id, e.roster_members, e.roster_categories,
           e.roster_premiums, e.created_at
    FROM enrolment_enrolment e
    WHERE e.id = %(id)s AND e.roster_members IS NOT NULL
    FOR UPDATE
), cleared AS (
    UPDATE enrolment_enrolment e
    SET roster_members = NULL, roster_categories = NULL, roster_premiums = NULL
    FROM src WHERE e.id = src.id
    RETURNING e.id
), written AS (
    INSERT INTO enrolment_enrolmentline (
        tenant_id, enrolment_id, member_id, shares, tier, category, previous_shares,
        premium, status, problem, row_number, created_at)
    SELECT src.tenant_id, src.id, h.member_id, p.shares, p.tier, h.category, p.shares,
           h.premium, '{LineStatus.OK.value}', '', NULL, src.created_at
    FROM src
    CROSS JOIN LATERAL unnest(src.roster_members, src.roster_categories, src.roster_premiums)
        WITH ORDINALITY AS h(member_id, category, premium, n)
    JOIN enrolment_policy p ON p.enrolment_id = src.previous_id AND p.member_id = h.member_id
    ORDER BY h.n
    RETURNING 1
)
SELECT (SELECT count(*) FROM written), (SELECT count(*) FROM cleared)
"""


def is_held(enrolment: Enrolment) -> bool:
    """The draft's roster is still held by reference (no lines written yet)."""
    return enrolment.roster_members is not None


def materialise(enrolment: Enrolment) -> int:
    """Write the roster lines of a draft whose roster is held by reference, once: one
    statement (it locks the draft row, so two requests at once write them once). No query
    at all when the instance shows no held roster. Returns the lines written."""
    if not is_held(enrolment):
        return 0
    with connection.cursor() as cur:
        cur.execute(_MATERIALISE, {"id": enrolment.pk})
        written, _cleared = cur.fetchone()
    for name in HELD_FIELDS:
        setattr(enrolment, name, None)
    return written


def roster_lines(enrolment: Enrolment) -> QuerySet[EnrolmentLine]:
    """The enrolment's roster lines — written first if the draft held them by reference.
    The one way to query the lines of an enrolment."""
    materialise(enrolment)
    return EnrolmentLine.objects.filter(enrolment_id=enrolment.pk)


#: Rows (enrolment_id, tenant_id, member_id) of the rosters held by reference, of open
#: enrolments only — what ``enrolment_enrolmentline`` would hold for them. For readers
#: across enrolments, in a UNION ALL beside the lines table; parameter ``%(open)s``.
HELD_ROSTER_SQL = """
    SELECT he.id AS enrolment_id, he.tenant_id, hm.member_id
    FROM enrolment_enrolment he
    CROSS JOIN LATERAL unnest(he.roster_members) AS hm(member_id)
    WHERE he.roster_members IS NOT NULL AND he.status = ANY(%(open)s)
"""


def open_statuses() -> list[str]:
    return [str(s) for s in OPEN_STATUSES]


def open_roster_rows(
    *,
    tenant_id,
    member_ids: Sequence[Any],
    exclude_enrolment_id,
    plan_id,
    exclusive_group: str,
    start,
    end,
) -> list[tuple]:
    """Open enrolments (but one) of this plan or its exclusive group over days of
    ``start``…``end`` that have one of these members on their roster — as lines, or held
    by reference: (member_id, plan_id, short name, name, exclusive group, start, end), by
    start, plan, end. One query; a held roster is found through the members' policies
    (indexed by member), since it is a subset of its source's policies."""
    if not member_ids:
        return []
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT x.member_id, x.plan_id, pl.short_name, pl.name, x.exclusive_group,
                   x.start_date, x.end_date
            FROM (
                SELECT l.member_id, oe.plan_id, oe.exclusive_group, oe.start_date, oe.end_date
                FROM enrolment_enrolmentline l
                JOIN enrolment_enrolment oe ON oe.id = l.enrolment_id
                WHERE l.tenant_id = %(tenant)s AND l.member_id = ANY(%(members)s::uuid[])
                  AND l.enrolment_id <> %(exclude)s AND oe.status = ANY(%(open)s)
                  AND (oe.plan_id = %(plan)s
                       OR (%(group)s <> '' AND oe.exclusive_group = %(group)s))
                  AND oe.start_date <= %(end)s AND oe.end_date >= %(start)s
                UNION ALL
                SELECT q.member_id, oe.plan_id, oe.exclusive_group, oe.start_date, oe.end_date
                FROM enrolment_policy q
                JOIN enrolment_enrolment oe
                  ON oe.previous_id = q.enrolment_id AND oe.roster_members IS NOT NULL
                 AND q.member_id = ANY(oe.roster_members)
                WHERE q.tenant_id = %(tenant)s AND q.member_id = ANY(%(members)s::uuid[])
                  AND oe.id <> %(exclude)s AND oe.status = ANY(%(open)s)
                  AND (oe.plan_id = %(plan)s
                       OR (%(group)s <> '' AND oe.exclusive_group = %(group)s))
                  AND oe.start_date <= %(end)s AND oe.end_date >= %(start)s
            ) x
            JOIN plans_plan pl ON pl.id = x.plan_id
            ORDER BY x.start_date, x.plan_id, x.end_date
            """,
            {
                "tenant": tenant_id,
                "members": [str(m) for m in member_ids],
                "exclude": exclude_enrolment_id,
                "open": open_statuses(),
                "plan": plan_id,
                "group": exclusive_group or "",
                "start": start,
                "end": end,
            },
        )
        return cur.fetchall()
