"""``manage.py db_roles``: create the application role (run as the owner, before migrate).

The password comes from DATABASE_APP_PASSWORD (none: local trust authentication).
``--print-url`` prints the DATABASE_URL the web, the workers and beat should use.
"""

from __future__ import annotations

import os
from urllib.parse import quote, urlsplit, urlunsplit

from django.core.management.base import BaseCommand
from django.db import connection

from mutualaid.tenancy.context import app_role
from mutualaid.tenancy.roles import ensure_app_role


def app_url(owner_url: str, role: str, password: str | None) -> str:
    parts = urlsplit(owner_url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.port:
        host = f"{host}:{parts.port}"
    user = quote(role, safe="")
    if password:
        user = f"{user}:{quote(password, safe='')}"
    return urlunsplit((parts.scheme, f"{user}@{host}", parts.path, parts.query, ""))


class Command(BaseCommand):
    help = "Create the application database role (no superuser, no BYPASSRLS)."

    def add_arguments(self, parser):
        parser.add_argument("--print-url", action="store_true")

    def handle(self, *args, print_url=False, **options):
        role = app_role()
        password = os.environ.get("DATABASE_APP_PASSWORD") or None
        with connection.cursor() as cursor:
            created = ensure_app_role(cursor.cursor, role, password)
        if print_url:
            self.stdout.write(app_url(os.environ["DATABASE_URL"], role, password))
        else:
            self.stdout.write(f"{role}: {'created' if created else 'exists'}")
