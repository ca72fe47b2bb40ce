"""Roster upload end to end: read the file, check it, write it — against PostgreSQL, beside
the same-schema limit and a peer, in one run.

    .venv/bin/python bench/bench_roster_import.py --db NAME_bench --rows 50000 --iex-rows 2000

In a scratch database (``--db``, made afresh on DATABASE_URL's server and migrated; each
person their own), a fresh tenant → city → unit, an agent, the seed plan ``--plan``
(default ``gx_group_accident``) and a draft enrolment; then, timed separately, each under a
``bench.benchdb.Meter`` (wall, own CPU, the server's CPU, others' CPU, load):

1. preview: ``read_roster`` + ``lines_import(preview=True)`` (what the preview job does);
2. write:   ``read_roster`` + ``lines_import(only_valid=True)`` (the import job: members
   created, lines written, totals refreshed, one transaction);
3. limit:   the same-schema limit — python-calamine reads the same file and the rows step 2
   wrote go by COPY into the same tables (members, then lines of an enrolment) of another
   fresh tenant, under the same row-level security, one transaction, no checks at all;
4. peer:    a plain django-import-export ``ModelResource`` of ``Member`` (its defaults,
   ``dry_run=False``, natural key tenant + ID number) importing the first ``--iex-rows``
   valid rows of the same file into another fresh tenant.

``--runs N`` repeats 2 and 3 alternately (fresh tenants each time) and reports min /
median / max.
Rates are rows of the file per second (steps 2 and 3 write the same members and lines); on
a shared machine read the ratios, which come from the same run. SPEC §14: the whole upload
≥ 10,000 rows/s at 50,000 rows; issue 19: ≥ 20,000.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import platform
import resource
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import roster_gen  # noqa: E402

from bench.benchdb import Meter, add_db_argument, checkpoint, machine_line, open_database  # noqa: E402

BENCH_DB = "bench_roster_import"


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


def limit_write(data: bytes, header_row: int, written_rows: set[int], tenant, unit, premium):
    """The same-schema limit: calamine reads the file, the rows ``written_rows`` (sheet
    numbers) go by COPY into members and the lines of a fresh enrolment: no checks, the
    same columns and values as the import writes (sex and birth date sliced from the ID,
    the plan's premium per share), one transaction. Returns (members, lines)."""
    from django.db import transaction
    from django.utils import timezone
    from python_calamine import load_workbook

    from enrolment.db import TextRows, copy_rows, copy_text, ordered_uuids
    from enrolment.models import Enrolment, EnrolmentLine
    from enrolment.services.checks import _category_words
    from enrolment.services.lines import LINE_COLUMNS, MEMBER_COLUMNS
    from members.models import Member

    categories = _category_words()
    with transaction.atomic():
        enrolment = Enrolment.objects.get(unit=unit)
        grid = load_workbook(io.BytesIO(data)).get_sheet_by_index(0).to_python()
        now = timezone.now().isoformat()
        tenant_id, unit_id = str(tenant.pk), str(unit.pk)
        picked = [
            (number, cells)
            for number, cells in enumerate(grid[header_row:], start=header_row + 1)
            if number in written_rows
        ]
        ids = ordered_uuids(len(picked))
        people, lines = [], []
        for member_id, (row_number, cells) in zip(ids, picked, strict=True):
            number = cells[2]
            sex = "male" if int(number[16]) % 2 else "female"
            birth = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
            category = categories.get(cells[4], "worker")
            people.append(
                f"{member_id}\t{tenant_id}\t{unit_id}\t{unit_id}\t{copy_text(cells[1])}\t"
                f"{number}\t{sex}\t{birth}\t{cells[5]}\t{category}\tin_service\tt\t{now}\t{now}\n"
            )
            lines.append(
                f"{tenant_id}\t{enrolment.pk}\t{member_id}\t1\t\t{category}\t0\t{premium}\t"
                f"ok\t\t{row_number}\t{now}\n"
            )
        members = copy_rows(Member, MEMBER_COLUMNS, TextRows(people))
        written = copy_rows(EnrolmentLine, LINE_COLUMNS, TextRows(lines))
    return members, written


def summary(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:,.0f}"
    return (
        f"{min(values):,.0f} / {statistics.median(values):,.0f} / {max(values):,.0f} "
        "(min / median / max)"
    )


def metered(label: str, meter: Meter, rows: int, extra: str = "") -> float:
    rate = rows / meter.wall
    fields = ", ".join(f"{k} {v}" for k, v in meter.as_dict().items())
    print(
        f"{label} {meter.wall:6.2f} s {rate:9,.0f} rows/s  {extra}[{fields}]  "
        f"max RSS {rss_mib():.0f} MiB"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
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
    parser.add_argument(
        "--runs", type=int, default=1, help="write and limit, alternately, this many times"
    )
    add_db_argument(parser, BENCH_DB)
    args = parser.parse_args()
    print(machine_line())
    open_database(args.db)

    from django.db import connection

    from enrolment.roster.reader import read_roster
    from enrolment.services.drafts import enrolment_create
    from enrolment.services.lines import lines_import
    from mutualaid.tenancy.context import tenant_scope

    print(
        f"database {connection.settings_dict['NAME']}; python {platform.python_version()}; "
        f"{platform.machine()}"
    )
    data = roster_gen.make_roster_xlsx(args.rows, bad_percent=args.bad)
    print(f"roster: {args.rows:,} rows, {args.bad}% bad, {len(data) / 1e6:.1f} MB .xlsx")

    def fresh(start=dt.date(2026, 3, 16)):
        tenant, units, actor, plan = world(args.plan)
        enrolment = enrolment_create(actor=actor, unit=units[0], plan=plan, start_date=start)
        return tenant, units, actor, plan, enrolment

    tenant, units, actor, plan, enrolment = fresh()
    checkpoint()

    # 1. Preview: what the roster_preview job does (read once, check, write nothing); as the
    # jobs run: in the tenant's scope, under row-level security.
    with tenant_scope(tenant.pk, origin="bench"), Meter() as meter:
        meter.watch(connection)
        read = read_roster(data, "roster.xlsx")
        report = lines_import(
            actor=actor,
            enrolment=enrolment,
            rows=uniform(read.rows, args.mixed_shares),
            preview=True,
        )
    n = len(read.rows)
    metered(
        "1. preview ",
        meter,
        n,
        f"(valid {report.valid:,}, invalid {report.invalid:,}, errors {len(report.errors):,})  ",
    )
    from collections import Counter

    print("   error codes:", dict(Counter(e.code for e in report.errors).most_common(6)))
    bad_rows = {e.row for e in report.errors}
    written_rows = {r["row"] for r in read.rows} - bad_rows
    header_row = read.header_row
    del read

    def write(label: str, tenant, actor, enrolment):
        """2. Write: what the roster_import job does (read again, check, write the valid
        rows)."""
        with tenant_scope(tenant.pk, origin="bench"):
            connection.ensure_connection()
            with Meter() as meter:
                meter.watch(connection)
                read = read_roster(data, "roster.xlsx")
                done = lines_import(
                    actor=actor,
                    enrolment=enrolment,
                    rows=uniform(read.rows, args.mixed_shares),
                    only_valid=True,
                )
            premium = enrolment.lines.values_list("premium", flat=True).first()
        rate = metered(
            label,
            meter,
            n,
            f"(members created {done.members_created:,}, lines {done.lines_written:,})  ",
        )
        return rate, read.rows, premium

    ours, limits = [], []
    for run in range(args.runs):
        if run:
            tenant, units, actor, plan, enrolment = fresh()
        rate, sample, premium = write("2. write   ", tenant, actor, enrolment)
        ours.append(rate)
        # 3. The same-schema limit: the same rows into the same tables, nothing checked.
        tenant3, units3, _actor3, plan3, _enrolment3 = fresh()
        with tenant_scope(tenant3.pk, origin="bench"):
            connection.ensure_connection()
            with Meter() as meter:
                meter.watch(connection)
                members, lines = limit_write(
                    data, header_row, written_rows, tenant3, units3[0], premium
                )
        limits.append(metered("3. limit   ", meter, n, f"(members {members:,}, lines {lines:,})  "))

    # 4. django-import-export, a plain ModelResource of Member with its defaults.
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

    sample = [r for r in sample if r["row"] not in bad_rows][: args.iex_rows]
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
    with Meter() as meter:
        meter.watch(connection)
        result = MemberResource().import_data(rows2, dry_run=False, raise_errors=False)
    created = Member.objects.filter(tenant=tenant2).count()
    theirs = metered(
        "4. peer    ",
        meter,
        len(rows2),
        f"django-import-export ModelResource(Member), {len(rows2):,} rows (created {created:,}, "
        f"errors {result.has_errors()}, invalid {len(result.invalid_rows)})  ",
    )
    print(f"roster import (2.): {summary(ours)} rows/s")
    print(f"same-schema limit (3.): {summary(limits)} rows/s")
    print(f"peer (4.): {theirs:,.0f} rows/s")
    ratios = [a / b for a, b in zip(ours, limits, strict=True)]
    print(
        f"ratios: import ÷ limit {statistics.median(ratios):.2f} (per run "
        + ", ".join(f"{r:.2f}" for r in ratios)
        + f"); import ÷ peer {statistics.median(ours) / theirs:.1f}×  "
        "(the import also checks the plan's rules and writes the lines)"
    )
    print(machine_line())


if __name__ == "__main__":
    main()
