"""Row-level security and composite tenant keys, made true in the database after every
``migrate`` (``post_migrate``), from the models themselves, so a new tenant table cannot
be forgotten:

- every concrete ``TenantModel`` table: ``ENABLE ROW LEVEL SECURITY`` and one policy,
  ``tenant_id = current_setting('mutualaid.tenant_id')`` for reading and writing (an
  unset or empty setting matches nothing);
- every ``TenantForeignKey``: the composite key (column, tenant_id) → parent (id,
  tenant_id), deferrable like Django's own keys — except one declared ``implied_by``
  another key (``base.TenantForeignKey``), which ``check_tenant_keys`` proves;
- the application role may read and write every table and use every sequence, and
  execute ``mutualaid_staff_tenant(user)`` — the one lookup that runs before a tenant is
  known (which tenant a signed-in user works in), a SECURITY DEFINER function that
  returns nothing but that id.

The statements are idempotent and checked first (one catalogue query when nothing is
missing), so they also run after the test suite's flushes. The migrating role must own
the tables (it created them); the application role must exist (``manage.py db_roles``,
docs/operations.md).
"""

from __future__ import annotations

import hashlib
import logging

from django.apps import apps
from django.core import checks
from django.db import connections

from mutualaid.tenancy.base import TenantForeignKey, TenantOneToOneField
from mutualaid.tenancy.context import TENANT_SETTING, app_role

logger = logging.getLogger("mutualaid.tenancy")

POLICY = "tenant_rows"
#: Names this policy had before (replaced by ``ensure``).
OLD_POLICIES = ("tenant_isolation",)
#: The policy's expression (an unset setting → NULL → no row). The scalar subquery is
#: evaluated once per statement (an InitPlan), not once per row: about 10 % of a list
#: query's time on the bench tenant without it (docs/benchmarks.md).
TENANT_MATCH = f"tenant_id = (SELECT NULLIF(current_setting('{TENANT_SETTING}', true), '')::uuid)"


#: The look-ups that run before a tenant is known, each a SECURITY DEFINER function that
#: answers only a tenant id: (function, key type, table, key column).
TENANT_LOOKUPS = (
    # The middleware: the tenant a signed-in staff user works in.
    ("mutualaid_staff_tenant", "uuid", "tenancy_staff", "user_id"),
    # The API's token authentication: the tenant of a token, by its secret's digest.
    ("mutualaid_api_token_tenant", "text", "api_apitoken", "digest"),
    # The job runner: a job message sent before jobs carried their tenant.
    ("mutualaid_job_tenant", "uuid", "jobs_job", "id"),
)

#: Look-ups that may answer several tenants (a person known to more than one office):
#: SECURITY DEFINER functions returning SETOF uuid, registered by the app that owns the
#: table (``register_tenant_set_lookup`` in its ``AppConfig.ready``), so the kernel names
#: no app's table itself. The member self-service registers
#: ``mutualaid_member_tenants(id_number)`` (members/apps.py).
TENANT_SET_LOOKUPS: list[tuple[str, str, str]] = []


def register_tenant_set_lookup(name: str, argument: str, query: str) -> None:
    """``query``: the function's SQL body, reading its key as ``p_key`` and answering
    tenant ids only."""
    entry = (name, argument, query)
    if entry not in TENANT_SET_LOOKUPS:
        TENANT_SET_LOOKUPS.append(entry)


def tenant_models() -> list:
    return [
        model
        for model in apps.get_models()
        if getattr(model, "tenant_table", False) and not model._meta.proxy
    ]


def _name(*parts: str) -> str:
    name = "_".join(parts)
    if len(name) <= 63:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[:54]}_{digest}"


