"""Statistics reads other apps only through the views they publish (``<app>/published.py``).

- the refresh's SQL names no table of another app, and no status of one (statuses are
  query parameters from the owning app);
- each published view leads with ``tenant_id``, reads only its own app's tables, and is
  ``security_invoker``: row-level security on those tables applies through it;
- the views' migrations leave the models and migrations in step.
"""

from __future__ import annotations

import inspect
import re
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

import claims.published
import enrolment.published
import members.published
import mutualaid.tenancy.published
import plans.published
import premiums.published
import stats
from claims.models import ClaimStatus
from enrolment.models import EnrolmentStatus, PolicyStatus
from members.models import EmploymentStatus
from premiums.models import PaymentKind
from stats import refresh
from stats.refresh import summaries_refresh
from tests.stats.conftest import AS_OF

#: App label → its published module (tenancy's app label is "tenancy").
PUBLISHERS = {
    "tenancy": mutualaid.tenancy.published,
    "plans": plans.published,
    "members": members.published,
    "enrolment": enrolment.published,
    "premiums": premiums.published,
    "claims": claims.published,
}
APP_PREFIX = re.compile(r"\b(?:" + "|".join(PUBLISHERS) + r")_\w+")


def published_views() -> dict[str, str]:
    """View name → the app label that publishes it (every ``*_VIEW`` of the modules)."""
    return {
        getattr(module, name): label
        for label, module in PUBLISHERS.items()
        for name in dir(module)
        if name.endswith("_VIEW")
    }


def foreign_tables() -> set[str]:
    """Every table of an app other than stats (many-to-many tables included)."""
    return {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label != "stats"
    }


def own_columns() -> set[str]:
    return {
        field.column
        for model in apps.get_app_config("stats").get_models()
        for field in model._meta.concrete_fields
    }


def view_columns(cur) -> set[str]:
    cur.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ANY(%s)",
        [list(published_views())],
    )
    return {row[0] for row in cur.fetchall()}


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text))


def test_the_views_are_named_after_their_app():
    views = published_views()
    assert len(views) == 8
    for view, label in views.items():
        assert view.startswith(f"{label}_stats_"), view


@pytest.mark.django_db
def test_the_refresh_sql_names_only_published_views_of_other_apps():
    source = inspect.getsource(refresh)
    assert not words(source) & foreign_tables()
    with connection.cursor() as cur:
        allowed = set(published_views()) | view_columns(cur) | own_columns()
    assert set(APP_PREFIX.findall(source)) - allowed == set()
    # Every published view but none of the tables is what the refresh reads.
    assert set(published_views()) <= words(source)


def test_no_module_of_stats_names_a_table_of_another_app():
    tables = foreign_tables()
    for path in Path(stats.__file__).parent.glob("*.py"):
        assert not words(path.read_text()) & tables, path.name


def test_the_refresh_sql_spells_no_status_of_another_app():
    values = {
        str(value)
        for choices in (ClaimStatus, PolicyStatus, EnrolmentStatus, EmploymentStatus, PaymentKind)
        for value in choices.values
    }
    literals = set(re.findall(r"'([^']*)'", inspect.getsource(refresh)))
    assert not literals & values
    # … and the values the SQL reads are the owning apps' own.
    sources = refresh.sources()
    assert sources["claim_paid"] == ClaimStatus.PAID
    assert sources["claim_awaiting_payout"] == [ClaimStatus.APPROVED, ClaimStatus.IN_BATCH]
    assert sources["member_gone"] == [EmploymentStatus.LEFT, EmploymentStatus.DIED]


def test_a_refresh_queries_no_table_of_another_app(stats_world):
    with CaptureQueriesContext(connection) as queries:
        summaries_refresh(tenant_id=stats_world.w.tenant.pk, as_of=AS_OF)
    executed = " ".join(q["sql"] for q in queries.captured_queries)
    assert not words(executed) & foreign_tables()
    assert set(published_views()) <= words(executed)


@pytest.mark.django_db
def test_each_view_leads_with_the_tenant_reads_its_own_app_and_runs_as_its_reader():
    views = published_views()
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT c.relname, c.relkind, c.reloptions, a.attname
            FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = 1
            WHERE c.relname = ANY(%s)
            """,
            [list(views)],
        )
        found = {name: (kind, options, first) for name, kind, options, first in cur.fetchall()}
        cur.execute(
            "SELECT view_name, table_name FROM information_schema.view_table_usage "
            "WHERE view_name = ANY(%s)",
            [list(views)],
        )
        reads = cur.fetchall()
    assert set(found) == set(views)
    for name, (kind, options, first) in found.items():
        assert (kind, first) == ("v", "tenant_id"), name
        assert "security_invoker=true" in options, name
    assert {view for view, _table in reads} == set(views)
    for view, table in reads:
        own = {m._meta.db_table for m in apps.get_app_config(views[view]).get_models()}
        assert table in own, (view, table)


def test_row_level_security_on_the_tables_applies_through_the_views(stats_world):
    """A reader limited to tenant A by row-level security sees tenant A only, through every
    view; a view without ``security_invoker`` would read as its owner and see both."""
    tenant = str(stats_world.w.tenant.pk)
    role = f"stats_rls_{uuid.uuid4().hex[:12]}"
    views = list(published_views())
    with connection.cursor() as cur:
        cur.execute(
            "SELECT DISTINCT table_name FROM information_schema.view_table_usage "
            "WHERE view_name = ANY(%s)",
            [views],
        )
        tables = [row[0] for row in cur.fetchall()]
        expected = {}
        for view in views:
            cur.execute(
                f"SELECT count(*) FILTER (WHERE tenant_id = %s), count(*) FROM {view}", [tenant]
            )
            expected[view] = cur.fetchone()
        # DDL and roles are transactional: the test's rollback undoes all of it. The data's
        # deferred key checks run first (a table with pending ones cannot be altered).
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute(f"CREATE ROLE {role} NOLOGIN")
        cur.execute(f"GRANT SELECT ON {', '.join(tables + views)} TO {role}")
        for table in tables:
            cur.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            cur.execute(
                f"CREATE POLICY {role} ON {table} FOR SELECT TO {role} "
                f"USING (tenant_id = '{tenant}'::uuid)"
            )
        cur.execute(f"SET LOCAL ROLE {role}")
        try:
            for view in views:
                cur.execute(f"SELECT count(*) FROM {view}")
                own, every = expected[view]
                assert 0 < own < every, view  # both tenants have rows …
                assert cur.fetchone()[0] == own, view  # … the reader sees its own only
        finally:
            cur.execute("RESET ROLE")


@pytest.mark.django_db
def test_makemigrations_finds_nothing_to_do():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    assert "No changes detected" in out.getvalue()
