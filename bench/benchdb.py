"""The benchmarks' database: a scratch database beside DATABASE_URL's, migrated.

open_database(name, reuse=False)  drop and create ``name`` (or keep it with ``reuse``)
                                  on the server of DATABASE_URL, point Django at it,
                                  migrate; returns its URL
checkpoint(cur=None)              write out the generator's WAL before timing
"""

from __future__ import annotations

import os
import sys

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/mutualaid"


def open_database(name: str, *, reuse: bool = False) -> str:
    base = os.environ.get("DATABASE_URL", DEFAULT_URL).rpartition("/")[0]
    if not reuse:
        import psycopg

        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
    url = f"{base}/{name}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings_test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url


def checkpoint(cur=None) -> None:
    """Write out the generator's WAL before timing, so the run does not pay for the
    generator's checkpoint (needs a superuser or pg_checkpoint; skipped otherwise)."""
    if cur is None:
        from django.db import connection

        with connection.cursor() as own:
            return checkpoint(own)
    try:
        cur.execute("CHECKPOINT")
    except Exception as error:  # noqa: BLE001 - a bench on a managed database may not allow it
        print(f"(no CHECKPOINT: {error})", file=sys.stderr)
    return None
