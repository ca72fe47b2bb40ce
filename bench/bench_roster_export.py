"""Roster export against the real database: rows/s, and the memory the export adds on top of
Django with this project's apps, at several sizes.

    .venv/bin/python bench/bench_roster_export.py --db pdffast_bench --sizes 10000,100000,1000000
    .venv/bin/python bench/bench_roster_export.py --db pdffast_bench --reuse --sizes 10000 \
        --tracemalloc 10000,100000

SPEC §14 wants ≥ 15,000 rows/s with memory flat at any size; issue 19 asks what the export
adds on top of the ~86 MiB that Django with the apps takes (target ≤ 10 MiB, flat from
10,000 to 1,000,000 rows). The script makes a scratch database (``--db``, migrated) and
fills it with set-based SQL (``generate``: units, members with Chinese names, enrolments,
one policy each) with as many policies as the largest size; ``--reuse`` keeps it. Then, for each
size, a fresh child process loads Django, signs in the office administrator and runs the
export's own code (enrolment.exports: ``policy_rows`` for the actor, in the tenant's scope
so row-level security applies, ``iter_values`` through a server-side cursor, ``_labelled``,
``write_xlsx``) on the first ``size`` policies in the export's order. The child reports its
resident memory just before the export (the baseline: Django, the apps, the connection)
and its peak during the export (VmHWM, reset just before through /proc/self/clear_refs so
Django's start-up peak does not count); the difference is what the export adds.
``--tracemalloc SIZES`` runs those sizes once more with tracemalloc (slower; its peak is the Python
objects the export held at once). Meter fields per run: own CPU, the database server's CPU,
the CPU the rest of the machine used meanwhile, load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.benchdb import add_db_argument, cover_every_member, machine_line, open_database  # noqa: E402

BENCH_DB = "bench_roster_export"
ADMIN = "bench_export_admin"


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def max_rss_mib() -> float:
    """Peak resident memory since the last ``reset_peak`` (VmHWM), else since the start."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def reset_peak() -> bool:
    """Start VmHWM afresh (Linux ≥ 4.0): Django's start-up peak must not hide the export's."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        return False
    return True


def child(size: int, path: str, trace: bool) -> None:
    """One export of the first ``size`` policies; prints a JSON line."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings_test")
    import django

    django.setup()
    from django.db import connection
    from django.utils import translation

    from bench.benchdb import Meter
    from enrolment import exports
    from mutualaid.core.xlsx import iter_values, write_xlsx
    from mutualaid.tenancy.context import tenant_scope
    from mutualaid.tenancy.models import User
    from mutualaid.tenancy.scoping import actor_for

    with tenant_scope(None, origin="bench"):
        user = User.objects.get(username=ADMIN)
    actor = actor_for(user)
    with translation.override("zh-hans"), tenant_scope(actor.tenant_id, origin="bench"):
        qs = exports.policy_rows(actor=actor)[:size]
        connection.ensure_connection()
        if trace:
            import tracemalloc

            tracemalloc.start()
        peak_before = max_rss_mib()
        reset = reset_peak()
        baseline = rss_mib()
        counts = {"full": 0}
        meter = Meter()
        meter.watch(connection)
        with meter:
            rows = exports._labelled(
                iter_values(qs, exports.PATHS), full_prefix=None, counts=counts
            )
            written = write_xlsx(
                path=path,
                rows=rows,
                columns=exports.export_columns(),
                sheet_name="花名册",
                progress=lambda n: None,
                progress_every=2000,
            )
        traced = None
        if trace:
            traced = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
    peak = max_rss_mib()
    print(
        json.dumps(
            {
                "rows": written,
                "baseline_rss_mib": round(baseline, 1),
                "peak_rss_mib": round(peak, 1),
                "startup_peak_mib": round(peak_before, 1),
                "peak_reset": reset,
                "added_mib": round(peak - baseline, 1),
                "tracemalloc_peak_mib": None if traced is None else round(traced, 1),
                "file_mib": round(Path(path).stat().st_size / 2**20, 1),
                **meter.as_dict(),
            }
        )
    )


