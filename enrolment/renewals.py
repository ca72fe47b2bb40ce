"""Renewal drafts for every enrolment coming to its end, in set-based SQL (SPEC §7).

``renewals_prepare_due`` does for all due enrolments at once what ``enrolment_create(kind=
"renewal")`` does for one: the next period's draft under the plan version in force on its
first day, the same members with the same shares (held by reference to the previous
enrolment's policies until first read: ``enrolment.roster_source``), and — in
``dropped``, with the reason — the members who left, died, moved, no longer qualify or
already hold cover for those days. It is INSERT … SELECT over temporary tables, never a
loop of saves: a million policies take seconds, not hours (``bench/bench_renewals.py``;
SPEC §14 asks ≥ 50,000 policies/s).

Due: an enrolment in force (a new one or an earlier renewal; mid-term additions join
their unit's common period and are not renewed on their own) whose period ends within
``notice_days`` of ``today`` and whose renewal can still be paid in time (the plan's
deadline before the end, or its grace period after it, has not passed).

Idempotent: an enrolment that already has a renewal (prepared by an earlier run or by
the agent on the enrolment page), not cancelled, gets no second one. A transaction-level
advisory lock makes two runs at once take turns, so the second finds the first's drafts.
The premiums side adds a unique row per renewed enrolment (``premiums.Renewal``) in the
same transaction, which is the database's own guard.

One rule, two paths: who is left out, and why, is what ``enrolment.rules.check_batch`` says
of the member — its first problem, in its words ("dropped … with a reason", SPEC §7) —
after SPEC §7's own reasons (died, left, moved: ``rules.renewal_leaving``). The SQL takes
its thresholds, statuses and texts as parameters computed by the Python rules
(``_rules_rows``: the version's ``EnrolmentRules``, the age range as birth dates,
``rules.TEXTS``), not as literals of its own; ``tests/enrolment/test_eligibility_cases.py``
runs one table of cases through ``check_batch``, this job and ``enrolment_create(kind=
"renewal")`` and asserts they agree. The whole-roster share rules (uniform counts, the
mixed cap) are not applied here: the drafts go through the ordinary submission checks
(``enrolment_submit``), which apply them.

The caller holds the transaction: after ``renewals_prepare_due`` returns, the temporary
table ``renewal_due`` lists this run's pairs (``previous_id``, ``id`` of the draft or the
existing renewal, ``created``) until the transaction ends.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.db import connection, transaction

from enrolment.models import (
    FUNDING_PARTIES,
    OPEN_STATUSES,
    PARTY_FIELDS,
    EnrolmentKind,
    EnrolmentStatus,
    PolicyStatus,
)
from enrolment.policies import renewal_deadline, renewal_period
from enrolment.roster_source import HELD_ROSTER_SQL
from enrolment.rules import LEAVING_STATUSES, TEXTS, EnrolmentRules, allowed_categories
from plans.models import PlanVersion, VersionStatus
from plans.terms import terms_of

#: Key of the advisory locks that serialise runs (of the same part).
LOCK_KEY_PARTS = 0x72656E77  # "renw": with the part number (-1: the whole run) as second key
#: Enrolments whose period ended longer ago than this are never looked at (bounds the scan;
#: no plan gives a grace period that long).
LOOK_BACK_DAYS = 400


@dataclass(frozen=True)
class RenewalRun:
    due: int = 0  # enrolments due for renewal in this run
    prepared: int = 0  # drafts created now
    already: int = 0  # due enrolments that had a renewal already
    lines: int = 0  # roster lines of the drafts (held by reference: written when first read)
    dropped: int = 0  # members left out, with a reason
    policies: int = 0  # policies of the due enrolments looked at


def _fill(text, **values) -> str:
    """``text`` in the active language with these placeholders filled in and the others
    (``%(age)d``: the member's, filled in by the SQL) kept as they are."""
    text = str(text)
    for name, value in values.items():
        text = text.replace(f"%({name})s", str(value)).replace(f"%({name})d", str(value))
    return text


def _rules_rows(pairs: list[tuple], *, today: dt.date) -> list[tuple]:
    """One row per (plan version, previous end) of this run whose renewal can still be paid
    in time on ``today``: what ``check_batch`` reads for a renewal starting the day after —
    the version's ``EnrolmentRules`` (the cached term parser ``terms_of``), the age range as
    birth dates (``Eligibility.birth_dates``), the required employment status — with the
    period, the payment deadline, and the reasons' texts (``enrolment.rules.TEXTS``) filled
    in as far as they do not depend on the member. NULL where the plan sets no limit, so
    each test in the SQL is one comparison."""
    versions = {
        v.pk: v
        for v in PlanVersion.objects.filter(pk__in={vid for vid, _end in pairs})
        .select_related("plan")
        .prefetch_related("items")
    }
    rows = []
    for version_id, previous_end in pairs:
        version = versions[version_id]
        terms = terms_of(version)
        deadline = renewal_deadline(previous_end, terms.raw.get("renewal"))
        if deadline < today:
            continue
        rules = EnrolmentRules.build(
            terms,
            kind=EnrolmentKind.RENEWAL,
            period=renewal_period(previous_end, terms.term_months),
            plan_id=version.plan_id,
            plan_name=version.plan.display_name,
        )
        el = rules.eligibility
        earliest, latest = el.birth_dates(rules.period.start)
        when = rules.period.start.isoformat()
        max_shares = None if rules.sold_in_tiers else rules.max_shares
        rows.append(
            (
                version_id,
                previous_end,
                rules.period.end,
                deadline,
                rules.exclusive_group,
                el.sex,
                earliest,
                latest,
                sorted(el.categories) or None,
                el.required_status,
                rules.sold_in_tiers,
                rules.premium_per_share,
                json.dumps({code: str(premium) for code, premium in rules.tiers.items()}),
                max_shares,
                str(TEXTS["sex_female" if el.sex == "female" else "sex_male"]),
                _fill(TEXTS["age_below_minimum"], date=when, min=el.min_age),
                _fill(TEXTS["age_above_maximum"], date=when, max=el.max_age),
                _fill(TEXTS["category_not_eligible"], allowed=allowed_categories(el)),
                _fill(TEXTS["tier_invalid"], tiers=", ".join(rules.tiers)),
                _fill(TEXTS["shares_max"], max=max_shares),
            )
        )
    return rows


def renewals_prepare_due(
    *, today: dt.date, notice_days: int = 30, tenant_id=None, part: int = 0, parts: int = 1
) -> RenewalRun:
    """Prepare the renewal drafts of every enrolment due on ``today`` (all tenants, or one).

    Must run inside a transaction (the temporary tables live until it ends). Returns the
    counts; the pairs are in the temporary table ``renewal_due`` (see the module doc)."""
    renewals_find_due(
        today=today, notice_days=notice_days, tenant_id=tenant_id, part=part, parts=parts
    )
    return renewals_create_drafts()


def renewals_find_due(
    *, today: dt.date, notice_days: int = 30, tenant_id=None, part: int = 0, parts: int = 1
) -> int:
    """Fill the temporary table ``renewal_due`` with the enrolments due on ``today``: the
    version in force on the renewal's first day, the period, the payment deadline, and the
    renewal they already have (``created`` False) or the id of the draft to make. The caller
    may delete rows (enrolments it already handled) before ``renewals_create_drafts``.
    Takes the advisory lock first. Returns the number of due enrolments.

    ``part``/``parts``: only the units whose id hashes to ``part`` (of ``parts``), so a big
    run can be split into transactions that run side by side on several workers (each part
    has its own lock; a unit always falls in the same part)."""
    if not 0 <= part < parts:
        raise ValueError("part must be in 0 … parts - 1")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("renewals must be prepared inside transaction.atomic()")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_KEY_PARTS, part if parts > 1 else -1]
        )
        # The statements below are planned once and run once: JIT compiling them costs more
        # (~0.7 s) than it saves.
        cur.execute("SET LOCAL jit = off")
        # Sorting a million roster lines in memory, not in temporary files.
        cur.execute("SET LOCAL work_mem = '256MB'")
        # The run is idempotent: if the server crashed right after COMMIT and lost it, the
        # next run prepares the same drafts again. So COMMIT need not wait for the WAL flush.
        cur.execute("SET LOCAL synchronous_commit = off")
        cur.execute("DROP TABLE IF EXISTS renewal_due, renewal_rules, renewal_cand")
        # 1. The due enrolments, each with the version in force on the renewal's first day
        #    (plans.selectors.version_in_force, in SQL) and its renewal if it has one.
        cur.execute(
            """
            CREATE TEMP TABLE renewal_due ON COMMIT DROP AS
            SELECT e.id AS previous_id,
                   COALESCE(f.id, gen_random_uuid()) AS id,
                   f.id IS NULL AS created,
                   e.tenant_id, e.organisation_id, e.unit_id, e.plan_id,
                   v.id AS version_id,
                   e.coverage_end AS previous_end,
                   e.coverage_end + 1 AS start_date,
                   NULL::date AS end_date,
                   NULL::date AS deadline,
                   e.funding_mode, e.administration_amount, e.union_amount,
                   e.member_amount, e.federation_amount, e.premium_total AS previous_premium
            FROM enrolment_enrolment e
            JOIN LATERAL (
                SELECT pv.id, pv.valid_to FROM plans_planversion pv
                WHERE pv.plan_id = e.plan_id AND pv.status = %(published)s
                  AND pv.valid_from <= e.coverage_end + 1
                ORDER BY pv.valid_from DESC, pv.number DESC LIMIT 1
            ) v ON v.valid_to IS NULL OR v.valid_to >= e.coverage_end + 1
            LEFT JOIN LATERAL (
                SELECT fe.id FROM enrolment_enrolment fe
                WHERE fe.previous_id = e.id AND fe.kind = %(renewal)s
                  AND fe.status <> %(cancelled)s
                ORDER BY fe.created_at LIMIT 1
            ) f ON true
            WHERE e.status = %(in_force)s AND e.kind IN (%(new)s, %(renewal)s)
              AND e.coverage_end <= %(today)s::date + %(notice)s
              AND e.coverage_end >= %(today)s::date - %(look_back)s
              AND (%(tenant)s::uuid IS NULL OR e.tenant_id = %(tenant)s::uuid)
              AND (%(parts)s = 1
                   OR mod(abs(hashtext(e.organisation_id::text)), %(parts)s) = %(part)s)
            """,
            {
                "published": VersionStatus.PUBLISHED.value,
                "renewal": EnrolmentKind.RENEWAL.value,
                "new": EnrolmentKind.NEW.value,
                "cancelled": EnrolmentStatus.CANCELLED.value,
                "in_force": EnrolmentStatus.IN_FORCE.value,
                "today": today,
                "notice": int(notice_days),
                "look_back": LOOK_BACK_DAYS,
                "tenant": str(tenant_id) if tenant_id else None,
                "part": part,
                "parts": parts,
            },
        )
        # 2. The rules of each (version, previous end) still payable in time — a handful of
        #    rows — computed by the Python rules themselves (see _rules_rows).
        cur.execute("SELECT DISTINCT version_id, previous_end FROM renewal_due")
        pairs = cur.fetchall()
        cur.execute(
            """CREATE TEMP TABLE renewal_rules (
                 version_id uuid, previous_end date, end_date date, deadline date,
                 exclusive_group text, sex text, born_from date, born_by date,
                 categories text[], required_status text, sold_in_tiers bool,
                 premium_per_share numeric, tiers jsonb, max_shares int,
                 msg_sex text, msg_age_min text, msg_age_max text, msg_category text,
                 msg_tier text, msg_shares_max text,
                 PRIMARY KEY (version_id, previous_end)
               ) ON COMMIT DROP"""
        )
        rows = _rules_rows(pairs, today=today) if pairs else []
        if rows:
            cur.executemany(
                "INSERT INTO renewal_rules VALUES (" + ", ".join(["%s"] * 20) + ")", rows
            )
        # Its statistics, so the planner knows each due row finds one rules row (joined on
        # two columns, it would guess far fewer and choose a nested loop per policy).
        cur.execute("ANALYZE renewal_rules")
        # 3. The period and the last day to pay in time; drop what is too late (no rules row).
        cur.execute(
            """
            UPDATE renewal_due d SET end_date = r.end_date, deadline = r.deadline
            FROM renewal_rules r
            WHERE r.version_id = d.version_id AND r.previous_end = d.previous_end
            """
        )
        cur.execute("DELETE FROM renewal_due WHERE deadline IS NULL")
        cur.execute("SELECT count(*) FROM renewal_due")
        return cur.fetchone()[0]


