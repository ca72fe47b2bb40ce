"""Statistics dashboards on a generated tenant: render time of every office dashboard.

    .venv/bin/python bench/bench_stats.py                       # generate, refresh, time
    .venv/bin/python bench/bench_stats.py --reuse               # same data: refresh, time
    .venv/bin/python bench/bench_stats.py --generate-only       # just the data

SPEC §14 / issue 7: every dashboard of the office node renders in ≤ 500 ms on a tenant of
5,000,000 members, 10,000,000 policies and 1,000,000 claims. The script makes a fresh
database (``bench_stats`` on the server of DATABASE_URL, default the local one), migrates
it, and generates the tenant with set-based SQL (``bench/stats_gen.py``). Then it times
the summary refresh (``stats.refresh.summaries_refresh``, the nightly job) and each
dashboard page of the office, a city and a county through Django's test client (the whole
request: middleware, session, queries, template), warm, ``--runs`` times each.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.benchdb import add_db_argument, checkpoint, machine_line, open_database  # noqa: E402

BENCH_DB = "bench_stats"


def personas(tenant):
    """An office admin, a cadre of the first city and one of its first county (made once)."""
    from mutualaid.tenancy.models import Organisation, Role, Staff, User

    out = {}
    office = Organisation.objects.get(tenant=tenant, depth=1)
    city = Organisation.objects.filter(tenant=tenant, depth=2).order_by("path").first()
    county = (
        Organisation.objects.filter(tenant=tenant, depth=3, path__startswith=city.path)
        .order_by("path")
        .first()
    )
    for key, node, role in (
        ("office", office, Role.OFFICE_ADMIN),
        ("city", city, Role.CADRE),
        ("county", county, Role.CADRE),
    ):
        user, created = User.objects.get_or_create(
            username=f"bench_stats_{key}", defaults={"display_name": key}
        )
        if created:
            Staff.objects.create(user=user, tenant=tenant, organisation=node, roles=[role])
        out[key] = (user, node)
    return out


def time_pages(pages, user, runs: int) -> list[dict]:
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")

    def body(response) -> bytes:
        # A download streams: the time counts until its last byte is produced.
        return b"".join(response.streaming_content) if response.streaming else response.content

    results = []
    for name, url in pages:
        response = client.get(url)  # warm: templates compiled, connection open
        assert response.status_code == 200, (url, response.status_code)
        body(response)
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(url)
            size = len(body(response))
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        timings.sort()
        results.append(
            {
                "page": name,
                "url": url,
                "median_ms": round(statistics.median(timings), 1),
                "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 1),
                "max_ms": round(timings[-1], 1),
                "bytes": size,
            }
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=5_000_000)
    parser.add_argument("--policies", type=int, default=10_000_000)
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--per-unit", type=int, default=50)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="keep the generated tenant")
    parser.add_argument("--generate-only", action="store_true")
    add_db_argument(parser, BENCH_DB)
    args = parser.parse_args()
    facts: dict = {}
    print(machine_line(), file=sys.stderr)
    open_database(args.db, reuse=args.reuse)
    if not args.reuse:
        from bench.stats_gen import generate

        facts = generate(
            members=args.members, policies=args.policies, claims=args.claims, per_unit=args.per_unit
        )
        checkpoint()
        print(json.dumps(facts, ensure_ascii=False), flush=True)
    if args.generate_only:
        return

    from bench.stats_pages import run

    print(json.dumps(run(runs=args.runs, facts=facts), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
