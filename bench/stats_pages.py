"""The timing half of ``bench/bench_stats.py``: refresh the summaries, then time the pages."""

from __future__ import annotations

import datetime as dt
import time

AS_OF = dt.date(2026, 11, 25)
YEAR = 2026


def run(*, runs: int, facts: dict) -> dict:
    from django.db import connection
    from django.urls import reverse

    from bench.bench_stats import personas, time_pages
    from bench.benchdb import checkpoint
    from mutualaid.tenancy.context import tenant_scope
    from mutualaid.tenancy.models import Tenant
    from plans.models import Plan
    from stats import services
    from stats.refresh import summaries_refresh

    tenant = Tenant.objects.get(slug="bench-stats")
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM members_member WHERE tenant_id = %s", [tenant.pk])
        members = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM enrolment_policy WHERE tenant_id = %s", [tenant.pk])
        policies = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM claims_claim WHERE tenant_id = %s", [tenant.pk])
        claims = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM members_unit WHERE tenant_id = %s", [tenant.pk])
        units = cur.fetchone()[0]

    started = time.perf_counter()
    with tenant_scope(tenant.pk, origin="bench"):  # as the nightly task: row-level security
        result = summaries_refresh(tenant_id=tenant.pk, as_of=AS_OF)
    refresh_seconds = round(time.perf_counter() - started, 1)
    with connection.cursor() as cur:
        cur.execute(
            "ANALYZE stats_nodefigures; ANALYZE stats_unitfigures; ANALYZE stats_planyearreserve"
        )
    checkpoint()

    started = time.perf_counter()
    prepared = services.returns_prepare(tenant=tenant, year=2026, month=10)
    prepare_seconds = round(time.perf_counter() - started, 2)

    people = personas(tenant)
    reverse("stats:index")  # load the URLconf once, as a running server has
    results = {}
    for key in ("office", "city", "county"):
        user, node = people[key]
        pages = [
            ("overview", reverse("stats:dashboard", args=[node.pk]) + f"?year={YEAR}"),
            ("claims", reverse("stats:claims", args=[node.pk]) + f"?year={YEAR}"),
            ("coverage", reverse("stats:coverage", args=[node.pk])),
            ("blank spots", reverse("stats:blank_spots", args=[node.pk])),
        ]
        if key == "office":
            plan = Plan.objects.get(tenant=tenant, code="gx_comprehensive")
            pages += [
                (
                    "xlsx: claims by organisation",
                    reverse("stats:table_xlsx", args=[node.pk, "claims_by_node"]) + f"?year={YEAR}",
                ),
                ("xlsx: blank spots (all)", reverse("stats:blank_spots_xlsx", args=[node.pk])),
                ("fund statement", reverse("stats:fund_statement", args=[plan.pk, YEAR])),
                ("monthly returns", reverse("stats:return_list")),
                ("API: node figures", reverse("api-stats-node", args=[node.pk]) + f"?year={YEAR}"),
            ]
        results[key] = time_pages(pages, user, runs)
    return {
        **facts,
        "tenant_members": members,
        "tenant_policies": policies,
        "tenant_claims": claims,
        "tenant_units": units,
        "refresh_seconds": refresh_seconds,
        "node_rows": result.node_rows if result else None,
        "unit_rows": result.unit_rows if result else None,
        "returns_prepared": prepared,
        "returns_prepare_seconds": prepare_seconds,
        "pages": results,
    }
