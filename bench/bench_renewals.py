"""Renewal preparation: policies/s of the daily renewal run on a generated tenant, beside the
same-schema limit and a peer, in one run.

    .venv/bin/python bench/bench_renewals.py --policies 1000000 --per-unit 20 --parts 2 \
        --db NAME_bench

SPEC §14 wants ≥ 50,000 policies/s (issue 19: ≥ 100,000). The script makes a fresh database
(``--db``, on the server of DATABASE_URL), migrates it, and generates with set-based SQL
(``generate_series``, INSERT … SELECT) one tenant: an office, units of ``--per-unit``
members each with one agent, the members, one enrolment in force per unit in
职工指定疾病(手术) ending in 10 days, and one policy (with its tranche) per member; 2% of
the members left and 1% died, so the run has reasons to write. Then, on the same tables:

(a) the project: ``premiums.renewals.renewals_run`` (drafts holding their roster by
    reference, the members left out with reasons, first steps, audit events, the renewal
    queue and one notification per agent: one transaction per part, ``--parts`` side by
    side), in the tenant's scope (row-level security on); then again, to show the second
    run is a no-op;
(b) the same-schema limit: (a)'s output, kept aside, written again by one plain
    INSERT … SELECT per table — no computation, same keys, indexes and deferred checks —
    and compared with (a)'s rows (count and md5 of every table, times and serial ids aside);
(c) the peer: Django's ``bulk_create`` of the same output, for the first ``--peer-drafts``
    drafts (a subset: it is slow), compared with (a)'s rows of those drafts.

Each phase prints bench.benchdb.Meter's fields (wall, own, server and others' CPU seconds,
load): on a shared machine, read the ratios between the phases of one run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.benchdb import (  # noqa: E402
    Meter,
    add_db_argument,
    backend_pid,
    checkpoint,
    cover_every_member,
    machine_line,
    open_database,
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
                is_staff, is_active, date_joined, display_name, phone, is_service_account)
            SELECT gen_random_uuid(), '!', false, 'bench_agent_' || i, '', '', '', false, true,
                now(), '代办' || i, '', false
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
        made = cover_every_member(cur, tenant.pk, waiting_days=120)
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
        cur.execute("DROP TABLE IF EXISTS " + ", ".join(f"bench_out_{t}" for t, *_ in OUTPUT))
        cur.execute("VACUUM ANALYZE")
        checkpoint(cur)
        cur.execute("SELECT count(*) FROM enrolment_policy")
        policies = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM enrolment_enrolment")
        units = cur.fetchone()[0]
    return {"units": units, "policies": policies, "generate_seconds": None}


#: What a run writes: (table, rows of the run, rows of the subset ``bench_subset``). The
#: audit log is append-only: its rows of a phase are those above the phase's mark.
OUTPUT = [
    (
        "enrolment_enrolment",
        "kind = 'renewal'",
        "id IN (SELECT id FROM bench_subset)",
    ),
    (
        "enrolment_statuschange",
        "enrolment_id IN (SELECT id FROM enrolment_enrolment WHERE kind = 'renewal')",
        "enrolment_id IN (SELECT id FROM bench_subset)",
    ),
    (
        "audit_auditevent",
        "action = 'enrolment.renewal_prepared' AND id > %(mark)s",
        "object_id IN (SELECT id::text FROM bench_subset)",
    ),
    ("premiums_renewal", "true", "enrolment_id IN (SELECT id FROM bench_subset)"),
    (
        "notifications_notification",
        "key LIKE 'renewal:%%'",
        "key IN (SELECT 'renewal:' || id::text FROM bench_subset)",
    ),
]
#: Columns left out of the comparison: ids the database numbers, and times of writing.
UNCOMPARED = {"id", "created_at", "updated_at", "at"}
SERIAL_ID_TABLES = {"enrolment_statuschange", "audit_auditevent"}


def _columns(cur, table: str, *, skip=()) -> list[str]:
    cur.execute(
        """SELECT column_name FROM information_schema.columns
           WHERE table_schema = 'public' AND table_name = %s ORDER BY ordinal_position""",
        [table],
    )
    return [c for (c,) in cur.fetchall() if c not in skip]


def audit_mark(cur) -> int:
    cur.execute("SELECT COALESCE(max(id), 0) FROM audit_auditevent")
    return cur.fetchone()[0]


def output_digest(cur, *, mark: int, subset: bool = False, staged: bool = False) -> dict:
    """(rows, md5 of the sorted rows) per output table, times and serial ids left out; of
    the drafts of ``bench_subset`` only, or of the staged copy (``bench_out_<table>``)."""
    out = {}
    for table, where, where_subset in OUTPUT:
        cols = ", ".join(f'"{c}"' for c in _columns(cur, table, skip=UNCOMPARED))
        # The staged copy holds the run's rows only (and the live tables may not any more).
        cond = "true" if staged else where
        if subset:
            cond += f" AND {where_subset}"
        cur.execute(
            f"""SELECT count(*), md5(COALESCE(string_agg(h, '' ORDER BY h), ''))
                FROM (SELECT md5(ROW({cols})::text) AS h
                      FROM {"bench_out_" + table if staged else table} WHERE {cond}) x""",
            {"mark": mark},
        )
        n, digest = cur.fetchone()
        out[table] = [n, digest[:12]]
    return out


def stage_output(cur, *, mark: int) -> None:
    """Keep the run's output aside (bench_out_<table>), readable by the application role,
    as the source of the same-schema limit and of the peer."""
    from django.conf import settings

    role = getattr(settings, "TENANCY_DB_ROLE", "mutualaid_app")
    for table, where, _subset in OUTPUT:
        cur.execute(f"DROP TABLE IF EXISTS bench_out_{table}")
        cur.execute(
            f"CREATE TABLE bench_out_{table} AS SELECT * FROM {table} WHERE {where}",
            {"mark": mark},
        )
        cur.execute(f"GRANT SELECT ON bench_out_{table} TO {role}")


def remove_output() -> None:
    """Delete a run's drafts, steps, queue rows and notifications (not the append-only audit
    events: each phase counts its own above a mark), vacuum, checkpoint."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            """
            DELETE FROM notifications_notification WHERE key LIKE 'renewal:%%';
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


