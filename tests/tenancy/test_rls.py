"""Tenant isolation held by PostgreSQL itself (row-level security, composite keys; SPEC §1, §14).

The rows: every builder of the isolation registry (tests/isolation.py) makes tenant A's
objects of every kind, and a second tenant gets its own. Then, as the application role
(``SET ROLE``, as every scope does; and once over a real login of that role):

- with tenant B set, raw SQL on every tenant table returns exactly B's rows — none of A's;
- inserting a row of tenant A while B is set is refused by the database;
- with no tenant set, nothing comes back;
- a child row pointing at another tenant's parent raises IntegrityError, for every
  composite key.
"""

from __future__ import annotations

import datetime as dt
import uuid

import psycopg
import pytest
from django.conf import settings
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.utils import timezone
from psycopg import sql

from members.selfservice.models import OneTimeCode
from mutualaid.calendar.models import CalendarDay, CalendarReminder, CalendarYear
from mutualaid.notifications.models import ArchivedNotification, DeliveryPreference, DigestSent
from mutualaid.tenancy import context, rls
from mutualaid.tenancy.context import TenantScopeError, tenant_scope
from stats.models import ReturnSettings
from stats.refresh import summaries_refresh
from tests import factories, isolation

#: Tenant tables the registry's builders leave empty (each named, so a new table is seen).
NOT_BUILT: set[str] = set()


def _ident(name: str) -> sql.Identifier:
    return sql.Identifier(name)


def _tables() -> list[str]:
    return sorted({model._meta.db_table for model in rls.tenant_models()})


def _count_by_tenant(cursor, table: str) -> dict[str, int]:
    cursor.execute(
        sql.SQL("SELECT tenant_id::text, count(*) FROM {} GROUP BY 1").format(_ident(table))
    )
    return dict(cursor.fetchall())


@pytest.fixture
def two_tenants(world):
    """Rows of tenant A in every tenant table (the registry's builders), and of B in many."""
    for builder in isolation.OBJECT_URLS.values():
        try:
            with transaction.atomic():
                builder(world)
        except IntegrityError:
            pass  # two builders make the same once-only row (a month's return): one is enough
    isolation.run_unit_a1_markers(world)
    # What no page builds by id: a transfer, a tenant's calendar and settings, summaries.
    a = world.tenant
    sibling_node = world.sibling_unit
    factories.make_transfer(factories.make_member(world.unit), sibling_node, world.office_admin)
    coded = factories.make_member(world.unit)
    OneTimeCode.objects.create(
        tenant=a, member=coded, purpose="sign_in", phone="13912345678", digest="0" * 64
    )
    CalendarYear.objects.create(tenant=a, year=2031, source="manual")
    CalendarDay.objects.create(tenant=a, date=dt.date(2031, 1, 1), kind="rest", name="元旦")
    CalendarReminder.objects.create(tenant=a, year=2031, sent_on=dt.date(2030, 11, 1))
    ReturnSettings.objects.get_or_create(tenant=a)
    DeliveryPreference.objects.create(user=world.agent, tenant=a, email_mode="digest")
    DigestSent.objects.create(tenant=a, recipient=world.agent, day=dt.date(2026, 12, 1))
    ArchivedNotification.objects.create(
        id=uuid.uuid4(),
        tenant=a,
        organisation=world.unit,
        recipient=world.agent,
        kind="test",
        created_at=timezone.now(),
    )
    with tenant_scope(a.pk):
        summaries_refresh(tenant_id=a.pk)
    # A federation's unit of individually enrolled members (issue 17.4).
    from individuals.models import IndividualsUnit
    from mutualaid.tenancy.models import OrganisationKind

    holder = factories.make_node(world.city, OrganisationKind.UNIT, "甲市总工会 新就业形态劳动者")
    IndividualsUnit.objects.create(
        federation=world.city, tenant=a, unit=factories.make_unit(holder)
    )
    # Tenant B: a plan, members, an invoice and payment, a claim, an audit event, a job.
    plan = factories.make_plan(world.other_unit)
    member = factories.make_member(world.other_unit)
    factories.make_payment(factories.make_invoice(world.other_unit))
    factories.make_claim(member, plan)
    factories.make_job(world.other_unit, world.other_tenant_agent)
    factories.make_audit_event(world.other_unit, actor_user=world.other_tenant_admin)
    return world


def test_every_table_with_a_tenant_column_has_row_level_security_and_the_policy(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.table_name FROM information_schema.columns c "
            "JOIN information_schema.tables t USING (table_schema, table_name) "
            "WHERE c.table_schema = current_schema() AND c.column_name = 'tenant_id' "
            "AND t.table_type = 'BASE TABLE'"
        )
        with_tenant_column = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relrowsecurity AND relkind = 'r' "
            "AND relnamespace = current_schema()::regnamespace"
        )
        secured = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT tablename, qual, with_check FROM pg_policies "
            "WHERE schemaname = current_schema() AND policyname = %s",
            [rls.POLICY],
        )
        policies = {row[0]: row[1:] for row in cursor.fetchall()}
    assert with_tenant_column == set(_tables()), "a table with tenant_id is not a TenantModel"
    assert set(_tables()) <= secured
    for table in _tables():
        qual, check = policies[table]
        assert "mutualaid.tenant_id" in qual and "mutualaid.tenant_id" in check, table


