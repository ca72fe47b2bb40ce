"""Which tenant the current unit of work acts for — in Python and in PostgreSQL.

Every entry point of the portal opens a *scope* in one place each: the request middleware
(pages), the API base view (a token's tenant is known only after authentication), the
Celery task base class (tasks and the job runner) and the management command base class.
A scope does two things on the database connection:

- ``SET ROLE`` to the application role (``TENANCY_DB_ROLE``): a role that owns no table
  and has no BYPASSRLS, so row-level security applies even where the process connected
  as a more powerful role (the test suite, an operator's shell);
- ``mutualaid.tenant_id`` = the tenant: every tenant table's policy compares its
  ``tenant_id`` with it (``mutualaid/tenancy/rls.py``). No tenant set → no rows.

Both are *session* settings, set on entry and restored on exit (``try/finally``), and
re-applied to a connection opened inside the scope (``connection_created``). Django runs
in autocommit, so ``SET LOCAL`` would last one statement; a request is not one
transaction. A scope nests: the previous values come back when the inner one ends.

In Python, a query through a tenant model's manager inside a scope without a tenant
raises ``TenantScopeError`` when ``TENANCY_GUARD`` is on (tests and DEBUG): a missing
scope fails loudly in CI rather than returning nothing in production. Code outside any
scope (migrations, the test suite's own setup, an operator's shell) is not an entry point
and is not guarded; the database still is, for the application role.

``operator_bypass`` is the one way across tenants: it leaves the application role for the
connecting role (which must own the tables or have BYPASSRLS — never the web's), and
logs who did it and why.
"""

from __future__ import annotations

import contextlib
import contextvars
import getpass
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.backends.signals import connection_created

logger = logging.getLogger("mutualaid.tenancy")

#: The PostgreSQL setting every tenant table's policy reads.
TENANT_SETTING = "mutualaid.tenant_id"


class TenantScopeError(RuntimeError):
    """A tenant table was queried inside an entry point that set no tenant."""


@dataclass(frozen=True)
class Scope:
    #: The tenant acted for, or None (an anonymous request, a task before it knows).
    tenant_id: uuid.UUID | None
    #: An operator's audited bypass: the connecting role, all tenants.
    bypass: bool = False
    #: What opened it (for messages): "request", "api", "task …", "command …".
    origin: str = ""


_scope: contextvars.ContextVar[Scope | None] = contextvars.ContextVar("tenant_scope", default=None)


def current() -> Scope | None:
    """The open scope, or None outside every entry point."""
    return _scope.get()


def current_tenant_id() -> uuid.UUID | None:
    scope = _scope.get()
    return scope.tenant_id if scope else None


def app_role() -> str:
    return getattr(settings, "TENANCY_DB_ROLE", "mutualaid_app")


def guard(model) -> None:
    """Called by every tenant model's manager: raise when an entry point forgot its tenant."""
    scope = _scope.get()
    if scope is None or scope.bypass or scope.tenant_id is not None:
        return
    if getattr(settings, "TENANCY_GUARD", False):
        raise TenantScopeError(
            f"{model._meta.label} queried in {scope.origin or 'a scope'} with no tenant set: "
            "open tenant_scope(tenant_id) (or activate the actor's tenant) first."
        )


def _as_uuid(tenant_id) -> uuid.UUID | None:
    if tenant_id is None or tenant_id == "":
        return None
    return tenant_id if isinstance(tenant_id, uuid.UUID) else uuid.UUID(str(tenant_id))


def _apply(scope: Scope | None, conn=None, *, user_id=None) -> uuid.UUID | None:
    """Put ``scope`` on the database connection (one round trip). With ``user_id``, the
    tenant is that staff user's, looked up in the same statement by the SECURITY DEFINER
    function ``mutualaid_staff_tenant`` (rls.py); returns the tenant set."""
    conn = conn or connection
    if conn.vendor != "postgresql":  # pragma: no cover - PostgreSQL only
        return None
    if user_id is None and conn.connection is None:
        # Not connected yet: nothing to set now or to restore later; a connection opened
        # inside the scope gets it from ``connection_created``.
        return scope.tenant_id if scope else None
    if scope is None or scope.bypass:
        role, tenant = "none", ""
    else:
        role, tenant = app_role(), str(scope.tenant_id or "")
    with conn.cursor() as cursor:
        if user_id is not None and scope is not None and not scope.bypass:
            cursor.execute(
                "SELECT set_config('role', %s, false), set_config(%s, "
                "COALESCE(mutualaid_staff_tenant(%s)::text, ''), false)",
                [role, TENANT_SETTING, user_id],
            )
        else:
            cursor.execute(
                "SELECT set_config('role', %s, false), set_config(%s, %s, false)",
                [role, TENANT_SETTING, tenant],
            )
        return _as_uuid(cursor.fetchone()[1])


