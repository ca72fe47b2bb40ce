"""Rebuilding a tenant's statistics summaries: set-based SQL, one transaction.

Why summaries: an office dashboard of a tenant with 5,000,000 members, 10,000,000 policies
and 1,000,000 claims must render in ≤ 500 ms (issue 7); grouping those tables on every
page view takes seconds. The nightly job (and an office admin's "refresh now") runs
``summaries_refresh``; the pages read the summaries only (docs/benchmarks.md).

Steps, all ``INSERT … SELECT`` / ``GROUP BY`` in PostgreSQL (nothing loops over rows in
Python):

1. the tenant's nodes with their parents (a temporary table);
2. per unit (the node a row belongs to), plan and month: policies started, premium income
   (payments less refunds, by bank date), claims received (by submission day), claims paid
   (count, amount, largest, ¥10,000 and more, on time) — each source grouped on its own,
   then combined;
3. rolled up to every ancestor: a unit row counts for each node on its path
   (``substr(path, 1, 4·k)``), so a node's row is its subtree's total;
4. one row per unit on the reference day: union headcount, members, members covered (a
   member with any policy in force that day, at the member's unit now), payouts overdue;
5. per plan and year, the reserves at the year's end (or on the reference day).

The tenant's old rows are deleted in the same transaction, so readers see the old figures
or the new ones. Two refreshes of one tenant never run together: the second finds the
advisory lock taken and returns None (the first one's result is as good).

Other apps are read only through the views they publish (``<app>/published.py``, made in
each app's own migrations): the SQL here names no table of another app, and no status —
each status is a query parameter taken from the owning app (``sources()``). The views are
plain projections, which PostgreSQL inlines: the plans are those of the tables themselves.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from claims import published as claims
from enrolment import published as enrolment
from members import published as members
from mutualaid.tenancy import published as tenancy
from premiums import published as premiums
from stats.models import LARGE_PAYOUT, SummaryRefresh

#: First key of the advisory lock (the second is the tenant's hash): statistics refreshes.
LOCK_CLASS = 7007
STEPS = 5


@dataclass(frozen=True)
class RefreshResult:
    tenant_id: str
    as_of: dt.date
    node_rows: int
    unit_rows: int
    reserve_rows: int
    seconds: float


def _noop(done: int, total: int | None = None) -> None:
    return None


def sources() -> dict:
    """The owning apps' values the SQL below reads as parameters (statuses, the tree's step)."""
    return {
        "step": tenancy.STEPLEN,
        "policy_void": enrolment.POLICY_VOID,
        "policy_covering": enrolment.POLICY_COVERING,
        "in_force": enrolment.ENROLMENT_IN_FORCE,
        "refund": premiums.REFUND,
        "claim_unsubmitted": claims.UNSUBMITTED,
        "claim_paid": claims.PAID,
        "claim_awaiting_payout": claims.AWAITING_PAYOUT,
        "member_gone": members.GONE,
    }


def summaries_refresh(
    *, tenant_id, as_of: dt.date | None = None, report: Callable[[int, int | None], None] = _noop
) -> RefreshResult | None:
    """Rebuild the tenant's summaries as of ``as_of`` (default today). None when another
    refresh of the tenant is running (it will leave figures at least as new)."""
    as_of = as_of or timezone.localdate()
    started = time.perf_counter()
    params = {
        **sources(),
        "t": str(tenant_id),
        "as_of": as_of,
        "tz": settings.TIME_ZONE,
        "large": LARGE_PAYOUT,
    }
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "SELECT pg_try_advisory_xact_lock(%s::int, hashtext(%s))", [LOCK_CLASS, str(tenant_id)]
        )
        if not cur.fetchone()[0]:
            return None
        # One-off statements over millions of rows: no JIT compile (it cost more than it
        # saved), room to hash and sort in memory.
        cur.execute("SET LOCAL jit = off")
        cur.execute("SET LOCAL work_mem = '256MB'")
        # Dropped on commit; a caller's outer transaction (a test) may refresh twice before it.
        cur.execute("DROP TABLE IF EXISTS stats_tmp_node, stats_tmp_leaf")

        # 1. Nodes and their parents.
        cur.execute(
            """
            CREATE TEMP TABLE stats_tmp_node ON COMMIT DROP AS
            SELECT n.id, n.path, n.depth, p.id AS parent_id
            FROM tenancy_stats_nodes n
            LEFT JOIN tenancy_stats_nodes p
              ON p.tenant_id = n.tenant_id AND p.path = substr(n.path, 1, length(n.path) - %(step)s)
            WHERE n.tenant_id = %(t)s
            """,
            params,
        )
        cur.execute("CREATE UNIQUE INDEX ON stats_tmp_node (path)")
        cur.execute("CREATE UNIQUE INDEX ON stats_tmp_node (id)")
        cur.execute("ANALYZE stats_tmp_node")
        report(1, STEPS)

        # 2. Each source grouped by (node of the row, plan, year, month), then combined.
        cur.execute(
            """
            CREATE TEMP TABLE stats_tmp_leaf ON COMMIT DROP AS
            SELECT organisation_id, plan_id, year, month,
                   sum(policies_started)::int AS policies_started,
                   sum(premium_income) AS premium_income,
                   sum(claims_received)::int AS claims_received,
                   sum(claims_paid)::int AS claims_paid,
                   sum(amount_paid) AS amount_paid,
                   max(largest_payout) AS largest_payout,
                   sum(large_payouts)::int AS large_payouts,
                   sum(paid_with_due)::int AS paid_with_due,
                   sum(paid_on_time)::int AS paid_on_time
            FROM (
                SELECT organisation_id, plan_id,
                       extract(year FROM start)::int AS year,
                           extract(month FROM start)::int AS month,
                       count(*) AS policies_started, 0::numeric AS premium_income,
                       0 AS claims_received, 0 AS claims_paid, 0::numeric AS amount_paid,
                       0::numeric AS largest_payout, 0 AS large_payouts, 0 AS paid_with_due,
                       0 AS paid_on_time
                FROM enrolment_stats_policies
                WHERE tenant_id = %(t)s AND status <> %(policy_void)s
                GROUP BY 1, 2, 3, 4
              UNION ALL
                SELECT p.organisation_id, e.plan_id,
                       extract(year FROM p.paid_on)::int, extract(month FROM p.paid_on)::int,
                       0, sum(CASE WHEN p.kind = %(refund)s THEN -p.amount ELSE p.amount END),
                       0, 0, 0, 0, 0, 0, 0
                FROM premiums_stats_payments p
                JOIN enrolment_stats_enrolments e ON e.id = p.enrolment_id
                WHERE p.tenant_id = %(t)s
                GROUP BY 1, 2, 3, 4
              UNION ALL
                SELECT organisation_id, plan_id,
                       extract(year FROM (submitted_at AT TIME ZONE %(tz)s))::int,
                       extract(month FROM (submitted_at AT TIME ZONE %(tz)s))::int,
                       0, 0, count(*), 0, 0, 0, 0, 0, 0
                FROM claims_stats_claims
                WHERE tenant_id = %(t)s AND submitted_at IS NOT NULL
                  AND status <> %(claim_unsubmitted)s
                GROUP BY 1, 2, 3, 4
              UNION ALL
                SELECT organisation_id, plan_id,
                       extract(year FROM paid_on)::int, extract(month FROM paid_on)::int,
                       0, 0, 0, count(*), sum(paid_amount), max(paid_amount),
                       count(*) FILTER (WHERE paid_amount >= %(large)s),
                       count(*) FILTER (WHERE payout_due IS NOT NULL),
                       count(*) FILTER (WHERE paid_on <= payout_due)
                FROM claims_stats_claims
                WHERE tenant_id = %(t)s AND status = %(claim_paid)s
                GROUP BY 1, 2, 3, 4
            ) s
            GROUP BY organisation_id, plan_id, year, month
            """,
            params,
        )
        cur.execute("ANALYZE stats_tmp_leaf")
        report(2, STEPS)

        # 3. Every node's row: the sum over the rows of its subtree.
        cur.execute("DELETE FROM stats_nodefigures WHERE tenant_id = %(t)s", params)
        cur.execute(
            """
            INSERT INTO stats_nodefigures (tenant_id, organisation_id, parent_id, plan_id,
                year, month,
                policies_started, premium_income, claims_received, claims_paid, amount_paid,
                largest_payout, large_payouts, paid_with_due, paid_on_time)
            SELECT %(t)s, a.id, a.parent_id, l.plan_id, l.year, l.month,
                   sum(l.policies_started), sum(l.premium_income), sum(l.claims_received),
                   sum(l.claims_paid), sum(l.amount_paid), max(l.largest_payout),
                   sum(l.large_payouts), sum(l.paid_with_due), sum(l.paid_on_time)
            FROM stats_tmp_leaf l
            JOIN stats_tmp_node n ON n.id = l.organisation_id
            CROSS JOIN LATERAL generate_series(1, n.depth) AS k
            JOIN stats_tmp_node a ON a.path = substr(n.path, 1, %(step)s * k)
            GROUP BY a.id, a.parent_id, l.plan_id, l.year, l.month
            """,
            params,
        )
        node_rows = cur.rowcount
        report(3, STEPS)

        # 4. Units on the reference day. A member is covered when any policy of theirs is in
        # force that day (enrolment.states: a covering status, the day within its cover);
        # they count at their unit now (transfers keep the cover).
        cur.execute("DELETE FROM stats_unitfigures WHERE tenant_id = %(t)s", params)
        cur.execute(
            """
            WITH covered AS (
                SELECT DISTINCT member_id FROM enrolment_stats_policies
                WHERE tenant_id = %(t)s AND status = ANY(%(policy_covering)s)
                  AND start <= %(as_of)s AND last_covered_day >= %(as_of)s
            ), m AS (
                SELECT m.organisation_id,
                       count(*) AS members,
                       count(*) FILTER (WHERE m.is_union_member) AS union_registered,
                       count(c.member_id) AS covered,
                       count(c.member_id) FILTER (WHERE m.is_union_member) AS union_covered
                FROM members_stats_members m
                LEFT JOIN covered c ON c.member_id = m.id
                WHERE m.tenant_id = %(t)s AND m.employment_status <> ALL(%(member_gone)s)
                GROUP BY m.organisation_id
            ), e AS (
                SELECT organisation_id, max(coverage_end) AS last_end
                FROM enrolment_stats_enrolments
                WHERE tenant_id = %(t)s AND status = %(in_force)s
                  AND coverage_end IS NOT NULL
                GROUP BY organisation_id
            ), o AS (
                SELECT organisation_id, count(*) AS n
                FROM claims_stats_claims
                WHERE tenant_id = %(t)s AND status = ANY(%(claim_awaiting_payout)s)
                  AND payout_due < %(as_of)s
                GROUP BY organisation_id
            )
            INSERT INTO stats_unitfigures (unit_id, tenant_id, path, ownership, industry,
                union_members,
                members, members_covered, union_members_covered, last_cover_end, payouts_overdue)
            SELECT u.organisation_id, %(t)s, n.path, u.ownership, u.industry,
                   CASE WHEN u.union_member_count > 0 THEN u.union_member_count
                        ELSE COALESCE(m.union_registered, 0) END,
                   COALESCE(m.members, 0), COALESCE(m.covered, 0), COALESCE(m.union_covered, 0),
                   e.last_end, COALESCE(o.n, 0)
            FROM members_stats_units u
            JOIN stats_tmp_node n ON n.id = u.organisation_id
            LEFT JOIN m ON m.organisation_id = u.organisation_id
            LEFT JOIN e ON e.organisation_id = u.organisation_id
            LEFT JOIN o ON o.organisation_id = u.organisation_id
            WHERE u.tenant_id = %(t)s
            """,
            params,
        )
        unit_rows = cur.rowcount
        report(4, STEPS)

        # 5. Reserves of each plan at the end of each year with activity (and the year before
        # the first, the opening balance). Unearned premium: the premium of paid cover still
        # to run after that day, pro rata by days. Outstanding: approved, not paid by then.
        cur.execute("DELETE FROM stats_planyearreserve WHERE tenant_id = %(t)s", params)
        cur.execute("SELECT min(year) FROM stats_tmp_leaf")
        first_year = cur.fetchone()[0] or as_of.year
        cur.execute(
            """
            WITH years AS (
                SELECT p.id AS plan_id, y AS year, LEAST(make_date(y, 12, 31), %(as_of)s::date) AS d
                FROM plans_stats_plans p CROSS JOIN generate_series(%(first)s, %(last)s) AS y
                WHERE p.tenant_id = %(t)s
            ), unearned AS (
                SELECT y.plan_id, y.year,
                       sum(e.premium_total
                           * LEAST(e.coverage_end - y.d, e.coverage_end - e.coverage_start + 1)
                           / (e.coverage_end - e.coverage_start + 1)) AS amount
                FROM years y
                JOIN enrolment_stats_enrolments e
                  ON e.tenant_id = %(t)s AND e.plan_id = y.plan_id
                 AND e.status = %(in_force)s
                 AND e.coverage_end > y.d AND COALESCE(e.payment_date, e.coverage_start - 1) <= y.d
                GROUP BY y.plan_id, y.year
            ), outstanding AS (
                SELECT y.plan_id, y.year, sum(c.approved_amount) AS amount
                FROM years y
                JOIN claims_stats_claims c
                  ON c.tenant_id = %(t)s AND c.plan_id = y.plan_id AND c.approved_on <= y.d
                 AND (c.status = ANY(%(claim_awaiting_payout)s)
                      OR (c.status = %(claim_paid)s AND c.paid_on > y.d))
                GROUP BY y.plan_id, y.year
            )
            INSERT INTO stats_planyearreserve (tenant_id, plan_id, year, measured_on,
                unearned_premium,
                outstanding_payouts)
            SELECT %(t)s, y.plan_id, y.year, y.d, round(COALESCE(u.amount, 0), 2),
                COALESCE(o.amount, 0)
            FROM years y
            LEFT JOIN unearned u ON u.plan_id = y.plan_id AND u.year = y.year
            LEFT JOIN outstanding o ON o.plan_id = y.plan_id AND o.year = y.year
            """,
            {**params, "first": first_year - 1, "last": as_of.year},
        )
        reserve_rows = cur.rowcount
        seconds = time.perf_counter() - started
        SummaryRefresh.objects.update_or_create(
            tenant_id=tenant_id,
            defaults={
                "as_of": as_of,
                "refreshed_at": timezone.now(),
                "seconds": Decimal(str(round(seconds, 2))),
            },
        )
        report(5, STEPS)
    return RefreshResult(
        tenant_id=str(tenant_id),
        as_of=as_of,
        node_rows=node_rows,
        unit_rows=unit_rows,
        reserve_rows=reserve_rows,
        seconds=round(time.perf_counter() - started, 2),
    )