def renewals_create_drafts() -> RenewalRun:
    """The drafts (enrolments holding their roster by reference — ``enrolment.roster_source``
    writes the lines when first read —, first steps, audit events) for the rows of
    ``renewal_due`` with ``created``, in a handful of INSERT … SELECT statements."""
    with connection.cursor() as cur:
        cur.execute("SELECT count(*), count(*) FILTER (WHERE created) FROM renewal_due")
        due, to_create = cur.fetchone()
        if not to_create:
            return RenewalRun(due=due, already=due)
        cur.execute("ANALYZE renewal_due")

        # 4. One candidate line per continuing policy of the previous enrolment, with its
        #    premium for the new term and why it cannot continue (NULL: it continues): SPEC
        #    §7's own reasons (died, left, moved) first, then the first problem
        #    ``check_batch`` would report — same order, same words — against the thresholds
        #    of ``renewal_rules`` (NULL where the plan sets no limit); cover comes below.
        cur.execute(
            """
            CREATE TEMP TABLE renewal_cand ON COMMIT DROP AS
            SELECT d.id AS enrolment_id, d.tenant_id, p.member_id, m.name, m.category,
                   p.shares, p.tier,
                   CASE
                     WHEN r.sold_in_tiers THEN (r.tiers ->> p.tier)::numeric(12, 2)
                     ELSE round(p.shares * r.premium_per_share, 2)
                   END AS premium,
                   CASE
                     WHEN m.employment_status = ANY(%(leaving)s)
                       THEN %(leaving_texts)s::jsonb ->> m.employment_status
                     -- the new unit's name looked up for those who moved only (no join)
                     WHEN m.organisation_id <> d.organisation_id
                       THEN replace(%(moved)s, '%%(unit)s', (SELECT mo.name
                                                            FROM tenancy_organisation mo
                                                            WHERE mo.id = m.organisation_id))
                     WHEN m.sex <> r.sex THEN r.msg_sex
                     WHEN m.birth_date > r.born_by
                       THEN replace(r.msg_age_min, '%%(age)d',
                                    date_part('year', age(d.start_date, m.birth_date))::int::text)
                     WHEN m.birth_date < r.born_from
                       THEN replace(r.msg_age_max, '%%(age)d',
                                    date_part('year', age(d.start_date, m.birth_date))::int::text)
                     WHEN m.category <> ALL(r.categories) THEN r.msg_category
                     WHEN m.employment_status <> r.required_status THEN %(not_in_service)s
                     WHEN r.sold_in_tiers AND NOT r.tiers ? p.tier THEN r.msg_tier
                     WHEN p.shares > r.max_shares THEN r.msg_shares_max
                   END AS reason
            FROM renewal_due d
            JOIN renewal_rules r
              ON r.version_id = d.version_id AND r.previous_end = d.previous_end
            JOIN enrolment_policy p ON p.enrolment_id = d.previous_id
            JOIN members_member m ON m.id = p.member_id
            WHERE d.created AND p.status <> %(cancelled)s
              AND (p.ended_on IS NULL OR p.ended_on >= d.previous_end)
            """,
            {
                "leaving": list(LEAVING_STATUSES),
                "leaving_texts": json.dumps(
                    {status: str(TEXTS[code]) for status, code in LEAVING_STATUSES.items()}
                ),
                "moved": str(TEXTS["moved"]),
                "not_in_service": str(TEXTS["not_in_service"]),
                "cancelled": PolicyStatus.CANCELLED.value,
            },
        )
        policies = cur.rowcount
        cur.execute("ANALYZE renewal_cand")
        # Members who already hold, or are enrolled for, cover in this plan or its exclusive
        # group over the new period (another unit's enrolment, a new enrolment made early…):
        # two set-based joins, not a probe per member. Named like ``check_cover`` names the
        # first conflict (policies first, then by start), with the plan and its days.
        cur.execute(
            f"""
            UPDATE renewal_cand c SET reason = x.message
            FROM (
                SELECT DISTINCT ON (h.enrolment_id, h.member_id) h.enrolment_id, h.member_id,
                       replace(replace(replace(
                         CASE
                           WHEN h.plan_id = h.own_plan AND h.is_policy THEN %(overlapping_cover)s
                           WHEN h.plan_id = h.own_plan THEN %(already_enrolled)s
                           WHEN h.is_policy THEN %(exclusive_group)s
                           ELSE %(exclusive_group_enrolled)s
                         END,
                         '%%(plan)s', COALESCE(NULLIF(pl.short_name, ''), pl.name)),
                         '%%(start)s', h.start::text), '%%(end)s', h.end::text) AS message
                FROM (
                    SELECT c2.enrolment_id, c2.member_id, d.plan_id AS own_plan,
                           true AS is_policy, q.plan_id, q.start,
                           COALESCE(q.ended_on, q."end") AS "end"
                    FROM renewal_cand c2
                    JOIN renewal_due d ON d.id = c2.enrolment_id
                    JOIN renewal_rules r
                      ON r.version_id = d.version_id AND r.previous_end = d.previous_end
                    JOIN enrolment_policy q ON q.member_id = c2.member_id
                    -- only policies reaching into the new periods at all (not last year's own)
                      AND COALESCE(q.ended_on, q."end") >= (SELECT min(start_date) FROM renewal_due)
                    WHERE c2.reason IS NULL AND q.status <> %(cancelled)s
                      AND q.enrolment_id <> d.previous_id
                      AND (q.plan_id = d.plan_id
                           OR (r.exclusive_group <> '' AND q.exclusive_group = r.exclusive_group))
                      AND q.start <= d.end_date AND COALESCE(q.ended_on, q."end") >= d.start_date
                    UNION ALL
                    SELECT c2.enrolment_id, c2.member_id, d.plan_id, false, oe.plan_id,
                           oe.start_date, oe.end_date
                    FROM renewal_cand c2
                    JOIN renewal_due d ON d.id = c2.enrolment_id
                    JOIN renewal_rules r
                      ON r.version_id = d.version_id AND r.previous_end = d.previous_end
                    JOIN enrolment_enrolmentline l ON l.member_id = c2.member_id
                    JOIN enrolment_enrolment oe ON oe.id = l.enrolment_id
                    WHERE c2.reason IS NULL AND oe.status = ANY(%(open)s) AND oe.id <> d.previous_id
                      AND (oe.plan_id = d.plan_id
                           OR (r.exclusive_group <> '' AND oe.exclusive_group = r.exclusive_group))
                      AND oe.start_date <= d.end_date AND oe.end_date >= d.start_date
                    UNION ALL
                    -- the rosters of earlier runs' drafts, held by reference (roster_source)
                    SELECT c2.enrolment_id, c2.member_id, d.plan_id, false, oe.plan_id,
                           oe.start_date, oe.end_date
                    FROM ({HELD_ROSTER_SQL}) l
                    JOIN renewal_cand c2 ON c2.member_id = l.member_id
                    JOIN renewal_due d ON d.id = c2.enrolment_id
                    JOIN renewal_rules r
                      ON r.version_id = d.version_id AND r.previous_end = d.previous_end
                    JOIN enrolment_enrolment oe ON oe.id = l.enrolment_id
                    WHERE c2.reason IS NULL AND oe.id <> d.previous_id
                      AND (oe.plan_id = d.plan_id
                           OR (r.exclusive_group <> '' AND oe.exclusive_group = r.exclusive_group))
                      AND oe.start_date <= d.end_date AND oe.end_date >= d.start_date
                ) h
                JOIN plans_plan pl ON pl.id = h.plan_id
                ORDER BY h.enrolment_id, h.member_id, h.is_policy DESC, h.start, h.plan_id, h.end
            ) x
            WHERE c.enrolment_id = x.enrolment_id AND c.member_id = x.member_id
            """,
            {
                **{
                    key: str(TEXTS[key])
                    for key in (
                        "overlapping_cover",
                        "already_enrolled",
                        "exclusive_group",
                        "exclusive_group_enrolled",
                    )
                },
                "cancelled": PolicyStatus.CANCELLED.value,
                "open": [str(s) for s in OPEN_STATUSES],
            },
        )

        # 5. The drafts, with their totals and the members left out (by name), and funding:
        #    a single payer pays the whole premium; several keep last year's split when the
        #    premium is unchanged, else the agent enters it before submitting.
        funding_params = {}
        for name in PARTY_FIELDS:
            funding_params[f"{name}_alone"] = [
                str(m) for m, parties in FUNDING_PARTIES.items() if parties == (name,)
            ]
            funding_params[f"{name}_shared"] = [
                str(m)
                for m, parties in FUNDING_PARTIES.items()
                if len(parties) > 1 and name in parties
            ]

        def party(name: str) -> str:
            return f"""CASE WHEN d.funding_mode = ANY(%({name}_alone)s) THEN t.premium
                            WHEN d.funding_mode = ANY(%({name}_shared)s)
                                 AND t.premium = d.previous_premium
                              THEN d.{name}
                            ELSE 0 END"""

        cur.execute(
            f"""
            INSERT INTO enrolment_enrolment (
                id, tenant_id, unit_id, organisation_id, plan_id, plan_version_id,
                exclusive_group, kind, previous_id, status, start_date, end_date, funding_mode,
                administration_amount, union_amount, member_amount, federation_amount, note,
                member_count, share_count, premium_total, return_reason, dropped,
                roster_members, roster_categories, roster_premiums, created_at, updated_at)
            SELECT d.id, d.tenant_id, d.unit_id, d.organisation_id, d.plan_id, d.version_id,
                   r.exclusive_group, %(renewal)s, d.previous_id, %(draft)s, d.start_date,
                   d.end_date, d.funding_mode,
                   {party("administration_amount")}, {party("union_amount")},
                   {party("member_amount")}, {party("federation_amount")}, '',
                   t.members, t.shares, t.premium, '', t.dropped,
                   -- NULL when no one continues: nothing to write later
                   t0.roster_members, t0.roster_categories, t0.roster_premiums, now(), now()
            FROM renewal_due d
            JOIN renewal_rules r
              ON r.version_id = d.version_id AND r.previous_end = d.previous_end
            -- Totals of the continuing members, and the roster held by reference: who, in
            -- roster order (name, id), their category and new premium (roster_source); the
            -- members left out by name.
            LEFT JOIN (
                SELECT c.enrolment_id, count(*) AS members, sum(c.shares) AS shares,
                       sum(c.premium) AS premium,
                       array_agg(c.member_id ORDER BY c.name, c.member_id) AS roster_members,
                       array_agg(c.category ORDER BY c.name, c.member_id) AS roster_categories,
                       array_agg(c.premium ORDER BY c.name, c.member_id) AS roster_premiums
                FROM renewal_cand c WHERE c.reason IS NULL GROUP BY c.enrolment_id
            ) t0 ON t0.enrolment_id = d.id
            LEFT JOIN (
                SELECT c.enrolment_id,
                       jsonb_agg(jsonb_build_object('member', c.member_id::text, 'name', c.name,
                                                    'reason', c.reason)
                                 ORDER BY c.name, c.member_id) AS dropped
                FROM renewal_cand c WHERE c.reason IS NOT NULL GROUP BY c.enrolment_id
            ) t1 ON t1.enrolment_id = d.id
            CROSS JOIN LATERAL (
                SELECT COALESCE(t0.members, 0) AS members, COALESCE(t0.shares, 0) AS shares,
                       COALESCE(t0.premium, 0)::numeric(14, 2) AS premium,
                       COALESCE(t1.dropped, '[]'::jsonb) AS dropped
            ) t
            WHERE d.created
            """,
            {
                "renewal": EnrolmentKind.RENEWAL.value,
                "draft": EnrolmentStatus.DRAFT.value,
                **funding_params,
            },
        )
        prepared = cur.rowcount
        # 6. The roster is not copied: the draft holds it by reference to the previous
        #    enrolment's policies (step 5's arrays); its lines are written the first time
        #    anything reads or edits it (enrolment.roster_source). Before, a million lines
        #    here cost most of the run: their inserts, three indexes, and two deferred key
        #    checks per line at COMMIT (docs/benchmarks.md, issue 19).
        cur.execute("SELECT count(*) FROM renewal_cand WHERE reason IS NULL")
        lines = cur.fetchone()[0]
        # 7. Each draft's first step and its audit event, by the system.
        cur.execute(
            """
            INSERT INTO enrolment_statuschange (tenant_id, enrolment_id, from_status, to_status,
                                                actor_id, at, reason)
            SELECT d.tenant_id, d.id, '', %s, NULL, now(), '' FROM renewal_due d WHERE d.created
            """,
            [EnrolmentStatus.DRAFT.value],
        )
        cur.execute(
            """
            INSERT INTO audit_auditevent (at, tenant_id, organisation_id, actor_id, action,
                                          object_type, object_id, object_repr, before, after)
            SELECT now(), d.tenant_id, d.organisation_id, NULL, 'enrolment.renewal_prepared',
                   'enrolment.enrolment', d.id::text,
                   left(o.name || ' · ' || COALESCE(NULLIF(pl.short_name, ''), pl.name) || ' · '
                        || d.start_date::text, 200),
                   NULL,
                   jsonb_build_object('previous', d.previous_id::text, 'start', d.start_date,
                                      'end', d.end_date, 'deadline', d.deadline,
                                      'lines', e.member_count,
                                      'dropped', jsonb_array_length(e.dropped),
                                      'by', 'renewal job')
            FROM renewal_due d
            JOIN enrolment_enrolment e ON e.id = d.id
            JOIN tenancy_organisation o ON o.id = d.organisation_id
            JOIN plans_plan pl ON pl.id = d.plan_id
            WHERE d.created
            """
        )
        cur.execute("SELECT count(*) FROM renewal_cand WHERE reason IS NOT NULL")
        dropped = cur.fetchone()[0]
    return RenewalRun(
        due=due,
        prepared=prepared,
        already=due - to_create,
        lines=lines,
        dropped=dropped,
        policies=policies,
    )
