"""What row-level security costs a query: the same SQL, on the same connection and data, as
the owner (no policy) and as the application role in the tenant's scope, alternating.

    .venv/bin/python bench/bench_claims.py --members 100000 --claims 20000   # makes the data
    .venv/bin/python bench/bench_rls.py --db bench_claims --runs 200

Alternating the two modes query by query on one connection cancels most of what else the
machine does; the figure is each query's median server round trip in each mode and their
ratio. The queries are the lists people wait on: the reviewer queue, claim search, the
member list and the office's claim figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="bench_claims", help="a database bench_claims filled")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument(
        "--refresh",
        type=int,
        default=0,
        help="also time the statistics refresh this many times in each mode (a database "
        "bench_stats.py filled: --db bench_stats)",
    )
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/x").rpartition("/")[0]
    os.environ["DATABASE_URL"] = f"{base}/{args.db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings_test")
    import django

    django.setup()
    from django.db import connection

    from claims import selectors
    from members.models import Member
    from mutualaid.tenancy.context import tenant_scope
    from mutualaid.tenancy.models import User
    from mutualaid.tenancy.scoping import actor_for

    if args.refresh:
        return time_refresh(args)
    reviewer = actor_for(User.objects.get(username="bench_reviewer"))
    admin = actor_for(User.objects.get(username="bench_admin"))
    tenant = reviewer.tenant_id

    def sql_of(qs) -> tuple[str, list]:
        sql, params = qs.query.sql_with_params()
        return sql, list(params)

    queue_qs, order = selectors.claim_list(
        actor=reviewer, filters=selectors.QueueFilters(status="review")
    )
    search_qs, search_order = selectors.claim_list(
        actor=admin, filters=selectors.QueueFilters(q="职工12")
    )
    queries = {
        "reviewer queue, first page": sql_of(queue_qs.order_by(*order)[:51]),
        "claim search by name prefix": sql_of(search_qs.order_by(*search_order)[:51]),
        "member list, first page": sql_of(
            Member.objects.for_actor(admin).order_by("name", "id")[:51]  # as member_page
        ),
        "claims by status (office figures)": (
            "SELECT status, count(*), sum(approved_amount) FROM claims_claim "
            "WHERE tenant_id = %s GROUP BY status",
            [tenant],
        ),
    }
    results = []
    with connection.cursor() as cursor:
        for name, (sql, params) in queries.items():
            owner, app = [], []
            for _ in range(args.runs):
                for mode, times in (("owner", owner), ("app", app)):
                    if mode == "app":
                        with tenant_scope(tenant, origin="bench"):
                            started = time.perf_counter()
                            cursor.execute(sql, params)
                            rows = len(cursor.fetchall())
                            times.append((time.perf_counter() - started) * 1000)
                    else:
                        started = time.perf_counter()
                        cursor.execute(sql, params)
                        rows_owner = len(cursor.fetchall())
                        times.append((time.perf_counter() - started) * 1000)
            assert rows == rows_owner, (name, rows, rows_owner)
            results.append(
                {
                    "query": name,
                    "rows": rows,
                    "owner_median_ms": round(statistics.median(owner), 2),
                    "app_rls_median_ms": round(statistics.median(app), 2),
                    "ratio": round(statistics.median(app) / statistics.median(owner), 3),
                }
            )
    with open("/proc/loadavg") as load:
        print(json.dumps({"db": args.db, "runs": args.runs, "load": load.read().split()[:3]}))
    for row in results:
        print(json.dumps(row, ensure_ascii=False))


def time_refresh(args) -> None:
    """The nightly summary refresh of the bench tenant, as the owner and in the tenant's
    scope, alternating (the same data, the same result)."""
    import datetime as dt

    from django.db import transaction

    from mutualaid.tenancy.context import operator_bypass, tenant_scope
    from mutualaid.tenancy.models import Tenant
    from stats.refresh import summaries_refresh

    tenant = Tenant.objects.get(slug="bench-stats").pk
    as_of = dt.date(2026, 11, 30)
    owner, app = [], []
    for _ in range(args.refresh):
        for mode, times in (("owner", owner), ("app", app)):
            scope = (
                operator_bypass("bench: the refresh as the owner")
                if mode == "owner"
                else tenant_scope(tenant, origin="bench")
            )
            with scope, transaction.atomic():
                started = time.perf_counter()
                summaries_refresh(tenant_id=tenant, as_of=as_of)
                times.append(time.perf_counter() - started)
    with open("/proc/loadavg") as load:
        print(json.dumps({"db": args.db, "runs": args.refresh, "load": load.read().split()[:3]}))
    print(
        json.dumps(
            {
                "refresh_owner_median_s": round(statistics.median(owner), 3),
                "refresh_app_rls_median_s": round(statistics.median(app), 3),
                "ratio": round(statistics.median(app) / statistics.median(owner), 3),
            }
        )
    )


if __name__ == "__main__":
    main()