def test_the_application_role_owns_nothing_and_cannot_bypass(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles "
            "WHERE rolname = %s",
            [settings.TENANCY_DB_ROLE],
        )
        assert cursor.fetchone() == (False, False, False, False)
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
            "WHERE r.rolname = %s",
            [settings.TENANCY_DB_ROLE],
        )
        assert cursor.fetchone()[0] == 0


def test_as_the_application_role_each_tenant_reads_only_its_own_rows(two_tenants):
    w = two_tenants
    a, b = str(w.tenant.pk), str(w.other_tenant.pk)
    with connection.cursor() as cursor:
        truth = {table: _count_by_tenant(cursor, table) for table in _tables()}
    empty_for_a = sorted(t for t in _tables() if not truth[t].get(a) and t not in NOT_BUILT)
    assert not empty_for_a, f"the builders made no row of tenant A in {empty_for_a}"
    assert sum(1 for t in _tables() if truth[t].get(b)) >= 5, "tenant B has too few rows"

    for tenant, other in ((b, a), (a, b)):
        with tenant_scope(tenant), connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == settings.TENANCY_DB_ROLE
            for table in _tables():
                seen = _count_by_tenant(cursor, table)
                assert set(seen) <= {tenant}, f"{table}: rows of another tenant are visible"
                assert seen.get(tenant, 0) == truth[table].get(tenant, 0), table
                assert truth[table].get(other, 0) == 0 or other not in seen

    with tenant_scope(None), connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(_ident(table)))
            assert cursor.fetchone()[0] == 0, f"{table}: rows visible with no tenant set"


def test_writing_a_row_of_another_tenant_is_refused_by_the_database(world):
    a, b = world.tenant.pk, world.other_tenant.pk
    with tenant_scope(b), connection.cursor() as cursor:
        for tenant in (a, None):
            with pytest.raises(ProgrammingError, match="row-level security"), transaction.atomic():
                cursor.execute(
                    "INSERT INTO workcalendar_calendaryear (tenant_id, year, source, created_at) "
                    "VALUES (%s, 2031, 'manual', now())",
                    [tenant],
                )
        # Moving one of B's rows into A is refused as well (WITH CHECK).
        cursor.execute(
            "INSERT INTO workcalendar_calendaryear (tenant_id, year, source, created_at) "
            "VALUES (%s, 2031, 'manual', now()) RETURNING id",
            [b],
        )
        row_id = cursor.fetchone()[0]
        with pytest.raises(ProgrammingError, match="row-level security"), transaction.atomic():
            cursor.execute(
                "UPDATE workcalendar_calendaryear SET tenant_id = %s WHERE id = %s", [a, row_id]
            )
        # A's rows cannot be changed or deleted from B: they are not there.
        cursor.execute("UPDATE members_member SET name = 'x' WHERE tenant_id = %s", [a])
        assert cursor.rowcount == 0
        cursor.execute("DELETE FROM tenancy_organisation WHERE tenant_id = %s", [a])
        assert cursor.rowcount == 0


def _one_row(cursor, table: str, column: str, tenant: str, *, not_null: bool):
    condition = sql.SQL(" AND {} IS NOT NULL").format(_ident(column)) if not_null else sql.SQL("")
    cursor.execute(
        sql.SQL("SELECT ctid::text FROM {} WHERE tenant_id = %s{} LIMIT 1").format(
            _ident(table), condition
        ),
        [tenant],
    )
    row = cursor.fetchone()
    return row[0] if row else None


def test_a_child_can_never_point_at_another_tenants_parent(two_tenants):
    """Every composite key, tried: one of A's children re-pointed at a parent of B."""
    w = two_tenants
    a, b = str(w.tenant.pk), str(w.other_tenant.pk)
    factories.make_member(w.other_unit)  # a parent row in B of the kinds below at least
    by_key, by_other, untried = [], [], []
    with connection.cursor() as cursor:
        # Audit events refuse UPDATE by a trigger (append-only); the key is what is tried here.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        for name, table, column, parent, parent_column in rls.composite_keys():
            child = _one_row(cursor, table, column, a, not_null=True) or _one_row(
                cursor, table, column, a, not_null=False
            )
            cursor.execute(
                sql.SQL("SELECT {} FROM {} WHERE tenant_id = %s LIMIT 1").format(
                    _ident(parent_column), _ident(parent)
                ),
                [b],
            )
            foreign = cursor.fetchone()
            if child is None or foreign is None:
                untried.append(name)
                continue
            with pytest.raises(IntegrityError) as refused, transaction.atomic():
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(
                    sql.SQL("UPDATE {} SET {} = %s WHERE ctid = %s::tid").format(
                        _ident(table), _ident(column)
                    ),
                    [foreign[0], child],
                )
            # Refused; mostly by the composite key itself, sometimes first by another rule
            # of the row (a check that the node is the unit's, a unique number per plan).
            (by_key if name in str(refused.value) else by_other).append(name)
    keys = rls.composite_keys()
    assert len(by_key) + len(by_other) >= len(keys) * 0.8, f"untried: {untried}"
    assert len(by_key) >= len(keys) * 0.6, f"refused by other rules first: {by_other}"
    assert len(rls.composite_keys()) >= 40