def limit_write(cur) -> None:
    """The same-schema limit: the run's output written again by one plain INSERT … SELECT
    per table from the staged copy — no computation, the same keys, indexes and deferred
    checks, the same ``synchronous_commit = off`` the run uses."""
    cur.execute("SET LOCAL synchronous_commit = off")
    for table, _where, _subset in OUTPUT:
        skip = {"id"} if table in SERIAL_ID_TABLES else set()
        cols = ", ".join(f'"{c}"' for c in _columns(cur, table, skip=skip))
        cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM bench_out_{table}")


def peer_models() -> dict:
    from django.apps import apps

    return {
        m._meta.db_table: m
        for m in apps.get_models()
        if m._meta.db_table in dict((t, 1) for t, *_ in OUTPUT)
    }


def peer_objects(cur, *, drafts: int) -> tuple[dict, int]:
    """Model instances of the staged output of the first ``drafts`` drafts (by id), and the
    policies those drafts looked at."""
    cur.execute("DROP TABLE IF EXISTS bench_subset")
    cur.execute(
        "CREATE TABLE bench_subset AS SELECT id, previous_id FROM bench_out_enrolment_enrolment "
        "ORDER BY id LIMIT %s",
        [drafts],
    )
    cur.execute(
        "SELECT count(*) FROM enrolment_policy WHERE enrolment_id IN "
        "(SELECT previous_id FROM bench_subset) AND status <> 'cancelled'"
    )
    policies = cur.fetchone()[0]
    models = peer_models()
    objects = {}
    for table, _where, where_subset in OUTPUT:
        model = models[table]
        cur.execute(f"SELECT * FROM bench_out_{table} WHERE {where_subset}")
        names = [d.name for d in cur.description]
        by_column = {f.column: f.attname for f in model._meta.concrete_fields}
        json_fields = [
            f.attname for f in model._meta.concrete_fields if f.get_internal_type() == "JSONField"
        ]
        rows = []
        for values in cur.fetchall():
            row = {by_column[n]: v for n, v in zip(names, values, strict=True) if n in by_column}
            for name in json_fields:  # a raw cursor gives jsonb as its text (Django parses it)
                if isinstance(row.get(name), str):
                    row[name] = json.loads(row[name])
            if table in SERIAL_ID_TABLES:
                row.pop("id", None)
            rows.append(model(**row))
        objects[table] = (model, rows)
    return objects, policies


