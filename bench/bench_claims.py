"""Claims: the reviewer queue and claim search at any page depth, and a 10,000-claim
payout batch with its bank files.

    .venv/bin/python bench/bench_claims.py                          # generate, then time
    .venv/bin/python bench/bench_claims.py --reuse --rounds 3       # same data, time again

Issue 6 / SPEC §14: the reviewer queue and claim search answer in p95 ≤ 100 ms at any page
depth with a constant number of queries, on a tenant of 1,000,000 members and 200,000
claims; a batch of 10,000 approved claims is built with its bank file in ≤ 30 s.

The script makes a fresh database (``bench_claims`` on the server of DATABASE_URL, default
the local one), migrates it, and generates with set-based SQL (``generate_series``,
INSERT … SELECT) one tenant: an office with ``--members / --per-unit`` units, the members,
and ``--claims`` incident reports with their claims in mixed states (about a third in the
reviewer queue, 5 % approved and waiting for a batch — 10,000 of 200,000 —, a third paid,
the rest drafts, documents requested, rejected, expired), each submitted claim with its
stored assessment and its "submit" decision.

Then, for each list (``claims.selectors.claim_queue``, the selector of the queue page and
of ``GET /api/v1/claims/``):
- the reviewer's queue (oldest submission first, status "review");
- claim search as the office admin: all claims (newest first), a name prefix, a claim
  number, and filters (event kind + plan),
it times pages at depth 1, 100, 1000 and the last page ("deep"), each ``--runs`` times
warm: the selector alone, and the whole API request through Django's test client
(session, actor, page, calendar, serialisation), counting the queries of each. The
cursor of page N is the one the N-1th page hands out (made from the row before it, so
the timing does not include walking there).

The reviewer queue (status "review": submitted, under investigation, second approval)
is ordered by (submitted_at, id) across three statuses. With only the indexes that begin
with (tenant, status, …), PostgreSQL read and sorted the whole group (66,000 rows here:
300–470 ms a page); ``claim_submitted_queue_idx`` on (tenant, submitted_at, id) where
submitted (migration 0002) gives that order straight. The script prints the claim table's
indexes so a run says which schema it measured.

Last it times ``payouts.batch_build`` gathering the 10,000 approved claims, then
``bankfile.write_xlsx`` and ``bankfile.write_csv``, ``--rounds`` times (the batch is
undone between rounds: lines, decisions and batch deleted, claims approved again).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.benchdb import add_db_argument, checkpoint, machine_line, open_database  # noqa: E402

BENCH_DB = "bench_claims"
PAGE = 50


#: A stored assessment of the usual size (the list defers it; the detail reads it).
ASSESSMENT = {
    "total": "15000.00",
    "lines": [
        {
            "item_code": "designated_disease",
            "item_name": "十四种指定疾病(手术)",
            "kind": "benefit",
            "amount": "15000.00",
            "steps": ["1 份 × ¥15,000.00 = ¥15,000.00"],
            "reasons": [],
            "ends_cover": False,
            "needs_four_eyes": False,
        }
    ],
    "reasons": [],
    "needs_four_eyes": False,
    "ends_cover": False,
    "explanation": [
        "保障计划: 广西壮族自治区职工指定疾病(手术)互助保障计划",
        "保障期: 2025-03-16 至 2026-03-15; 持有 1 份",
        "事件: 疾病确诊或手术; 疾病/手术: 原发性恶性肿瘤",
        "本项应给付 ¥15,000.00",
        "合计应给付 ¥15,000.00",
    ],
}


def generate(*, members: int, claims: int, per_unit: int) -> dict:
    from django.db import connection

    from mutualaid.accounts.services import tenant_create
    from mutualaid.tenancy.models import Role, Staff, User
    from plans.demo import load_seed_plan

    units = max(1, members // per_unit)
    started = time.perf_counter()
    tenant, office = tenant_create(
        name="理赔基准办事处", slug="bench-claims", office_name="理赔基准办事处"
    )
    plan, _ = load_seed_plan("gx_designated_disease", tenant=tenant, owner=office)
    for username, role in (
        ("bench_reviewer", Role.REVIEWER),
        ("bench_admin", Role.OFFICE_ADMIN),
        ("bench_finance", Role.FINANCE),
    ):
        user = User.objects.create(username=username, display_name=username)
        Staff.objects.create(user=user, tenant=tenant, organisation=office, roles=[role])
    with connection.cursor() as cur:
        cur.execute(
            """
            CREATE TEMP TABLE gen_unit AS
            SELECT i, gen_random_uuid() AS id,
                   %(root)s || lpad(upper(
                       substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', (i / 46656) %% 36 + 1, 1) ||
                       substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', (i / 1296) %% 36 + 1, 1) ||
                       substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', (i / 36) %% 36 + 1, 1) ||
                       substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', i %% 36 + 1, 1)), 4, '0')
                   AS path
            FROM generate_series(1, %(units)s) AS i
            """,
            {"root": office.path, "units": units},
        )
        cur.execute(
            """
            INSERT INTO tenancy_organisation (id, tenant_id, path, depth, numchild, name, kind,
                                              code, created_at)
            SELECT id, %(tenant)s, path, 2, 0, '理赔基准单位' || i || '工会', 'unit', 'C' || i,
                   now()
            FROM gen_unit
            """,
            {"tenant": tenant.pk},
        )
        cur.execute(
            "UPDATE tenancy_organisation SET numchild = %s WHERE id = %s", [units, office.pk]
        )
        cur.execute(
            """
            INSERT INTO members_unit (organisation_id, tenant_id, credit_code, ownership, industry,
                union_member_count, contact_name, contact_phone, bank_name, bank_account,
                created_at, updated_at)
            SELECT id, %s, '', 'state_owned', '', %s, '', '', '', '', now(), now() FROM gen_unit
            """,
            [tenant.pk, per_unit],
        )
        cur.execute(
            """
            CREATE TEMP TABLE gen_member AS
            SELECT m, gen_random_uuid() AS id, u.id AS unit_id
            FROM generate_series(0, %(n)s - 1) AS m
            JOIN gen_unit u ON u.i = m / %(per_unit)s + 1
            """,
            {"n": units * per_unit, "per_unit": per_unit},
        )
        cur.execute(
            """
            INSERT INTO members_member (id, tenant_id, unit_id, organisation_id, name, id_number,
                sex, birth_date, phone, category, employment_status, is_union_member,
                created_at, updated_at)
            SELECT id, %(tenant)s, unit_id, unit_id, '职工' || m, '45' || lpad(m::text, 16, '0'),
                   CASE WHEN m %% 2 = 0 THEN 'female' ELSE 'male' END,
                   date '1970-01-01' + (m %% 12000), '', 'worker', 'in_service', true, now(), now()
            FROM gen_member
            """,
            {"tenant": tenant.pk},
        )
        made_members = cur.rowcount
        # Claims of every (members / claims)-th member; states by i % 100 (see the docstring).
        cur.execute(
            """
            CREATE TEMP TABLE gen_claim AS
            SELECT i, gen_random_uuid() AS id, gen_random_uuid() AS report_id, g.id AS member_id,
                   g.unit_id, g.m,
                   CASE WHEN i %% 20 = 0 THEN 'approved'
                        WHEN i %% 100 < 10 THEN 'draft'
                        WHEN i %% 100 < 15 THEN 'documents'
                        WHEN i %% 100 < 45 THEN 'submitted'
                        WHEN i %% 100 < 48 THEN 'investigation'
                        WHEN i %% 100 < 50 THEN 'second'
                        WHEN i %% 100 < 88 THEN 'paid'
                        WHEN i %% 100 < 95 THEN 'rejected'
                        ELSE 'expired' END AS status,
                   date '2024-12-01' + ((i * 7919) %% 700) AS event_date,
                   (1000 + (i %% 500) * 100)::numeric(14, 2) AS amount
            FROM generate_series(0, %(claims)s - 1) AS i
            JOIN gen_member g ON g.m = (i::bigint * %(members)s / %(claims)s)
            """,
            {"claims": claims, "members": made_members},
        )
        cur.execute(
            """
            ALTER TABLE gen_claim ADD COLUMN created_at timestamptz,
                                  ADD COLUMN submitted_at timestamptz;
            UPDATE gen_claim SET
                created_at = (event_date + 3)::timestamp AT TIME ZONE 'Asia/Shanghai'
                             + make_interval(secs => (i * 37) % 86400),
                submitted_at = CASE WHEN status IN ('draft', 'expired') THEN NULL
                    ELSE (event_date + 8)::timestamp AT TIME ZONE 'Asia/Shanghai'
                         + make_interval(secs => (i * 53) % 86400) END;
            ANALYZE gen_claim;
            """
        )
        cur.execute(
            """
            INSERT INTO claims_incidentreport (id, tenant_id, organisation_id, member_id, plan_id,
                number, event_kind, cause, event_date, description, reported_on, deadline,
                deadline_provisional, late, status, reporter_name, reporter_phone, late_reason,
                created_by_id, late_decided_by_id, created_at)
            SELECT report_id, %(tenant)s, unit_id, member_id, %(plan)s,
                   'BA' || to_char(created_at, 'YYYY') || lpad(i::text, 7, '0'), 'illness', '',
                   event_date, '确诊住院', event_date + 3, event_date + 10, false, false,
                   'accepted', '', '', '', NULL, NULL, created_at
            FROM gen_claim
            """,
            {"tenant": tenant.pk, "plan": plan.pk},
        )
        cur.execute(
            """
            INSERT INTO claims_claim (id, tenant_id, organisation_id, report_id, member_id, plan_id,
                member_name, policy_id, number, status, event_kind, event_date, condition, cause,
                facts, exclusions, expires_on, reminded_30, reminded_7, payee_name, payee_relation,
                bank_name, bank_account, assessment, assessed_amount, assessed_at,
                needs_four_eyes, approved_amount, adjustment_reason, first_approver_id,
                second_approver_id, approved_on, payout_due, payout_due_provisional, near_limit,
                decision_reason, paid_amount, paid_on, filed_by_id, submitted_at, created_at,
                updated_at)
            SELECT c.id, %(tenant)s, c.unit_id, c.report_id, c.member_id, %(plan)s,
                   '职工' || c.m, NULL,
                   'LP' || to_char(c.created_at, 'YYYY') || lpad(c.i::text, 7, '0'), c.status,
                   'illness', c.event_date, 'malignant_tumour', '', '{}'::jsonb, '[]'::jsonb,
                   c.event_date + 365, false, false, '职工' || c.m, 'self',
                   '中国工商银行理赔基准支行', '6222' || lpad(c.i::text, 15, '0'),
                   CASE WHEN c.submitted_at IS NULL THEN NULL ELSE %(assessment)s::jsonb END,
                   CASE WHEN c.submitted_at IS NULL THEN NULL ELSE c.amount END,
                   c.submitted_at, false,
                   CASE WHEN c.status IN ('approved', 'paid') THEN c.amount END, '', NULL, NULL,
                   CASE WHEN c.status IN ('approved', 'paid') THEN c.event_date + 20 END,
                   CASE WHEN c.status IN ('approved', 'paid') THEN c.event_date + 62 END,
                   false, false,
                   CASE WHEN c.status = 'rejected' THEN '不属于保障范围' ELSE '' END,
                   CASE WHEN c.status = 'paid' THEN c.amount END,
                   CASE WHEN c.status = 'paid' THEN c.event_date + 30 END,
                   NULL, c.submitted_at, c.created_at, c.created_at
            FROM gen_claim c
            """,
            {"tenant": tenant.pk, "plan": plan.pk, "assessment": json.dumps(ASSESSMENT)},
        )
        made_claims = cur.rowcount
        cur.execute(
            """
            INSERT INTO claims_claimdecision (tenant_id, claim_id, action, from_status, to_status,
                                              amount, reason, actor_id, at)
            SELECT %(tenant)s, id, 'submit', 'draft', 'submitted', amount, '', NULL, submitted_at
            FROM gen_claim WHERE submitted_at IS NOT NULL
            """,
            {"tenant": tenant.pk},
        )
        cur.execute("SELECT status, count(*) FROM claims_claim GROUP BY status ORDER BY status")
        states = dict(cur.fetchall())
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
        checkpoint(cur)
    return {
        "units": units,
        "members": made_members,
        "claims": made_claims,
        "states": states,
        "generate_seconds": round(time.perf_counter() - started, 1),
    }


# --- The lists -------------------------------------------------------------------------------


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * 0.95) - 1)]


def cursor_at(qs, order: tuple[str, ...], page: int) -> str | None:
    """The ``next`` cursor the (page - 1)th page hands out: made from its last row."""
    from mutualaid.core.paging import cursor_salt, sign_cursor

    if page <= 1:
        return None
    names = [key.lstrip("-") for key in order]
    row = qs.order_by(*order).values_list(*names)[(page - 1) * PAGE - 1]
    return sign_cursor(list(row), cursor_salt(qs, order))  # signed for this list, as issued


def time_list(name, *, actor, user, filters, params: str, runs: int) -> list[dict]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from claims import selectors

    qs, order = selectors.claim_list(actor=actor, filters=filters)
    total = qs.count()  # not timed: to find the last page
    last = max(1, math.ceil(total / PAGE))
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    results = []
    for label, depth in (("1", 1), ("100", 100), ("1000", 1000), ("deep", last)):
        if depth > last:
            continue
        cursor = cursor_at(qs, order, depth)
        selector_ms, api_ms, rows = [], [], 0
        url = f"/api/v1/claims/?page_size={PAGE}{params}"
        if cursor:
            url += f"&cursor={cursor}"
        selectors.claim_queue(actor=actor, filters=filters, cursor=cursor, size=PAGE)  # warm
        client.get(url)
        for _ in range(runs):
            started = time.perf_counter()
            page = selectors.claim_queue(actor=actor, filters=filters, cursor=cursor, size=PAGE)
            selector_ms.append((time.perf_counter() - started) * 1000)
            rows = len(page.rows)
        with CaptureQueriesContext(connection) as captured:
            for _ in range(runs):
                started = time.perf_counter()
                response = client.get(url)
                api_ms.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (url, response.status_code)
        queries = len(captured) // runs
        assert len(response.json()["results"]) == rows
        results.append(
            {
                "list": name,
                "page": label,
                "depth": depth,
                "rows": rows,
                "matching": total,
                "selector_p95_ms": round(p95(selector_ms), 1),
                "selector_median_ms": round(statistics.median(selector_ms), 1),
                "api_p95_ms": round(p95(api_ms), 1),
                "api_median_ms": round(statistics.median(api_ms), 1),
                "api_queries": queries,
            }
        )
    return results


def time_lists(runs: int) -> list[dict]:
    from claims import selectors
    from mutualaid.tenancy.models import User
    from mutualaid.tenancy.scoping import actor_for
    from plans.models import Plan

    reviewer = User.objects.get(username="bench_reviewer")
    admin = User.objects.get(username="bench_admin")
    plan = Plan.objects.get(code="gx_designated_disease")
    reviewer_actor, admin_actor = actor_for(reviewer), actor_for(admin)
    from claims.models import Claim

    number = Claim.objects.order_by("number").values_list("number", flat=True)[1234]
    Filters = selectors.QueueFilters
    cases = [
        ("reviewer queue (status=review, oldest first)", reviewer_actor, reviewer, Filters(), ""),
        (
            "search: all claims (newest first)",
            admin_actor,
            admin,
            Filters(status="all"),
            "&status=all",
        ),
        (
            "search: name prefix 职工1234",
            admin_actor,
            admin,
            Filters(status="all", q="职工1234"),
            "&status=all&q=职工1234",
        ),
        (
            "search: name prefix 职工12 (111,111 members)",
            admin_actor,
            admin,
            Filters(status="all", q="职工12"),
            "&status=all&q=职工12",
        ),
        (
            "search: claim number",
            admin_actor,
            admin,
            Filters(status="all", q=number),
            f"&status=all&q={number}",
        ),
        (
            "filter: illness + plan, approved",
            admin_actor,
            admin,
            Filters(status="approved", event_kind="illness", plan=plan),
            f"&status=approved&event_kind=illness&plan={plan.pk}",
        ),
    ]
    out = []
    for name, actor, user, filters, params in cases:
        rows = time_list(name, actor=actor, user=user, filters=filters, params=params, runs=runs)
        for row in rows:
            print(json.dumps(row, ensure_ascii=False), flush=True)
        counts = {row["api_queries"] for row in rows}
        if len(counts) != 1:
            print(f"!! {name}: the number of queries changes with the depth: {counts}", flush=True)
        out += rows
    return out


# --- The batch -------------------------------------------------------------------------------


def undo_batches() -> None:
    """Back to 10,000 approved claims and no batch (audit events stay: append-only)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            """
            DELETE FROM claims_claimdecision WHERE action = 'batched';
            DELETE FROM claims_payoutline;
            DELETE FROM claims_payoutbatch;
            UPDATE claims_claim SET status = 'approved' WHERE status = 'in_batch';
            """
        )
        cur.execute("VACUUM ANALYZE claims_claim")
        cur.execute("VACUUM ANALYZE claims_payoutline")


def time_batch(rounds: int) -> list[dict]:
    from claims import bankfile
    from claims.services import payouts
    from mutualaid.tenancy.context import tenant_scope
    from mutualaid.tenancy.models import User
    from mutualaid.tenancy.scoping import actor_for

    finance = actor_for(User.objects.get(username="bench_finance"))
    out = []
    for _ in range(rounds):
        undo_batches()
        started = time.perf_counter()
        with tenant_scope(finance.tenant_id, origin="bench"):  # row-level security applies
            batch = payouts.batch_build(actor=finance, tenant_id=finance.tenant_id)
        build = time.perf_counter() - started
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            xlsx_rows = bankfile.write_xlsx(batch, Path(tmp) / "bank.xlsx")
            xlsx = time.perf_counter() - started
            started = time.perf_counter()
            csv_rows = bankfile.write_csv(batch, Path(tmp) / "bank.csv")
            csv_seconds = time.perf_counter() - started
            sizes = {p.suffix: p.stat().st_size for p in Path(tmp).iterdir()}
        row = {
            "claims": batch.line_count,
            "total": str(batch.total),
            "build_s": round(build, 2),
            "xlsx_s": round(xlsx, 2),
            "csv_s": round(csv_seconds, 2),
            "all_s": round(build + xlsx + csv_seconds, 2),
            "xlsx_rows": xlsx_rows,
            "csv_rows": csv_rows,
            "xlsx_kb": sizes[".xlsx"] // 1024,
            "csv_kb": sizes[".csv"] // 1024,
            "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        }
        print(json.dumps(row, ensure_ascii=False), flush=True)
        out.append(row)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--claims", type=int, default=200_000)
    parser.add_argument("--per-unit", type=int, default=50)
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page")
    parser.add_argument("--rounds", type=int, default=3, help="batch builds")
    parser.add_argument("--reuse", action="store_true", help="keep the generated tenant")
    parser.add_argument("--skip-lists", action="store_true")
    parser.add_argument("--skip-batch", action="store_true")
    add_db_argument(parser, BENCH_DB)
    args = parser.parse_args()
    print(machine_line(), file=sys.stderr)
    open_database(args.db, reuse=args.reuse)
    if not args.reuse:
        facts = generate(members=args.members, claims=args.claims, per_unit=args.per_unit)
        print(json.dumps(facts, ensure_ascii=False), flush=True)

    from django.db import connection
    from django.urls import reverse

    with connection.cursor() as cur:
        cur.execute("ANALYZE claims_claim")
        cur.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'claims_claim' ORDER BY indexname"
        )
        print(json.dumps({"claim_indexes": [name for (name,) in cur.fetchall()]}), flush=True)

    reverse("api-claim-list")  # the URLconf loaded once, as in a running server
    undo_batches()  # an earlier run's last batch: its 10,000 claims approved again
    if not args.skip_lists:
        time_lists(args.runs)
    if not args.skip_batch:
        time_batch(args.rounds)


if __name__ == "__main__":
    main()