@pytest.mark.django_db(transaction=True)
def test_every_composite_key_is_declared_as_the_database_checks_it(db):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.conname, c.conrelid::regclass::text, c.confrelid::regclass::text,
                   (SELECT array_agg(a.attname ORDER BY k.i) FROM unnest(c.conkey)
                        WITH ORDINALITY k(n, i)
                        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n),
                   (SELECT array_agg(a.attname ORDER BY k.i) FROM unnest(c.confkey)
                        WITH ORDINALITY k(n, i)
                        JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n),
                   c.condeferrable
            FROM pg_constraint c WHERE c.contype = 'f'
            """
        )
        found = {row[0]: row[1:] for row in cursor.fetchall()}
    for name, table, column, parent, parent_column in rls.composite_keys():
        assert found[name] == (
            table,
            parent,
            [column, "tenant_id"],
            [parent_column, "tenant_id"],
            True,
        )


@pytest.mark.django_db(transaction=True)
def test_a_real_login_as_the_application_role_sees_one_tenant():
    """Not only SET ROLE: a connection that logs in as the application role."""
    tenant_a, office_a = factories.make_tenant()
    tenant_b, office_b = factories.make_tenant()
    db = settings.DATABASES["default"]
    params = {
        "host": db["HOST"] or None,
        "port": db["PORT"] or None,
        "dbname": connection.settings_dict["NAME"],
        "user": settings.TENANCY_DB_ROLE,
        "autocommit": True,
    }
    with psycopg.connect(**params) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tenancy_organisation")
        assert cursor.fetchone()[0] == 0
        cursor.execute(
            "SELECT set_config(%s, %s, false)", [context.TENANT_SETTING, str(tenant_a.pk)]
        )
        cursor.execute("SELECT DISTINCT tenant_id FROM tenancy_organisation")
        assert cursor.fetchall() == [(tenant_a.pk,)]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            cursor.execute(
                "INSERT INTO workcalendar_calendaryear (tenant_id, year, source, created_at) "
                "VALUES (%s, 2031, 'manual', now())",
                [tenant_b.pk],
            )
        # Leaving the role is impossible: it is the session's own.
        cursor.execute("RESET ROLE")
        cursor.execute(
            "SELECT count(*) FROM tenancy_organisation WHERE tenant_id = %s", [tenant_b.pk]
        )
        assert cursor.fetchone()[0] == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            cursor.execute("SET ROLE postgres")


# --- The guard: a missing scope fails loudly ---------------------------------------


def test_a_tenant_query_in_an_entry_point_without_a_tenant_raises(world):
    from claims.models import Claim

    with tenant_scope(None, origin="a task"), pytest.raises(TenantScopeError, match="Claim"):
        Claim.objects.count()
    with tenant_scope(world.tenant.pk):
        assert Claim.objects.count() == 0


def test_operator_bypass_reads_every_tenant_and_is_logged(world, caplog):
    from mutualaid.tenancy.models import Organisation

    with context.operator_bypass("a test of the bypass", who="ops"):
        tenants = set(Organisation.objects.values_list("tenant_id", flat=True))
    assert {world.tenant.pk, world.other_tenant.pk} <= tenants
    assert "operator bypass by ops: a test of the bypass" in caplog.text


def test_operator_bypass_is_refused_to_the_application_role(world):
    with connection.cursor() as cursor:
        # Connected as the application role (as the web is), RESET ROLE goes nowhere.
        cursor.execute(
            sql.SQL("SET SESSION AUTHORIZATION {}").format(_ident(settings.TENANCY_DB_ROLE))
        )
        try:
            with pytest.raises(TenantScopeError), context.operator_bypass("not allowed"):
                pass
        finally:
            cursor.execute("RESET SESSION AUTHORIZATION")


def test_scopes_nest_and_restore(world):
    a, b = world.tenant.pk, world.other_tenant.pk
    with tenant_scope(a):
        with tenant_scope(b):
            assert context.current_tenant_id() == b
        assert context.current_tenant_id() == a
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting(%s)", [context.TENANT_SETTING])
            assert cursor.fetchone()[0] == str(a)
    assert context.current() is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_setting(%s, true)", [context.TENANT_SETTING])
        assert cursor.fetchone() == (connection.settings_dict["USER"], "")
    assert uuid.UUID(str(a))