def _on_connection_created(sender, connection, **kwargs) -> None:
    # A connection (re)opened inside a scope — after a health check dropped the old one —
    # gets the scope too; a pooled connection opened outside one starts with no tenant.
    scope = _scope.get()
    if scope is not None:
        _apply(scope, connection)


connection_created.connect(_on_connection_created, dispatch_uid="tenancy-scope")


@contextlib.contextmanager
def _entered(scope: Scope, *, user_id=None) -> Iterator[Scope]:
    token = _scope.set(scope)
    try:
        if user_id is not None:
            scope = Scope(_apply(scope, user_id=user_id), origin=scope.origin)
            _scope.set(scope)
        else:
            _apply(scope)
        yield scope
    finally:
        _scope.reset(token)
        previous = _scope.get()
        try:
            _apply(previous)
        except Exception:  # noqa: BLE001 - a broken connection is closed by Django anyway
            logger.warning("tenancy: could not restore the scope; closing the connection")
            connection.close()


def tenant_scope(tenant_id, *, origin: str = "") -> contextlib.AbstractContextManager[Scope]:
    """Act for ``tenant_id`` (or for no tenant, when None) until the block ends."""
    return _entered(Scope(_as_uuid(tenant_id), origin=origin or "tenant_scope"))


def user_scope(user, *, origin: str) -> contextlib.AbstractContextManager[Scope]:
    """The scope of a request: the signed-in staff user's tenant (none for anyone else),
    looked up and set in one statement."""
    user_id = user.pk if user is not None and user.is_authenticated and user.is_active else None
    if user_id is None:
        return _entered(Scope(None, origin=origin))
    return _entered(Scope(None, origin=origin), user_id=user_id)


def activate_user(user) -> uuid.UUID | None:
    """``activate`` the tenant of ``user`` (the API, once DRF has authenticated a token)."""
    scope = _scope.get()
    if scope is None:
        raise TenantScopeError("activate_user() needs an open scope.")
    if user is None or not user.is_authenticated or not user.is_active:
        return scope.tenant_id
    if scope.tenant_id is not None:
        return scope.tenant_id  # the middleware knew the user (session)
    tenant_id = _apply(scope, user_id=user.pk)
    _scope.set(Scope(tenant_id, bypass=scope.bypass, origin=scope.origin))
    return tenant_id


def activate(tenant_id) -> None:
    """Set the tenant of the scope already open (the API base view, once a token's user is
    known; the login view, once the user is). Restored when that scope ends."""
    scope = _scope.get()
    if scope is None:
        raise TenantScopeError("activate() needs an open scope (middleware, task, command).")
    new = Scope(_as_uuid(tenant_id), bypass=scope.bypass, origin=scope.origin)
    _scope.set(new)
    _apply(new)


@contextlib.contextmanager
def operator_bypass(reason: str, *, who: str | None = None) -> Iterator[Scope]:
    """Work across tenants as the connecting role (an operator's command: seeding the demo,
    creating a tenant). Logged with the operator and the reason; refused when the
    connection is the application role itself, which can never see across tenants."""
    if not reason:
        raise ValueError("operator_bypass needs a reason")
    who = who or getpass.getuser()
    with _entered(Scope(None, bypass=True, origin=f"operator bypass: {reason}")) as scope:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user"
            )
            powerful = bool(cursor.fetchone()[0])
            cursor.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
                "AND tableowner = current_user"
            )
            owner = cursor.fetchone()[0] > 0
        if not (powerful or owner):
            raise TenantScopeError(
                "operator_bypass: this connection's role owns no table and cannot bypass "
                "row-level security; run the command with the owner's DATABASE_URL."
            )
        logger.warning("tenancy: operator bypass by %s: %s", who, reason)
        yield scope


def each_tenant(work: Callable[[uuid.UUID], Any], *, origin: str = "") -> dict[str, Any]:
    """Run ``work(tenant_id)`` once per tenant, each in its own scope (beat tasks that
    concern every office). Returns ``{tenant id: result}``."""
    from mutualaid.tenancy.models import Tenant  # the tenant list itself is not scoped

    results = {}
    for tenant_id in Tenant.objects.order_by("pk").values_list("pk", flat=True):
        with tenant_scope(tenant_id, origin=origin or "each_tenant"):
            results[str(tenant_id)] = work(tenant_id)
    return results


def combined(results: Iterable[Any]) -> Any:
    """Add up per-tenant results: numbers add, dicts add key by key, lists join."""
    total: Any = None
    for value in results:
        if total is None:
            total = value
        elif isinstance(value, dict):
            total = {k: combined([total.get(k), value.get(k)]) for k in {**total, **value}}
        elif isinstance(value, list):
            total = [*total, *value]
        elif isinstance(value, int | float) and not isinstance(value, bool):
            total = total + value
        elif value is not None:
            total = value
    return total