def run_child(db: str, size: int, path: str, trace: bool) -> dict:
    env = {**os.environ}
    process = subprocess.run(
        [sys.executable, __file__, "--child", str(size), path, "trace" if trace else "plain"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(process.stdout.strip().splitlines()[-1])


def generate(*, policies: int, per_unit: int) -> dict:
    """One tenant: an office, units of ``per_unit`` members, one enrolment in force per unit
    in 职工指定疾病(手术) and one policy (with its tranche) per member, by set-based SQL."""
    from django.db import connection

    from bench.benchdb import checkpoint
    from mutualaid.accounts.services import tenant_create
    from plans.demo import load_seed_plan

    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐韦覃蒙陆欧阳"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志文"
    units = max(1, policies // per_unit)
    started = time.perf_counter()
    tenant, office = tenant_create(
        name="导出基准办事处", slug="bench", office_name="导出基准办事处"
    )
    plan, _ = load_seed_plan("gx_designated_disease", tenant=tenant, owner=office)
    version = plan.versions.get()
    start, end = dt.date(2026, 3, 16), dt.date(2027, 3, 15)
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    with connection.cursor() as cur:
        cur.execute(
            f"""
            CREATE TEMP TABLE gen_unit AS
            SELECT i, gen_random_uuid() AS id, %(root)s
                || substr('{digits}', (i / 46656) %% 36 + 1, 1)
                || substr('{digits}', (i / 1296) %% 36 + 1, 1)
                || substr('{digits}', (i / 36) %% 36 + 1, 1)
                || substr('{digits}', i %% 36 + 1, 1) AS path
            FROM generate_series(1, %(units)s) AS i
            """,
            {"root": office.path, "units": units},
        )
        cur.execute(
            """
            INSERT INTO tenancy_organisation (id, tenant_id, path, depth, numchild, name, kind,
                code, created_at)
            SELECT id, %s, path, 2, 0, '南宁市第' || i || '中学工会', 'unit', 'B' || i, now()
            FROM gen_unit
            """,
            [tenant.pk],
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
            INSERT INTO members_member (id, tenant_id, unit_id, organisation_id, name, id_number,
                sex, birth_date, phone, category, employment_status, is_union_member,
                created_at, updated_at)
            SELECT gen_random_uuid(), %(tenant)s, u.id, u.id,
                   substr(%(surnames)s, m %% 31 + 1, 1) || substr(%(given)s, (m / 31) %% 40 + 1, 1)
                       || substr(%(given)s, (m / 1240) %% 40 + 1, 1),
                   '450' || lpad((m / 16000)::text, 3, '0')
                       || to_char(date '1960-01-01' + (m %% 16000), 'YYYYMMDD')
                       || lpad((m %% 1000)::text, 3, '0') || (m %% 10)::text,
                   CASE WHEN m %% 2 = 0 THEN 'female' ELSE 'male' END,
                   date '1960-01-01' + (m %% 16000), '', 'worker', 'in_service', true, now(), now()
            FROM generate_series(0, %(n)s - 1) AS m
            JOIN gen_unit u ON u.i = m / %(per_unit)s + 1
            """,
            {
                "tenant": tenant.pk,
                "n": units * per_unit,
                "per_unit": per_unit,
                "surnames": surnames,
                "given": given,
            },
        )
        cur.execute(
            """
            INSERT INTO enrolment_enrolment (id, tenant_id, unit_id, organisation_id, plan_id,
                plan_version_id, exclusive_group, kind, status, start_date, end_date,
                funding_mode, administration_amount, union_amount, member_amount,
                federation_amount, note, member_count, share_count, premium_total,
                return_reason, dropped, payment_date, coverage_start, coverage_end, created_at,
                updated_at, in_force_at)
            SELECT gen_random_uuid(), %(tenant)s, u.id, u.id, %(plan)s, %(version)s, %(group)s,
                   'new', 'in_force', %(start)s, %(end)s, 'union', 0, %(per_unit)s * 80, 0, 0,
                   '', %(per_unit)s, %(per_unit)s * 2, %(per_unit)s * 80, '', '[]'::jsonb,
                   %(start)s::date - 1, %(start)s, %(end)s, now(), now(), now()
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
        made = cover_every_member(cur, tenant.pk, waiting_days=120)
        cur.execute("VACUUM ANALYZE")
        checkpoint(cur)
    return {"units": units, "policies": made, "seconds": round(time.perf_counter() - started, 1)}


def make_admin() -> None:
    from mutualaid.tenancy.context import tenant_scope
    from mutualaid.tenancy.models import Organisation, Role, Staff, Tenant, User

    with tenant_scope(None, origin="bench"):
        tenant = Tenant.objects.get(slug="bench")
    with tenant_scope(tenant.pk, origin="bench"):
        if User.objects.filter(username=ADMIN).exists():
            return
        office = Organisation.objects.get(tenant=tenant, depth=1)
        user = User.objects.create_user(username=ADMIN, password=None, display_name="导出基准")
        Staff.objects.create(
            user=user, tenant=tenant, organisation=office, roles=[Role.OFFICE_ADMIN]
        )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(int(sys.argv[2]), sys.argv[3], sys.argv[4] == "trace")
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--per-unit", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="keep the generated data")
    parser.add_argument(
        "--tracemalloc",
        default="",
        help="sizes to run once more under tracemalloc (slow), e.g. 10000,100000",
    )
    add_db_argument(parser, BENCH_DB)
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    print(machine_line(), file=sys.stderr)
    open_database(args.db, reuse=args.reuse)
    if not args.reuse:
        facts = generate(policies=max(sizes), per_unit=args.per_unit)
        print(json.dumps({"generated": facts}), flush=True)
    make_admin()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            path = str(Path(tmp) / f"roster-{size}.xlsx")
            started = time.perf_counter()
            report = run_child(args.db, size, path, trace=False)
            report["rows_per_second"] = round(report["rows"] / report["seconds"])
            # What a quiet machine would give: rows per CPU-second of the export's process
            # plus its database session (the two run one after the other).
            busy = report["own_cpu_seconds"] + (report["server_cpu_seconds"] or 0)
            report["rows_per_cpu_second"] = round(report["rows"] / busy)
            report["child_wall_seconds"] = round(time.perf_counter() - started, 1)
            results.append({"size": size, **report})
            print(json.dumps(results[-1], ensure_ascii=False), flush=True)
        for size in [int(x) for x in args.tracemalloc.split(",") if x]:
            path = str(Path(tmp) / f"roster-{size}-traced.xlsx")
            report = run_child(args.db, size, path, trace=True)
            print(json.dumps({"size": size, "traced": True, **report}), flush=True)
    print(machine_line(), file=sys.stderr)


if __name__ == "__main__":
    main()