def timed(label: str, meter_pids, work) -> dict:
    from django.db import connection

    meter = Meter()
    for pid in meter_pids:
        meter.watch_pid(pid)
    with meter:
        work()
    return {"phase": label, **meter.as_dict(), "connection": connection.vendor}


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
    parser.add_argument(
        "--peer-drafts",
        type=int,
        default=10_000,
        help="bulk_create the output of this many drafts (a subset: it is slow); 0: skip",
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

    import threading

    from django.db import connection, transaction
    from django.urls import reverse

    from mutualaid.tenancy.context import tenant_scope
    from mutualaid.tenancy.models import Tenant
    from premiums.renewals import renewals_run

    reverse("premiums:renewal_list")  # load the URLconf once, as a running worker has
    bench_tenant = Tenant.objects.get(slug="bench").pk
    with connection.cursor() as cur:
        mark_a = audit_mark(cur)

    # (a) The project: renewals_run, one transaction per part side by side (as RENEWAL_PARTS
    # workers do), in the tenant's scope: row-level security applies.
    runs, pids, go, release = [], [], threading.Event(), threading.Event()
    ready = threading.Barrier(args.parts + 1)
    done = threading.Barrier(args.parts + 1)

    def one(part: int) -> None:
        try:
            pids.append(backend_pid(connection))
            ready.wait()
            go.wait()
            with tenant_scope(bench_tenant, origin="bench"):
                runs.append(renewals_run(today=today, part=part, parts=args.parts))
        finally:
            done.wait()
            release.wait()  # the meter reads the server processes' CPU before they end
            connection.close()

    threads = [threading.Thread(target=one, args=(p,)) for p in range(args.parts)]
    for thread in threads:
        thread.start()
    ready.wait()

    def project() -> None:
        go.set()
        done.wait()

    result_a = timed("project: renewals_run", list(pids), project)
    release.set()
    for thread in threads:
        thread.join()
    policies = sum(r.renewals.policies for r in runs)
    result_a["policies_per_second"] = round(policies / result_a["seconds"])
    totals = {
        k: sum(getattr(r.renewals, k) for r in runs)
        for k in ("prepared", "lines", "dropped", "policies")
    }
    started = time.perf_counter()
    with tenant_scope(bench_tenant, origin="bench"):
        again = renewals_run(today=today)
    again_seconds = time.perf_counter() - started

    with connection.cursor() as cur:
        digest_a = output_digest(cur, mark=mark_a)
        stage_output(cur, mark=mark_a)
    remove_output()

    # (b) The same-schema limit: the identical output, one INSERT … SELECT per table.
    with connection.cursor() as cur:
        mark_b = audit_mark(cur)

    def limit() -> None:
        with tenant_scope(bench_tenant, origin="bench"), transaction.atomic():
            with connection.cursor() as cur:
                limit_write(cur)

    result_b = timed("same-schema limit: INSERT … SELECT", [backend_pid(connection)], limit)
    result_b["policies_per_second"] = round(policies / result_b["seconds"])
    with connection.cursor() as cur:
        digest_b = output_digest(cur, mark=mark_b)
    remove_output()

    # (c) The peer: Django's bulk_create of the same output, for the first --peer-drafts
    # drafts (their policies count).
    result_c = None
    if args.peer_drafts:
        with connection.cursor() as cur:
            mark_c = audit_mark(cur)
            objects, peer_policies = peer_objects(cur, drafts=args.peer_drafts)
            digest_a_subset = output_digest(cur, mark=mark_a, subset=True, staged=True)

        def peer() -> None:
            with tenant_scope(bench_tenant, origin="bench"), transaction.atomic():
                for model, rows in objects.values():
                    model.objects.bulk_create(rows, batch_size=1000)

        result_c = timed(
            f"peer: bulk_create, first {args.peer_drafts} drafts",
            [backend_pid(connection)],
            peer,
        )
        result_c["policies"] = peer_policies
        result_c["policies_per_second"] = round(peer_policies / result_c["seconds"])
        with connection.cursor() as cur:
            digest_c = output_digest(cur, mark=mark_c)
        result_c["rows"] = {t: v[0] for t, v in digest_c.items()}
        # Times of writing and serial ids aside, the same rows as the project's for those drafts.
        result_c["same_output_as_project_subset"] = {
            t: digest_c[t] == digest_a_subset[t] for t in digest_c
        }

    result = {
        **facts,
        "parts": args.parts,
        "renewals_prepared": totals["prepared"],
        "roster_members_held": totals["lines"],
        "dropped": totals["dropped"],
        "policies": totals["policies"],
        "project": result_a,
        "limit": result_b,
        "peer": result_c,
        "project_over_limit": round(result_b["seconds"] / result_a["seconds"], 2),
        "same_output": digest_a == digest_b,
        "output_rows": {t: v[0] for t, v in digest_a.items()},
        "output_digest": {t: v[1] for t, v in digest_a.items()},
        "second_run_prepared": again.renewals.prepared,
        "second_run_seconds": round(again_seconds, 2),
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))
    if digest_a != digest_b:
        print(json.dumps({"limit_digest": digest_b}), file=sys.stderr)
        raise SystemExit("the limit did not write the project's output")


if __name__ == "__main__":
    main()
