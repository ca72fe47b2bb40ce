"""The work inbox (the staff home page) of the office admin and of a reviewer on the bench
tenant: 1,000,000 members, 200,000 claims (``bench_claims.generate``), one enrolment in force
per unit and a few thousand waiting at each step, notifications for the reviewer.

    .venv/bin/python bench/bench_inbox.py                       # generate, then time
    .venv/bin/python bench/bench_inbox.py --reuse --runs 50     # same data, time again

Issue 15: the office admin's and a reviewer's home p95 ≤ 150 ms for the whole request, with
a query count that does not grow with the data. Each home is requested ``--runs`` times
warm through Django's test client (session, actor, the inbox's sources, the scope counts,
the recent activity, the template), and the header's unread badge (``/notifications/badge/``)
likewise; the script prints p95, median and the queries per request, then the same again
after adding as many waiting enrolments again (the query count must not move).

The database is ``bench_inbox`` on the server of DATABASE_URL (dropped and made again unless
``--reuse``).
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

from bench.bench_claims import generate as generate_claims  # noqa: E402
from bench.bench_claims import p95  # noqa: E402
from bench.benchdb import add_db_argument, checkpoint, machine_line, open_database  # noqa: E402

BENCH_DB = "bench_inbox"
#: Waiting enrolments per step (draft, sent back, submitted, checked, accepted).
WAITING = 400


def add_enrolments(*, waiting: int, offset: int = 0) -> dict:
    """One enrolment in force per unit (on the first run), and ``waiting`` at each step of
    the workflow, on units from ``offset`` on; set-based."""
    from django.db import connection

    from mutualaid.tenancy.models import Tenant
    from plans.models import PlanVersion

    tenant = Tenant.objects.get(slug="bench-claims")
    version = PlanVersion.objects.filter(tenant=tenant).order_by("-valid_from").first()
    statuses = ["draft", "returned", "submitted", "checked", "accepted"]
    with connection.cursor() as cur:
        common = """
            INSERT INTO enrolment_enrolment (id, tenant_id, unit_id, organisation_id, plan_id,
                plan_version_id, exclusive_group, kind, status, start_date, end_date,
                funding_mode, administration_amount, union_amount, member_amount,
                federation_amount, note, member_count, share_count, premium_total,
                return_reason, dropped, payment_date, coverage_start, coverage_end, created_at,
                updated_at, submitted_at, checked_at, accepted_at, returned_at, in_force_at)
            SELECT gen_random_uuid(), %(tenant)s, o.id, o.id, %(plan)s, %(version)s, '', 'new',
                   {status}, date '2026-03-16', date '2027-03-15', 'union', 0, {premium}, 0, 0,
                   '', 50, 50, {premium}, {reason}, '[]'::jsonb, {paid}, {start}, {end},
                   now() - make_interval(days => (o.n %% 200)::int), now(),
                   {submitted}, {checked}, {accepted}, {returned}, {in_force}
            FROM (SELECT id, row_number() OVER (ORDER BY path) AS n FROM tenancy_organisation
                  WHERE tenant_id = %(tenant)s AND kind = 'unit') o
            WHERE {where}
        """
        made = {}
        if offset == 0:
            cur.execute(
                common.format(
                    status="'in_force'",
                    premium="1000",
                    reason="''",
                    paid="date '2026-03-15'",
                    start="date '2026-03-16'",
                    end="date '2027-03-15'",
                    submitted="now() - interval '300 days'",
                    checked="now() - interval '299 days'",
                    accepted="now() - interval '298 days'",
                    returned="NULL",
                    in_force="now() - interval '290 days'",
                    where="true",
                ),
                {"tenant": tenant.pk, "plan": version.plan_id, "version": version.pk},
            )
            made["in_force"] = cur.rowcount
        for k, status in enumerate(statuses):
            first = offset + k * waiting
            at = "now() - make_interval(hours => (o.n %% 500)::int)"
            cur.execute(
                common.format(
                    status=f"'{status}'",
                    premium="1000",
                    reason="'缺少单位盖章'" if status == "returned" else "''",
                    paid="NULL",
                    start="NULL",
                    end="NULL",
                    submitted=at if status != "draft" else "NULL",
                    checked=at if status in ("checked", "accepted") else "NULL",
                    accepted=at if status == "accepted" else "NULL",
                    returned=at if status == "returned" else "NULL",
                    in_force="NULL",
                    where=f"o.n > {first} AND o.n <= {first + waiting}",
                ),
                {"tenant": tenant.pk, "plan": version.plan_id, "version": version.pk},
            )
            made[status] = made.get(status, 0) + cur.rowcount
        cur.execute("ANALYZE enrolment_enrolment")
    return made


def add_notifications(username: str, count: int) -> int:
    from django.db import connection

    from mutualaid.tenancy.models import Staff

    staff = Staff.objects.select_related("organisation").get(user__username=username)
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO notifications_notification (id, tenant_id, organisation_id, recipient_id,
                kind, params, link, key, created_at, read_at, emailed_at)
            SELECT gen_random_uuid(), %(tenant)s, %(org)s, %(user)s, 'claims.submitted',
                   jsonb_build_object('number', 'LP' || i, 'member', '职工' || i,
                                      'unit', '单位', 'amount', '1000.00'),
                   '/claims/', 'bench:' || i, now() - make_interval(mins => i),
                   CASE WHEN i %% 10 = 0 THEN NULL ELSE now() END, now()
            FROM generate_series(1, %(n)s) AS i
            """,
            {
                "tenant": staff.tenant_id,
                "org": staff.organisation_id,
                "user": staff.user_id,
                "n": count,
            },
        )
        made = cur.rowcount
        cur.execute("ANALYZE notifications_notification")
        return made


