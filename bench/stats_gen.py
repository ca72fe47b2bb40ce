"""Generator of a big tenant for the statistics benchmark (``bench/bench_stats.py``).

Set-based SQL only (``generate_series``, INSERT … SELECT), into the real tables with
every index, constraint and foreign key in place (nothing UNLOGGED, nothing disabled).
Big tables are written in slices, each committed on its own: one 10-million-row
transaction would queue 70 million deferred foreign-key checks for its COMMIT.

The tenant (defaults: 5,000,000 members, 10,000,000 policies, 1,000,000 claims):

- an office → ``cities`` cities → ``counties`` counties each → units (``per_unit``
  members each), with ownership types and industries spread over the units, and a union
  headcount a little above the registered members;
- the five Guangxi seed plans at the office and the Shaoxing cadres' plan local to the
  first city; each unit buys one plan; one unit in 13 buys nothing (a blank spot);
- one enrolment, invoice and payment per unit and cover year, one policy per covered
  member and year (2026, 2025, then 2024 for as many as it takes to reach ``policies``);
- ``claims`` incident reports and claims of covered members, 2024-06 … 2026-11: 70 % paid
  (2 % of them exactly ¥10,000, 6 % above it), 10 % approved or in a batch, 8 % rejected,
  the rest under review or being prepared; most paid within their payout limit.

Share tranches and roster lines are not generated: statistics never read them.
"""

from __future__ import annotations

import datetime as dt
import sys
import time

B36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
GX_PLANS = [
    "gx_comprehensive",
    "gx_designated_disease",
    "gx_migrant_workers",
    "gx_female_workers",
    "gx_group_accident",
]
OWNERSHIPS = ["state_owned", "collective", "non_public", "public_sector"]
INDUSTRIES = "ABCDEFGHIJKLMNOPQRS"


def _path_sql(expr: str) -> str:
    """SQL for 4 base-36 digits (treebeard's step) of the integer ``expr`` (1-based)."""
    digits = [f"substr('{B36}', (({expr}) / {36**p}) %% 36 + 1, 1)" for p in (3, 2, 1, 0)]
    return " || ".join(digits)


def log(message: str, started: float) -> None:
    print(f"[{time.perf_counter() - started:7.1f} s] {message}", file=sys.stderr, flush=True)


