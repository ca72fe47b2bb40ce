"""Checks the Makefile runs before it needs a service, so a missing one fails in one clear line.

    python scripts/preflight.py test     PostgreSQL and Redis of the test settings answer, or exit 1
    python scripts/preflight.py redis    exit 0 if the Celery broker (Redis) answers, else 1 (quiet)
    python scripts/preflight.py port N   exit 1 with a message if TCP port N is taken

Settings come from DJANGO_SETTINGS_MODULE, so the addresses checked are the ones the
code will use.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _settings():
    from django.conf import settings

    return settings


def _postgres_error() -> str | None:
    import psycopg

    db = _settings().DATABASES["default"]
    # The maintenance database: the test database does not exist yet (pytest creates it).
    params = {
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "dbname": "postgres",
        "connect_timeout": 3,
    }
    try:
        with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        where = f"{db.get('HOST') or 'local socket'}:{db.get('PORT') or 5432} as {db.get('USER')}"
        return f"PostgreSQL at {where} is unreachable: {str(exc).strip().splitlines()[0]}"
    return None


def _redis_error() -> str | None:
    import redis

    url = _settings().CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return None  # another broker: nothing we know how to ping
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        return f"Redis at {url} is unreachable: {exc}"
    return None


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else ""
    if command == "test":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings_test")
        problems = [p for p in (_postgres_error(), _redis_error()) if p]
        for problem in problems:
            print(f"preflight: {problem}", file=sys.stderr)
        if problems:
            print(
                "preflight: the tests need PostgreSQL and Redis running (DATABASE_URL, REDIS_URL; "
                "see README.md, Configuration).",
                file=sys.stderr,
            )
            return 1
        print("preflight: PostgreSQL and Redis answer")
        return 0
    if command == "redis":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
        return 1 if _redis_error() else 0
    if command == "port" and len(argv) == 3:
        port = int(argv[2])
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("0.0.0.0", port))
            except OSError:
                print(
                    f"Port {port} is already in use: stop what runs there or pick another, "
                    f"e.g. PORT={port + 1} make demo",
                    file=sys.stderr,
                )
                return 1
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