def composite_keys() -> list[tuple[str, str, str, str, str]]:
    """(constraint, table, column, parent table, parent column) for every TenantForeignKey."""
    keys = []
    for model in tenant_models():
        for field in model._meta.local_fields:
            if isinstance(field, TenantForeignKey | TenantOneToOneField):
                if getattr(field, "implied_by", None):
                    continue
                parent = field.related_model
                table = model._meta.db_table
                keys.append(
                    (
                        _name(table, field.column, "tfk"),
                        table,
                        field.column,
                        parent._meta.db_table,
                        field.target_field.column,
                    )
                )
    return keys


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def ensure(using: str = "default", verbosity: int = 1) -> list[str]:
    """Create what is missing; returns the statements it ran."""
    connection = connections[using]
    role = app_role()
    tables = sorted({model._meta.db_table for model in tenant_models()})
    statements: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            raise RuntimeError(
                f"The application role {role!r} does not exist: create it first "
                "(python manage.py db_roles, docs/operations.md 'Database roles')."
            )
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relname = ANY(%s) AND c.relrowsecurity",
            [tables],
        )
        secured = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT tablename FROM pg_policies WHERE schemaname = current_schema() "
            "AND policyname = %s",
            [POLICY],
        )
        with_policy = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
            "WHERE n.nspname = current_schema() AND c.contype = 'f'"
        )
        existing_keys = {row[0] for row in cursor.fetchall()}

        for table in tables:
            if table not in secured:
                statements.append(f"ALTER TABLE {_quote(table)} ENABLE ROW LEVEL SECURITY")
            if table not in with_policy:
                statements += [
                    f"DROP POLICY IF EXISTS {old} ON {_quote(table)}" for old in OLD_POLICIES
                ]
                statements.append(
                    f"CREATE POLICY {POLICY} ON {_quote(table)} "
                    f"USING ({TENANT_MATCH}) WITH CHECK ({TENANT_MATCH})"
                )
        for name, table, column, parent, parent_column in composite_keys():
            if name not in existing_keys:
                statements.append(
                    f"ALTER TABLE {_quote(table)} ADD CONSTRAINT {_quote(name)} "
                    f"FOREIGN KEY ({_quote(column)}, tenant_id) "
                    f"REFERENCES {_quote(parent)} ({_quote(parent_column)}, tenant_id) "
                    "DEFERRABLE INITIALLY DEFERRED"
                )
        # Cheap and idempotent: the grants (new tables of this migrate included) and the
        # look-ups that run before the tenant is known.
        statements += [
            f"GRANT USAGE ON SCHEMA public TO {_quote(role)}",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public "
            f"TO {_quote(role)}",
            f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {_quote(role)}",
        ]
        for name, argument, table, column in TENANT_LOOKUPS:
            statements += [
                f"CREATE OR REPLACE FUNCTION {name}(p_key {argument}) RETURNS uuid "
                "LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS "
                f"$$ SELECT tenant_id FROM {table} WHERE {column} = p_key $$",
                f"REVOKE ALL ON FUNCTION {name}({argument}) FROM PUBLIC",
                f"GRANT EXECUTE ON FUNCTION {name}({argument}) TO {_quote(role)}",
            ]
        for name, argument, query in TENANT_SET_LOOKUPS:
            statements += [
                f"CREATE OR REPLACE FUNCTION {name}(p_key {argument}) RETURNS SETOF uuid "
                "LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS "
                f"$$ {query} $$",
                f"REVOKE ALL ON FUNCTION {name}({argument}) FROM PUBLIC",
                f"GRANT EXECUTE ON FUNCTION {name}({argument}) TO {_quote(role)}",
            ]
        for statement in statements:
            cursor.execute(statement)
    changed = [s for s in statements if not s.startswith(("GRANT", "REVOKE", "CREATE OR"))]
    if changed and verbosity:
        logger.info("tenancy: %d row-security statements applied", len(changed))
    return changed


def on_post_migrate(sender, using="default", verbosity=1, **kwargs) -> None:
    ensure(using=using, verbosity=verbosity)


@checks.register(checks.Tags.models)
def check_tenant_keys(app_configs=None, **kwargs):
    """A composite key needs its parent's unique (id, tenant) (``tenant_key()``)."""
    errors = []
    for model in tenant_models():
        for field in model._meta.local_fields:
            if not isinstance(field, TenantForeignKey | TenantOneToOneField):
                continue
            parent = field.related_model
            wanted = {field.target_field.name, "tenant"}
            keys = [
                set(c.fields)
                for c in parent._meta.constraints
                if getattr(c, "fields", None) and not getattr(c, "condition", None)
            ]
            if not getattr(parent, "tenant_table", False) or wanted not in keys:
                errors.append(
                    checks.Error(
                        f"{model._meta.label}.{field.name} is a TenantForeignKey but "
                        f"{parent._meta.label} has no tenant_key() constraint.",
                        obj=model,
                        id="tenancy.E001",
                    )
                )
            if getattr(field, "implied_by", None):
                problem = implied_key_problem(model, field)
                if problem:
                    errors.append(
                        checks.Error(
                            f"{model._meta.label}.{field.name}: implied_by="
                            f"{field.implied_by!r} does not hold: {problem}.",
                            obj=model,
                            id="tenancy.E002",
                        )
                    )
    return errors


def _equates(condition, a: str, b: str) -> bool:
    """A check condition that is exactly ``a = b`` (as ``Q(a=F(b))`` or ``Q(b=F(a))``)."""
    from django.db.models import F, Q

    if not isinstance(condition, Q) or condition.negated or len(condition.children) != 1:
        return False
    child = condition.children[0]
    if not isinstance(child, tuple):
        return False
    lookup, value = child
    if not isinstance(value, F):
        return False
    names = {a, f"{a}_id", f"{a}__exact"}, {b, f"{b}_id", f"{b}__exact"}
    return (lookup in names[0] and value.name in names[1]) or (
        lookup in names[1] and value.name in names[0]
    )


def implied_key_problem(model, field) -> str | None:
    """Why ``field``'s composite key is NOT implied by ``field.implied_by`` (None: it is).

    It is when (1) a check constraint of the model says ``field = other``; (2) ``other``
    has its own composite key (column, tenant_id) → its parent (target, tenant_id); and
    (3) that target column is itself a composite key to ``field``'s parent and column. Then
    a row's (field, tenant) is its parent's (target, tenant), which the database proved
    exists in ``field``'s parent with the same tenant."""
    from django.db.models import CheckConstraint

    try:
        other = model._meta.get_field(field.implied_by)
    except Exception:  # noqa: BLE001 - FieldDoesNotExist, reported as the problem
        return f"{model._meta.label} has no field {field.implied_by!r}"
    if not isinstance(other, TenantForeignKey | TenantOneToOneField) or getattr(
        other, "implied_by", None
    ):
        return f"{other.name} has no composite key of its own"
    if not any(
        isinstance(c, CheckConstraint) and _equates(c.condition, field.name, other.name)
        for c in model._meta.constraints
    ):
        return f"no check constraint says {field.name} = {other.name}"
    step = other.target_field
    if (
        not isinstance(step, TenantForeignKey | TenantOneToOneField)
        or getattr(step, "implied_by", None)
        or step.related_model is not field.related_model
        or step.target_field.column != field.target_field.column
    ):
        return (
            f"{other.related_model._meta.label}.{step.name} is not a composite key to "
            f"{field.related_model._meta.label}.{field.target_field.name}"
        )
    return None