def generate(
    *,
    members: int,
    policies: int,
    claims: int,
    per_unit: int = 50,
    cities: int = 14,
    counties: int = 8,
    slices: int = 10,
) -> dict:
    from django.db import connection

    from mutualaid.accounts.services import tenant_create
    from mutualaid.tenancy.models import Organisation, OrganisationKind
    from plans.demo import load_seed_plan

    started = time.perf_counter()
    tenant, office = tenant_create(
        name="统计基准办事处", slug="bench-stats", office_name="统计基准办事处"
    )
    # Cities and counties through treebeard (a few hundred nodes); units in SQL below.
    city_nodes, county_nodes = [], []
    for c in range(cities):
        office = Organisation.objects.get(pk=office.pk)
        city = Organisation.objects.add_child(
            office,
            {"tenant_id": tenant.pk, "name": f"基准{c + 1}市总工会", "kind": OrganisationKind.CITY},
        )
        city_nodes.append(city)
        for k in range(counties):
            city = Organisation.objects.get(pk=city.pk)
            county_nodes.append(
                Organisation.objects.add_child(
                    city,
                    {
                        "tenant_id": tenant.pk,
                        "name": f"基准{c + 1}市{k + 1}县总工会",
                        "kind": OrganisationKind.COUNTY,
                    },
                )
            )
    plans = {key: load_seed_plan(key, tenant=tenant, owner=office)[0] for key in GX_PLANS}
    plans["sx_union_cadres"] = load_seed_plan(
        "sx_union_cadres", tenant=tenant, owner=city_nodes[0]
    )[0]
    log(f"tree of {cities} cities, {len(county_nodes)} counties; {len(plans)} plans", started)

    units = members // per_unit
    n_counties = len(county_nodes)
    with connection.cursor() as cur:
        cur.execute("SET work_mem = '256MB'")
        cur.execute("SET maintenance_work_mem = '512MB'")
        cur.execute("SET jit = off")
        # The plans: (index, id, version id, premium, shares, group).
        cur.execute(
            "CREATE TEMP TABLE gen_plan (i int, key text, id uuid, version_id uuid, "
            "premium numeric, group_code text)"
        )
        for i, key in enumerate([*GX_PLANS, "sx_union_cadres"]):
            plan = plans[key]
            version = plan.versions.get()
            cur.execute(
                "INSERT INTO gen_plan VALUES (%s, %s, %s, %s, %s, %s)",
                [
                    i,
                    key,
                    plan.pk,
                    version.pk,
                    version.terms.get("premium_per_share") or "0",
                    version.terms.get("exclusive_group") or "",
                ],
            )
        cur.execute("CREATE TEMP TABLE gen_county (j int, id uuid, path text, city int)")
        for j, county in enumerate(county_nodes):
            cur.execute(
                "INSERT INTO gen_county VALUES (%s, %s, %s, %s)",
                [j, county.pk, county.path, j // counties],
            )
        # Units: unit i (0-based) under county i % n; its plan by i % 10 (the first city's
        # units of plan slot 9 buy the local cadres' plan); one in 13 buys nothing.
        cur.execute(
            f"""
            CREATE TEMP TABLE gen_unit AS
            SELECT i, gen_random_uuid() AS id, c.id AS county_id,
                   c.path || {_path_sql("i / %(n)s + 1")} AS path,
                   CASE WHEN i %% 13 = 0 THEN NULL
                        WHEN i %% 10 < 4 THEN 0 WHEN i %% 10 < 6 THEN 1 WHEN i %% 10 = 6 THEN 2
                        WHEN i %% 10 = 7 THEN 3 WHEN i %% 10 = 8 THEN 4
                        WHEN c.city = 0 THEN 5 ELSE 0 END AS plan_i,
                   (i %% 11) + 1 AS start_month,
                   CASE WHEN i %% 10 = 9 AND c.city = 0 THEN 1 ELSE 1 + i %% 3 END AS shares
            FROM generate_series(0, %(units)s - 1) AS i
            JOIN gen_county c ON c.j = i %% %(n)s
            """,
            {"units": units, "n": n_counties},
        )
        cur.execute("CREATE UNIQUE INDEX ON gen_unit (i)")
        cur.execute("ANALYZE gen_unit")
        cur.execute(
            """
            INSERT INTO tenancy_organisation (id, tenant_id, path, depth, numchild, name, kind,
                code, created_at)
            SELECT id, %s, path, 4, 0, '基准单位' || i || '工会', 'unit', 'U' || i,
                now() FROM gen_unit
            """,
            [tenant.pk],
        )
        cur.execute(
            """
            UPDATE tenancy_organisation o SET numchild = s.n
            FROM (SELECT county_id, count(*) AS n FROM gen_unit GROUP BY county_id) s
            WHERE o.id = s.county_id
            """
        )
        cur.execute(
            """
            INSERT INTO members_unit (organisation_id, tenant_id, credit_code, ownership, industry,
                union_member_count, contact_name, contact_phone, bank_name, bank_account,
                    created_at, updated_at)
            SELECT id, %(tenant)s, '', (%(own)s::text[])[1 + (i * 7) %% 4], substr(%(ind)s,
                1 + (i * 3) %% 19, 1),
                   %(per_unit)s + (i %% 9), '', '', '', '', now(), now()
            FROM gen_unit
            """,
            {"tenant": tenant.pk, "own": OWNERSHIPS, "ind": INDUSTRIES, "per_unit": per_unit},
        )
        log(f"{units} units", started)

        # Members: per_unit a unit, numbered g = unit * per_unit + m.
        cur.execute(
            """
            CREATE TEMP TABLE gen_member AS
            SELECT g, gen_random_uuid() AS id, g / %(per_unit)s AS unit_i
            FROM generate_series(0, %(n)s - 1) AS g
            """,
            {"n": units * per_unit, "per_unit": per_unit},
        )
        step = -(-units * per_unit // slices)
        for lo in range(0, units * per_unit, step):
            cur.execute(
                """
                INSERT INTO members_member (id, tenant_id, unit_id, organisation_id, name,
                    id_number, sex,
                    birth_date, phone, category, employment_status, is_union_member,
                        created_at, updated_at)
                SELECT m.id, %(tenant)s, u.id, u.id, '职工' || m.g, '45' || lpad(m.g::text, 16,
                    '0'),
                       CASE WHEN m.g %% 2 = 0 THEN 'female' ELSE 'male' END,
                       date '1966-01-01' + (m.g %% 12000), '', 'worker',
                       CASE WHEN m.g %% 100 < 2 THEN 'left' WHEN m.g %% 100 = 2 THEN 'retired'
                            ELSE 'in_service' END,
                       m.g %% 50 <> 7, now(), now()
                FROM gen_member m JOIN gen_unit u ON u.i = m.unit_i
                WHERE m.g >= %(lo)s AND m.g < %(hi)s
                """,
                {"tenant": tenant.pk, "lo": lo, "hi": lo + step},
            )
            log(f"members up to {min(lo + step, units * per_unit)}", started)

        # Covered members, numbered densely in unit order (c), and the cover years they need.
        cur.execute(
            """
            CREATE TEMP TABLE gen_covered AS
            SELECT (row_number() OVER (ORDER BY m.g) - 1) AS c, m.id, m.unit_i
            FROM gen_member m JOIN gen_unit u ON u.i = m.unit_i WHERE u.plan_i IS NOT NULL
            """
        )
        cur.execute("CREATE UNIQUE INDEX ON gen_covered (c)")
        cur.execute("ANALYZE gen_covered")
        cur.execute("SELECT count(*) FROM gen_covered")
        covered = cur.fetchone()[0]
        years = [2026, 2025, 2024, 2023, 2022]
        need = -(-policies // covered)
        if need > len(years):
            raise SystemExit(f"{policies} policies need {need} cover years of {covered} members")
        # Year slot y covers members c < policies - y * covered (all of them but the last slot).
        cur.execute(
            """
            CREATE TEMP TABLE gen_enrolment AS
            SELECT gen_random_uuid() AS id, u.i AS unit_i, u.id AS unit_id, y.year, u.plan_i,
                u.shares,
                   make_date(y.year, u.start_month, 16) AS start,
                   (make_date(y.year, u.start_month,
                       16) + interval '1 year' - interval '1 day')::date AS "end",
                   count(*) AS member_count, min(c.c) AS first_c
            FROM gen_covered c JOIN gen_unit u ON u.i = c.unit_i
            JOIN (SELECT s AS slot, (ARRAY[2026, 2025, 2024, 2023, 2022])[s + 1] AS year
                  FROM generate_series(0,
                      %(need)s - 1) s) y ON c.c < %(policies)s - y.slot * %(covered)s
            GROUP BY u.i, u.id, y.year, u.plan_i, u.shares, u.start_month
            """,
            {"need": need, "policies": policies, "covered": covered},
        )
        cur.execute("CREATE INDEX ON gen_enrolment (unit_i, year)")
        cur.execute("ANALYZE gen_enrolment")
        cur.execute(
            """
            INSERT INTO enrolment_enrolment (id, tenant_id, unit_id, organisation_id, plan_id,
                plan_version_id,
                exclusive_group, kind, status, start_date, end_date, funding_mode,
                    administration_amount,
                union_amount, member_amount, federation_amount, note, member_count,
                    share_count, premium_total,
                return_reason, dropped, payment_date, coverage_start, coverage_end, created_at,
                    updated_at,
                in_force_at)
            SELECT e.id, %(tenant)s, e.unit_id, e.unit_id, p.id, p.version_id, p.group_code,
                   'new', 'in_force',
                   e.start, e."end", 'union', 0, e.member_count * e.shares * p.premium, 0, 0, '',
                   e.member_count, e.member_count * e.shares, e.member_count * e.shares * p.premium,
                   '', '[]'::jsonb, e.start - 1, e.start, e."end", e.start - 20, e.start - 1,
                       e.start - 1
            FROM gen_enrolment e JOIN gen_plan p ON p.i = e.plan_i
            """,
            {"tenant": tenant.pk},
        )
        log(f"{cur.rowcount} enrolments ({covered} members covered, {need} cover years)", started)
        cur.execute(
            """
            INSERT INTO premiums_invoice (id, tenant_id, organisation_id, enrolment_id, number,
                amount, paid_total,
                status, paid_on, activation_problem, issued_at, updated_at)
            SELECT gen_random_uuid(), e.tenant_id, e.organisation_id, e.id,
                   'JF' || row_number() OVER (ORDER BY e.id), e.premium_total, e.premium_total,
                       'paid',
                   e.payment_date, '', e.start_date - 10, e.start_date - 1
            FROM enrolment_enrolment e WHERE e.tenant_id = %s
            """,
            [tenant.pk],
        )
        cur.execute(
            """
            INSERT INTO premiums_payment (id, tenant_id, organisation_id, invoice_id, kind,
                bank_reference, paid_on,
                amount, party, note, receipt_number, recorded_at)
            SELECT gen_random_uuid(), i.tenant_id, i.organisation_id, i.id, 'payment', 'REF'
                || i.number,
                   i.paid_on, i.amount, 'union', '', 'SJ' || i.number, i.paid_on
            FROM premiums_invoice i WHERE i.tenant_id = %s
            """,
            [tenant.pk],
        )
        log("invoices and payments", started)

        made = 0
        for slot in range(need):
            upto = min(covered, policies - slot * covered)
            step = -(-upto // slices)
            for lo in range(0, upto, step):
                cur.execute(
                    """
                    INSERT INTO enrolment_policy (id, tenant_id, organisation_id, unit_id,
                        member_id, enrolment_id,
                        plan_id, plan_version_id, exclusive_group, shares, tier, start, "end",
                            status, end_reason,
                        created_at)
                    SELECT gen_random_uuid(), %(tenant)s, e.unit_id, e.unit_id, c.id, e.id,
                        p.id, p.version_id,
                           p.group_code, e.shares, '', e.start, e."end", 'in_force', '', e.start - 1
                    FROM gen_covered c
                    JOIN gen_enrolment e ON e.unit_i = c.unit_i AND e.year = %(year)s
                    JOIN gen_plan p ON p.i = e.plan_i
                    WHERE c.c >= %(lo)s AND c.c < %(hi)s
                    """,
                    {
                        "tenant": tenant.pk,
                        "year": years[slot],
                        "lo": lo,
                        "hi": min(lo + step, upto),
                    },
                )
                made += cur.rowcount
                log(f"policies: {made}", started)

        # Claims: claim k of covered member (k * 7919) mod covered, dates 2024-06-01 … 2026-11-16.
        step = -(-claims // slices)
        for lo in range(0, claims, step):
            hi = min(lo + step, claims)
            cur.execute(
                """
                CREATE TEMP TABLE gen_claim AS
                SELECT k, gen_random_uuid() AS id, gen_random_uuid() AS report_id,
                    c.id AS member_id,
                       u.id AS unit_id, p.id AS plan_id,
                       date '2024-06-01' + (k %% 900) AS event_date,
                       date '2024-06-01' + (k %% 900) + 20 + (k %% 15) AS approved_on,
                       k %% 100 AS bucket
                FROM generate_series(%(lo)s, %(hi)s - 1) AS k
                JOIN gen_covered c ON c.c = (k::bigint * 7919) %% %(covered)s
                JOIN gen_unit u ON u.i = c.unit_i
                JOIN gen_plan p ON p.i = u.plan_i
                """,
                {"lo": lo, "hi": hi, "covered": covered},
            )
            cur.execute(
                """
                INSERT INTO claims_incidentreport (id, tenant_id, organisation_id, member_id,
                    plan_id, number,
                    event_kind, cause, event_date, description, reported_on, deadline,
                        deadline_provisional, late,
                    status, reporter_name, reporter_phone, late_reason, created_at)
                SELECT report_id, %(tenant)s, unit_id, member_id, plan_id, 'BA' || k,
                    'illness', '', event_date,
                       '基准报案', event_date + 2, event_date + 10, false, false, 'accepted', '',
                           '', '',
                       event_date + 2
                FROM gen_claim
                """,
                {"tenant": tenant.pk},
            )
            # Status by bucket; a claim whose decision would lie after "today" is still in review.
            cur.execute(
                """
                INSERT INTO claims_claim (id, tenant_id, organisation_id, report_id, member_id,
                    plan_id, number,
                    status, event_kind, event_date, condition, cause, facts, exclusions,
                        expires_on, reminded_30,
                    reminded_7, payee_name, payee_relation, bank_name, bank_account,
                        assessed_amount,
                    needs_four_eyes, approved_amount, adjustment_reason, approved_on, payout_due,
                    payout_due_provisional, near_limit, decision_reason, paid_amount, paid_on,
                        submitted_at,
                    created_at, updated_at)
                SELECT id, %(tenant)s, unit_id, report_id, member_id, plan_id, 'LP' || k,
                    s.status, 'illness',
                       event_date, '', '', '{}'::jsonb, '[]'::jsonb, event_date + 365, false,
                           false, '', 'self',
                       '', '', s.amount, s.amount >= 10000,
                           CASE WHEN s.approved THEN s.amount END, '',
                       CASE WHEN s.approved THEN approved_on END,
                           CASE WHEN s.approved THEN approved_on + 42 END,
                       false, false, '', CASE WHEN s.status = 'paid' THEN s.amount END,
                       CASE WHEN s.status = 'paid' THEN approved_on + (k %% 50) END,
                       CASE WHEN s.status <> 'draft' THEN event_date + 5 END, event_date + 3,
                           event_date + 3
                FROM (
                    SELECT g.*,
                           CASE WHEN bucket >= 98 THEN 'draft'
                                WHEN approved_on > %(today)s THEN 'submitted'
                                WHEN bucket < 80 AND approved_on + 49 <= %(today)s
                                     AND (bucket < 70 OR approved_on + 120 <= %(today)s) THEN 'paid'
                                WHEN bucket < 80 THEN
                                    CASE WHEN bucket %% 2 = 0 THEN 'approved' ELSE 'in_batch' END
                                WHEN bucket < 92 THEN 'rejected'
                                WHEN event_date + 90 > %(today)s THEN 'submitted'
                                ELSE 'rejected' END AS status,
                           CASE WHEN k %% 50 = 0 THEN 10000.00
                                WHEN k %% 50 < 4 THEN 15000 + (k %% 7) * 5000
                                ELSE 500 + (k * 37) %% 9000 END::numeric(14, 2) AS amount
                    FROM gen_claim g
                ) s0
                CROSS JOIN LATERAL (SELECT s0.status, s0.amount,
                                           s0.status IN ('paid', 'approved',
                                               'in_batch') AS approved) s
                """,
                {"tenant": tenant.pk, "today": dt.date(2026, 11, 25)},
            )
            cur.execute("DROP TABLE gen_claim")
            log(f"claims: {hi}", started)
        cur.execute("VACUUM ANALYZE")
        log("vacuum analyze", started)
    return {
        "tenant": str(tenant.pk),
        "units": units,
        "members": units * per_unit,
        "covered_members": covered,
        "policies": made,
        "claims": claims,
        "generate_seconds": round(time.perf_counter() - started, 1),
    }
