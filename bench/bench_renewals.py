"""Renewal preparation: policies/s of the daily renewal run on a generated tenant.

    .venv/bin/python bench/bench_renewals.py --policies 1000000 --per-unit 20

SPEC §14 wants ≥ 50,000 policies/s. The script makes a fresh database (``bench_renewals``
on the server of DATABASE_URL, default the local one), migrates it, and generates with
set-based SQL (``generate_series``, INSERT … SELECT) one tenant: an office, units of
``--per-unit`` members each with one agent, the members, one enrolment in force per unit
in 职工指定疾病(手术) ending in 10 days, and one policy (with its tranche) per member; 2% of
the members left and 1% died, so the run has reasons to write. Then it times
``premiums.renewals.renewals_run`` (drafts, roster lines, queue rows, notifications,
audit events: one transaction) and runs it again to show the second run is a no-op.
With the server on the same (Linux) machine it also prints the server's CPU seconds for the
run and those used by everything else meanwhile: on a shared machine, read the wall time
only when the latter is near 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path
from types import SimpleNamespace

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.benchdb import (  # noqa: E402
    add_db_argument,
    checkpoint,
    machine_busy_seconds,
    machine_line,
    open_database,
    server_cpu_seconds,
)

BENCH_DB = "bench_renewals"


def generate(*, policies: int, per_unit: int, end: dt.date) -> dict:
    from django.db import connection

    from mutualaid.accounts.services import tenant_create
    from plans.demo import load_seed_plan

    units = max(1, policies // per_unit)
    started = time.perf_counter()
    tenant, office = tenant_create(
        name="基准测试办事处", slug="bench", office_name="基准测试办事处"
    )
    plan, _ = load_seed_plan("gx_designated_disease", tenant=tenant, owner=office)
    version = plan.versions.get()
    start = end.replace(year=end.year - 1) + dt.timedelta(days=1)
    with connection.cursor() as cur:
        # Units under the office; treebeard paths: the office's + 4 base-36 digits.
        cur.execute(
            """
            CREATE TEMP TABLE gen_unit AS
            SELECT i, gen_random_uuid() AS id,
                   %(root)s || lpad(upper(
                       substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', (i / 46656) %% 36 + 1, 1) ||
                       substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', (i / 1296) %% 36 + 1, 1) ||
                       substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', (i / 36) %% 36 + 1, 1) ||
                       substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', i %% 36 + 1, 1)), 4,
                           '0') AS path
            FROM generate_series(1, %(units)s) AS i
            """,
            {"root": office.path, "units": units},
        )
        cur.execute(
            """
            INSERT INTO tenancy_organisation (id, tenant_id, path, depth, numchild, name, kind,
                code, created_at)
            SELECT id, %(tenant)s, path, 2, 0, '基准单位' || i || '工会', 'unit', 'B' || i,
                now() FROM gen_unit
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
        # One agent per unit (the run notifies them).
        cur.execute(
            """
            INSERT INTO tenancy_user (id, password, is_superuser, username, first_name,
                last_name, email,
                is_staff, is_active, date_joined, display_name, phone)
            SELECT gen_random_uuid(), '!', false, 'bench_agent_' || i, '', '', '', false, true,
                now(), '代办' || i, ''
            FROM gen_unit
            """
        )
        cur.execute(
            """
            INSERT INTO tenancy_staff (user_id, tenant_id, organisation_id, roles)
            SELECT us.id, %s, u.id, ARRAY['agent']::varchar[]
            FROM gen_unit u JOIN tenancy_user us ON us.username = 'bench_agent_' || u.i
            """,
            [tenant.pk],
        )
        # Members: per_unit in each unit; 2% left, 1% died.
        cur.execute(
            """
            INSERT INTO members_member (id, tenant_id, unit_id, organisation_id, name,
                id_number, sex, birth_date,
                phone, category, employment_status, is_union_member, created_at, updated_at)
            SELECT gen_random_uuid(), %(tenant)s, u.id, u.id, '职工' || m, '45' || lpad(m::text,
                16, '0'),
                   CASE WHEN m %% 2 = 0 THEN 'female' ELSE 'male' END,
                   date '1970-01-01' + (m %% 12000), '', 'worker',
                   CASE WHEN m %% 100 < 2 THEN 'left' WHEN m %% 100 = 2 THEN 'died'
                        ELSE 'in_service' END,
                   true, now(), now()
            FROM generate_series(0, %(n)s - 1) AS m
            JOIN gen_unit u ON u.i = m / %(per_unit)s + 1
            """,
            {"tenant": tenant.pk, "n": units * per_unit, "per_unit": per_unit},
        )
        cur.execute(
            """
            INSERT INTO enrolment_enrolment (id, tenant_id, unit_id, organisation_id, plan_id,
                plan_version_id,
                exclusive_group, kind, status, start_date, end_date, funding_mode,
                    administration_amount,
                union_amount, member_amount, federation_amount, note, member_count, share_count,
                    premium_total,
                return_reason, dropped, payment_date, coverage_start, coverage_end, created_at,
                    updated_at,
                in_force_at)
            SELECT gen_random_uuid(), %(tenant)s, u.id, u.id, %(plan)s, %(version)s, %(group)s,
                'new', 'in_force',
                   %(start)s, %(end)s, 'union', 0, %(per_unit)s * 80, 0, 0, '', %(per_unit)s,
                       %(per_unit)s * 2,
                   %(per_unit)s * 80, '', '[]'::jsonb, %(start)s::date - 1, %(start)s, %(end)s,
                       now(), now(), now()
            FROM gen_unit u
            """,
            {
                "tenant": tenant.pk,
                "plan": plan.pk,
                "version": version.pk,
                "group": version.terms.get("exclusive_group") or "",
                "start": start,
                "end": end,
                "per_unit": per_unit,
            },
        )
        cur.execute(
            """
            INSERT INTO enrolment_policy (id, tenant_id, organisation_id, unit_id, member_id,
                enrolment_id, plan_id,
                plan_version_id, exclusive_group, shares, tier, start, "end", status,
                    end_reason, created_at)
            SELECT gen_random_uuid(), e.tenant_id, e.organisation_id, e.unit_id, m.id, e.id,
                e.plan_id,
                   e.plan_version_id, e.exclusive_group, 2, '', e.coverage_start,
                       e.coverage_end, 'in_force', '', now()
            FROM enrolment_enrolment e
            JOIN members_member m ON m.organisation_id = e.organisation_id
            WHERE e.tenant_id = %s
            """,
            [tenant.pk],
        )
        made = cur.rowcount
        cur.execute(
            """
            INSERT INTO enrolment_sharetranche (tenant_id, policy_id, shares, start, waiting_end)
            SELECT tenant_id, id, shares, start,
                start + 120 FROM enrolment_policy WHERE tenant_id = %s
            """,
            [tenant.pk],
        )
        cur.execute("VACUUM ANALYZE")
        checkpoint(cur)
    return {
        "units": units,
        "policies": made,
        "generate_seconds": round(time.perf_counter() - started, 1),
    }


def forget_last_run() -> dict:
    """Drop the drafts, queue rows and notifications of an earlier run (audit events stay:
    the log is append-only), so the same generated tenant can be timed again."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            """
            DELETE FROM notifications_notification;
            DELETE FROM premiums_renewal;
            DELETE FROM enrolment_statuschange WHERE enrolment_id IN
                (SELECT id FROM enrolment_enrolment WHERE kind = 'renewal');
            DELETE FROM enrolment_enrolmentline WHERE enrolment_id IN
                (SELECT id FROM enrolment_enrolment WHERE kind = 'renewal');
            DELETE FROM enrolment_enrolment WHERE kind = 'renewal';
            """
        )
        cur.execute("VACUUM ANALYZE")
        checkpoint(cur)
        cur.execute("SELECT count(*) FROM enrolment_policy")
        policies = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM enrolment_enrolment")
        units = cur.fetchone()[0]
    return {"units": units, "policies": policies, "generate_seconds": None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policies", type=int, default=1_000_000)
    parser.add_argument("--per-unit", type=int, default=20)
    parser.add_argument(
        "--parts", type=int, default=1, help="transactions side by side (RENEWAL_PARTS)"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep the generated tenant, drop last run's drafts"
    )
    add_db_argument(parser, BENCH_DB)
    args = parser.parse_args()
    today = dt.date(2026, 6, 1)
    print(machine_line(), file=sys.stderr)
    open_database(args.db, reuse=args.reuse)
    if args.reuse:
        facts = forget_last_run()
    else:
        facts = generate(
            policies=args.policies, per_unit=args.per_unit, end=today + dt.timedelta(days=10)
        )

    from django.urls import reverse

    from premiums.renewals import renewals_run

    reverse("premiums:renewal_list")  # load the URLconf once, as a running worker has
    runs = []
    server_cpu = []

    from mutualaid.tenancy.context import tenant_scope
    from mutualaid.tenancy.models import Tenant

    bench_tenant = Tenant.objects.get(slug="bench").pk

    def one(part: int) -> None:
        from django.db import connection

        try:
            before = server_cpu_seconds(connection)
            # As the beat task runs it: the tenant's scope, row-level security applies.
            with tenant_scope(bench_tenant, origin="bench"):
                runs.append(renewals_run(today=today, part=part, parts=args.parts))
            after = server_cpu_seconds(connection)
            server_cpu.append(None if before is None or after is None else after - before)
        finally:
            connection.close()

    # On a shared machine the wall time depends on what else runs: the server's CPU seconds
    # for the run, and what everything else used meanwhile, say how alone it ran.
    busy_before, python_before = machine_busy_seconds(), time.process_time()
    started = time.perf_counter()
    if args.parts == 1:
        one(0)
    else:  # one transaction per part, side by side (as RENEWAL_PARTS workers do)
        import threading

        threads = [threading.Thread(target=one, args=(p,)) for p in range(args.parts)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    seconds = time.perf_counter() - started
    busy_after, python_after = machine_busy_seconds(), time.process_time()
    server_seconds = None if None in server_cpu else sum(server_cpu)
    other_seconds = None
    if server_seconds is not None and busy_before is not None and busy_after is not None:
        other_seconds = max(
            0.0, busy_after - busy_before - server_seconds - (python_after - python_before)
        )
    run = SimpleNamespace(
        renewals=SimpleNamespace(
            **{
                k: sum(getattr(r.renewals, k) for r in runs)
                for k in ("prepared", "lines", "dropped", "policies")
            }
        ),
        notified=sum(r.notified for r in runs),
    )
    started = time.perf_counter()
    with tenant_scope(bench_tenant, origin="bench"):
        again = renewals_run(today=today)
    again_seconds = time.perf_counter() - started
    result = {
        **facts,
        "parts": args.parts,
        "renewals_prepared": run.renewals.prepared,
        "lines": run.renewals.lines,
        "dropped": run.renewals.dropped,
        "notified": run.notified,
        "seconds": round(seconds, 2),
        "policies_per_second": round(run.renewals.policies / seconds),
        # CPU seconds of the server processes doing the run, and used by anything else on
        # the machine during it (0: it ran alone; Linux with a local server only, else null).
        "server_cpu_seconds": None if server_seconds is None else round(server_seconds, 1),
        "other_cpu_seconds": None if other_seconds is None else round(other_seconds, 1),
        "second_run_prepared": again.renewals.prepared,
        "second_run_seconds": round(again_seconds, 2),
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