def time_page(username: str, url: str, runs: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from mutualaid.tenancy.models import User

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(
        User.objects.get(username=username), backend="django.contrib.auth.backends.ModelBackend"
    )
    for _ in range(3):  # warm
        assert client.get(url).status_code == 200
    times = []
    with CaptureQueriesContext(connection) as captured:
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
    return {
        "user": username,
        "url": url,
        "p95_ms": round(p95(times), 1),
        "median_ms": round(statistics.median(times), 1),
        "queries": len(captured) // runs,
    }


def inbox_counts(username: str) -> dict:
    from mutualaid.home.inbox import inbox_counts
    from mutualaid.tenancy.models import User
    from mutualaid.tenancy.scoping import actor_for

    return inbox_counts(actor_for(User.objects.get(username=username)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--claims", type=int, default=200_000)
    parser.add_argument("--per-unit", type=int, default=50)
    parser.add_argument("--notifications", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--reuse", action="store_true", help="keep the generated tenant")
    parser.add_argument(
        "--no-grow", action="store_true", help="skip the second round (more waiting enrolments)"
    )
    add_db_argument(parser, BENCH_DB)
    args = parser.parse_args()
    print(machine_line(), file=sys.stderr)
    open_database(args.db, reuse=args.reuse)
    if not args.reuse:
        facts = generate_claims(members=args.members, claims=args.claims, per_unit=args.per_unit)
        facts["enrolments"] = add_enrolments(waiting=WAITING)
        facts["notifications"] = add_notifications("bench_reviewer", args.notifications)
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
            checkpoint(cur)
        print(json.dumps(facts, ensure_ascii=False), flush=True)

    from django.urls import reverse

    reverse("home")
    for round_name in ("as found", "more enrolments waiting"):
        if round_name != "as found":
            if args.no_grow:
                break
            from enrolment.models import Enrolment

            # Each run adds WAITING more at each step, on units that have none yet.
            offset = Enrolment.objects.exclude(status="in_force").count()
            add_enrolments(waiting=WAITING, offset=offset)
        for username in ("bench_admin", "bench_reviewer"):
            print(
                json.dumps(
                    {
                        "round": round_name,
                        "inbox": inbox_counts(username),
                        **time_page(username, "/", args.runs),
                    },
                    ensure_ascii=False,
                ),
                flush=True,
            )
        print(
            json.dumps(
                {
                    "round": round_name,
                    **time_page("bench_reviewer", reverse("notifications:badge"), args.runs),
                },
                ensure_ascii=False,
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
