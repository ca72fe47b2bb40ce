"""The two database roles (docs/operations.md, "Database roles").

- The **owner** (the role in the operator's DATABASE_URL: it runs ``migrate``, owns every
  table and so is not subject to row-level security) — created by whoever creates the
  database;
- the **application role** (``TENANCY_DB_ROLE``, default ``mutualaid_app``): LOGIN,
  no superuser, no BYPASSRLS, owns nothing. Web, workers and beat connect as it; every
  tenant scope also ``SET ROLE``s to it, so an operator's connection as the owner is
  held by the same rules inside a scope.

``ensure_app_role`` creates the application role when missing (needs CREATEROLE) and
makes the connecting role a member of it (so the owner may ``SET ROLE`` to it).
"""

from __future__ import annotations

from psycopg import sql


def ensure_app_role(cursor, role: str, password: str | None = None) -> bool:
    """Create ``role`` if missing; True when it was created. ``cursor`` is a psycopg cursor
    of a role with CREATEROLE (the owner, or a superuser)."""
    cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [role])
    row = cursor.fetchone()
    created = row is None
    if created:
        cursor.execute(
            sql.SQL(
                "CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT"
            ).format(sql.Identifier(role))
        )
    elif row[0] or row[1]:
        raise RuntimeError(
            f"The application role {role!r} is a superuser or bypasses row-level security; "
            "it must not (ALTER ROLE … NOSUPERUSER NOBYPASSRLS)."
        )
    if password:
        cursor.execute(
            sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(role), sql.Literal(password))
        )
    cursor.execute("SELECT current_user")
    me = cursor.fetchone()[0]
    if me != role:
        cursor.execute(
            "SELECT pg_has_role(current_user, %s, 'MEMBER')",
            [role],
        )
        if not cursor.fetchone()[0]:
            cursor.execute(
                sql.SQL("GRANT {} TO {}").format(sql.Identifier(role), sql.Identifier(me))
            )
    return created
