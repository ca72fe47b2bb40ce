"""Member self-service: "my cover" and "my claims" (``/me/cover/``, ``/me/claims/``) for a
sample of members of the 1,000,000-member bench tenant (issue 17: p95 ≤ 100 ms).

    .venv/bin/python bench/bench_member.py --db memberdoor_bench                # generate, time
    .venv/bin/python bench/bench_member.py --db memberdoor_bench --reuse        # time again
    .venv/bin/python bench/bench_member.py --db memberdoor_bench --members 200000 --claims 40000

The tenant is ``bench_claims``'s (``generate``: units, members, claims in mixed states
with their decisions), plus what a member's cover reads: one in-force enrolment per unit,
a policy per member (2 shares) and its share tranche, written set-based like
``bench_renewals``. Then, for ``--sample`` members (half of them with a claim), each page
is requested ``--runs`` times through Django's test client with the member's session:
the whole request — session, the tenancy scope under row-level security (the
application role, ``mutualaid.tenant_id``), the member, the page's queries, the
template. Prints p50/p95 per page, the queries per request, the plans of the page's
queries (EXPLAIN) and the CPU others used meanwhile (``benchdb.Meter``).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.benchdb import (  # noqa: E402
    Meter,
    add_db_argument,
    checkpoint,
    cover_every_member,
    machine_line,
    open_database,
)

BENCH_DB = "bench_member"


def add_cover() -> dict:
    """One in-force enrolment per unit, one policy per member, one tranche per policy."""
    from django.db import connection

    from mutualaid.tenancy.models import Tenant
    from plans.models import Plan

    started = time.perf_counter()
    tenant = Tenant.objects.get(slug="bench-claims")
    plan = Plan.objects.filter(tenant=tenant).first()
    version = plan.versions.order_by("number").first()
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO enrolment_enrolment (id, tenant_id, unit_id, organisation_id, plan_id,
                plan_version_id, exclusive_group, kind, status, start_date, end_date,
                funding_mode, administration_amount, union_amount, member_amount,
                federation_amount, note, member_count, share_count, premium_total,
                return_reason, dropped, payment_date, coverage_start, coverage_end, created_at,
                updated_at, in_force_at)
            SELECT gen_random_uuid(), %(tenant)s, u.organisation_id, u.organisation_id,
                   %(plan)s, %(version)s, %(group)s, 'new', 'in_force', date '2026-03-16',
                   date '2027-03-15', 'union', 0, u.union_member_count * 80, 0, 0, '',
                   u.union_member_count, u.union_member_count * 2, u.union_member_count * 80,
                   '', '[]'::jsonb, date '2026-03-15', date '2026-03-16', date '2027-03-15',
                   now(), now(), now()
            FROM members_unit u WHERE u.tenant_id = %(tenant)s
            """,
            {
                "tenant": tenant.pk,
                "plan": plan.pk,
                "version": version.pk,
                "group": version.terms.get("exclusive_group") or "",
            },
        )
        made = cover_every_member(cur, tenant.pk, waiting_days=90)
        cur.execute("VACUUM ANALYZE")
        checkpoint(cur)
    return {"policies": made, "cover_seconds": round(time.perf_counter() - started, 1)}


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]


def sample_members(n: int, seed: int) -> list:
    from django.db import connection

    from claims.models import Claim
    from members.models import Member
    from mutualaid.tenancy.context import operator_bypass

    with operator_bypass("bench: choose the sample"):
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM members_member")
            (total,) = cur.fetchone()
        rnd = random.Random(seed)
        with_claims = list(
            Claim.objects.order_by("id").values_list("member_id", flat=True)[: n * 20]
        )
        rnd.shuffle(with_claims)
        chosen = list(dict.fromkeys(with_claims))[: n // 2]
        offsets = sorted(rnd.randrange(total) for _ in range(n - len(chosen)))
        for offset in offsets:
            chosen.append(Member.objects.order_by("id").values_list("id", flat=True)[offset])
        return list(Member.objects.filter(pk__in=chosen))


def explain(member) -> dict:
    from django.db import connection

    from claims.models import Claim
    from enrolment.models import Policy, PolicyStatus, ShareTranche
    from mutualaid.tenancy.context import tenant_scope

    plans = {}
    with tenant_scope(member.tenant_id, origin="bench"):
        policies = (
            Policy.objects.filter(tenant_id=member.tenant_id, member_id=member.pk)
            .exclude(status=PolicyStatus.CANCELLED)
            .select_related("plan", "plan_version", "organisation", "enrolment")
            .order_by("-start", "id")
        )
        ids = list(policies.values_list("id", flat=True))
        tranches = ShareTranche.objects.filter(tenant_id=member.tenant_id, policy_id__in=ids)
        claims = (
            Claim.objects.filter(tenant_id=member.tenant_id, member_id=member.pk)
            .select_related("plan", "report")
            .order_by("-created_at", "-id")
        )
        for name, qs in (("policies", policies), ("tranches", tranches), ("claims", claims)):
            sql, params = qs.query.sql_with_params()
            with connection.cursor() as cur:
                cur.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + sql, params)
                plans[name] = [row[0] for row in cur.fetchall()]
    return plans


def time_pages(members: list, runs: int) -> list[dict]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tests.isolation import member_session

    results = []
    clients = []
    for member in members:
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        member_session(client, member)
        clients.append(client)
    for name, url in (("my cover", "/me/cover/"), ("my claims", "/me/claims/")):
        for client in clients[:5]:
            assert client.get(url).status_code == 200  # warm
        times = []
        meter = Meter()
        meter.watch(connection)
        with meter, CaptureQueriesContext(connection) as captured:
            for _ in range(runs):
                for client in clients:
                    started = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, (url, response.status_code)
        results.append(
            {
                "page": name,
                "requests": len(times),
                "members": len(clients),
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(p95(times), 1),
                "max_ms": round(max(times), 1),
                "queries_per_request": round(len(captured) / len(times), 2),
                **meter.as_dict(),
            }
        )
        print(json.dumps(results[-1], ensure_ascii=False), flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--claims", type=int, default=200_000)
    parser.add_argument("--per-unit", type=int, default=50)
    parser.add_argument("--sample", type=int, default=100, help="members timed")
    parser.add_argument("--runs", type=int, default=3, help="requests per member and page")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--reuse", action="store_true", help="keep the generated tenant")
    add_db_argument(parser, BENCH_DB)
    args = parser.parse_args()
    print(machine_line(), file=sys.stderr)
    open_database(args.db, reuse=args.reuse)
    if not args.reuse:
        from bench.bench_claims import generate

        facts = generate(members=args.members, claims=args.claims, per_unit=args.per_unit)
        facts.update(add_cover())
        print(json.dumps(facts, ensure_ascii=False), flush=True)
    members = sample_members(args.sample, args.seed)
    print(json.dumps({"explain": explain(members[0])}, ensure_ascii=False), flush=True)
    time_pages(members, args.runs)


if __name__ == "__main__":
    main()
