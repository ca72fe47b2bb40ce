"""Roster upload end to end: read the file, check it, write it — against PostgreSQL.

    createdb -h 127.0.0.1 -U postgres benchroster   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/benchroster \\
        .venv/bin/python bench/bench_roster_import.py --rows 50000 --bad 2 --iex-rows 2000

In a scratch database (migrated here), a fresh tenant → city → unit, an agent, the seed
plan ``--plan`` (default ``gx_group_accident``) and a draft enrolment each run; then,
timed separately:

1. preview: ``read_roster`` + ``lines_import(preview=True)`` (what the preview job does);
2. write:   ``read_roster`` + ``lines_import(only_valid=True)`` (the import job: members
   created, lines written, totals refreshed, one transaction);
3. side by side: a plain django-import-export ``ModelResource`` of ``Member`` (its
   defaults, ``dry_run=False``, natural key tenant + ID number) importing the first
   ``--iex-rows`` valid rows of the same file into another fresh unit.

Reported: seconds, rows/s, the process's max RSS after each phase, and the ratio of the
write rates (2. against 3.). SPEC §14: the whole upload ≥ 10,000 rows/s at 50,000 rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import roster_gen  # noqa: E402

roster_gen.setup_django()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def world(plan_key: str = "gx_group_accident"):
    """A fresh tenant (office → city → unit), its agent and the seed plan, every run."""
    from members.models import Ownership, Unit
    from mutualaid.tenancy.models import Organisation, OrganisationKind, Role, Staff, Tenant, User
    from mutualaid.tenancy.scoping import actor_for
    from plans.demo import load_seed_plan

    stamp = dt.datetime.now().strftime("%Y%m%d%H%M%S%f")
    tenant = Tenant.objects.create(name=f"基准办事处{stamp}", slug=f"bench{stamp}")
    office = Organisation.objects.add_root(
        {"tenant": tenant, "name": tenant.name, "kind": OrganisationKind.OFFICE}
    )

    def child(parent, kind, name):
        parent = Organisation.objects.get(pk=parent.pk)
        return Organisation.objects.add_child(
            parent, {"tenant_id": tenant.pk, "name": name, "kind": kind}
        )

    city = child(office, OrganisationKind.CITY, "基准市总工会")
    units = []
    for name in ("基准集团工会", "基准对照工会"):
        node = child(city, OrganisationKind.UNIT, name)
        Unit.objects.create(organisation=node, tenant_id=tenant.pk, ownership=Ownership.STATE_OWNED)
        units.append(Unit.objects.select_related("organisation").get(pk=node.pk))
    user = User.objects.create(username=f"bench{stamp}", display_name="基准代办员")
    Staff.objects.create(
        user=user, tenant=tenant, organisation=units[0].organisation, roles=[Role.AGENT]
    )
    plan, _ = load_seed_plan(plan_key, tenant=tenant, owner=office)
    return tenant, units, actor_for(User.objects.get(pk=user.pk)), plan


def uniform(rows, keep: bool):
    """Every member 1 share, as a unit usually enrols (roster_gen draws 1-5 at random, which
    the plan's rules refuse); the generator's 0-share bad rows stay bad."""
    if not keep:
        for r in rows:
            if r["shares"] not in (0, "0"):
                r["shares"] = 1
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--bad", type=float, default=2.0, help="percent of bad rows")
    parser.add_argument("--plan", default="gx_group_accident", help="seed plan key")
    parser.add_argument(
        "--mixed-shares",
        action="store_true",
        help="keep roster_gen's random 1-5 shares (most plans refuse mixed shares)",
    )
    parser.add_argument(
        "--iex-rows", type=int, default=2_000, help="rows for the django-import-export comparison"
    )
    args = parser.parse_args()

    from enrolment.roster.reader import read_roster
    from enrolment.services.drafts import enrolment_create
    from enrolment.services.lines import lines_import
    from mutualaid.tenancy.context import tenant_scope

    call_command("migrate", verbosity=0)
    print(
        f"database {connection.settings_dict['NAME']}; python {platform.python_version()}; "
        f"{platform.machine()}; cpus {__import__('os').cpu_count()}"
    )
    data = roster_gen.make_roster_xlsx(args.rows, bad_percent=args.bad)
    print(f"roster: {args.rows:,} rows, {args.bad}% bad, {len(data) / 1e6:.1f} MB .xlsx")
    tenant, units, actor, plan = world(args.plan)
    enrolment = enrolment_create(
        actor=actor, unit=units[0], plan=plan, start_date=dt.date(2026, 3, 16)
    )

    # Steps 1 and 2 run as the jobs do: in the tenant's scope, under row-level security.
    with tenant_scope(tenant.pk, origin="bench"):
        # 1. Preview: what the roster_preview job does (read once, check, write nothing).
        t0 = time.perf_counter()
        read = read_roster(data, "roster.xlsx")
        t_read = time.perf_counter() - t0
        report = lines_import(
            actor=actor,
            enrolment=enrolment,
            rows=uniform(read.rows, args.mixed_shares),
            preview=True,
        )
        t_preview = time.perf_counter() - t0
        n = len(read.rows)
        print(
            f"1. preview  read {t_read:6.2f} s + check {t_preview - t_read:6.2f} s = "
            f"{t_preview:6.2f} s  {n / t_preview:9,.0f} rows/s  "
            f"(valid {report.valid:,}, invalid {report.invalid:,}, errors {len(report.errors):,})  "
            f"max RSS {rss_mib():.0f} MiB"
        )
        from collections import Counter

        print("   error codes:", dict(Counter(e.code for e in report.errors).most_common(6)))
        del read

        # 2. Write: what the roster_import job does (read again, check, write the valid rows).
        t0 = time.perf_counter()
        read = read_roster(data, "roster.xlsx")
        done = lines_import(
            actor=actor,
            enrolment=enrolment,
            rows=uniform(read.rows, args.mixed_shares),
            only_valid=True,
        )
        t_write = time.perf_counter() - t0
        ours = n / t_write
        print(
            f"2. write    {t_write:6.2f} s  {ours:9,.0f} rows/s  "
            f"(members created {done.members_created:,}, lines {done.lines_written:,})  "
            f"max RSS {rss_mib():.0f} MiB"
        )

    # 3. django-import-export, a plain ModelResource of Member with its defaults.
    from import_export import resources
    from tablib import Dataset

    from members.models import Member
    from members.validation import validate_id_number

    class MemberResource(resources.ModelResource):
        class Meta:
            model = Member
            import_id_fields = ("tenant", "id_number")
            fields = (
                "tenant",
                "unit",
                "organisation",
                "name",
                "id_number",
                "sex",
                "birth_date",
                "phone",
                "category",
            )

    bad_rows = {e.row for e in report.errors}
    sample = [r for r in read.rows if r["row"] not in bad_rows][: args.iex_rows]
    # The same people are members of the first tenant now (step 2): import them into a
    # second, fresh tenant, so import-export creates every row as step 2 did.
    tenant2, units2, _actor2, _plan2 = world(args.plan)
    unit2 = units2[1]
    rows2 = Dataset(
        headers=[
            "tenant",
            "unit",
            "organisation",
            "name",
            "id_number",
            "sex",
            "birth_date",
            "phone",
            "category",
        ]
    )
    for r in sample:
        info = validate_id_number(r["id_number_raw"])
        rows2.append(
            [
                str(tenant2.pk),
                str(unit2.pk),
                str(unit2.pk),
                r["name"],
                info.number,
                info.sex,
                info.birth_date.isoformat(),
                "",
                "worker",
            ]
        )
    t0 = time.perf_counter()
    result = MemberResource().import_data(rows2, dry_run=False, raise_errors=False)
    t_iex = time.perf_counter() - t0
    created = Member.objects.filter(tenant=tenant2).count()
    theirs = len(rows2) / t_iex
    print(
        f"3. django-import-export ModelResource(Member): {len(rows2):,} rows in {t_iex:6.2f} s  "
        f"{theirs:9,.0f} rows/s  (created {created:,}, errors {result.has_errors()}, "
        f"invalid {len(result.invalid_rows)})  max RSS {rss_mib():.0f} MiB"
    )
    print(
        f"ratio: roster import {ours:,.0f} rows/s ÷ import-export {theirs:,.0f} rows/s "
        f"= {ours / theirs:.1f}×  (ours also checks the plan's rules and writes the lines)"
    )


if __name__ == "__main__":
    main()
