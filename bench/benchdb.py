"""The benchmarks' database and machine: a scratch database beside DATABASE_URL's, migrated,
and a meter of who used the CPU while a benchmark ran.

add_db_argument(parser, default)  ``--db NAME``: each person (or run) its own database, so two
                                  people on one server do not drop each other's
open_database(name, reuse=False)  drop and create ``name`` (or keep it with ``reuse``)
                                  on the server of DATABASE_URL, point Django at it,
                                  migrate; returns its URL
checkpoint(cur=None)              write out the generator's WAL before timing
Meter                             wall, own CPU, the database server's CPU (our sessions) and
                                  the CPU everything else used meanwhile, with the load
                                  average: ``with Meter() as m: ...; m.watch(connection)``
machine_line()                    one line on the machine: cores, load average, memory
"""

from __future__ import annotations

import os
import re
import sys
import time

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/mutualaid"
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def add_db_argument(parser, default: str) -> None:
    parser.add_argument(
        "--db",
        default=default,
        help=f"scratch database on DATABASE_URL's server (default {default}); "
        "made afresh unless --reuse",
    )


def open_database(name: str, *, reuse: bool = False) -> str:
    if not _NAME.match(name):
        raise SystemExit(f"--db {name!r}: lower-case letters, digits and _ only")
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


def machine_busy_seconds() -> float | None:
    """CPU seconds used so far by everything on this machine (Linux; None elsewhere)."""
    try:
        with open("/proc/stat") as f:
            ticks = [int(x) for x in f.readline().split()[1:9]]
    except OSError:
        return None
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # less idle, iowait


def backend_pid(connection) -> int:
    """The server process of a Django connection (opens it if needed)."""
    connection.ensure_connection()
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        return cur.fetchone()[0]


def process_cpu_seconds(pid: int) -> float | None:
    """utime + stime of a local process (None when it is not a local postgres process)."""
    try:
        with open(f"/proc/{pid}/comm") as f:
            if not f.read().startswith("postgres"):
                return None
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_cpu_seconds(connection) -> float | None:
    """CPU seconds used so far by this connection's server process, when the server runs on
    this machine (None otherwise)."""
    return process_cpu_seconds(backend_pid(connection))


def load_average() -> tuple[float, float, float] | None:
    try:
        return os.getloadavg()
    except OSError:
        return None


def machine_line() -> str:
    load = load_average()
    try:
        with open("/proc/meminfo") as f:
            info = dict(line.split(":", 1) for line in f)
        available = int(info["MemAvailable"].split()[0]) // 1024
        total = int(info["MemTotal"].split()[0]) // 1024
        memory = f", memory {available:,}/{total:,} MiB free"
    except (OSError, KeyError, ValueError):
        memory = ""
    loads = "n/a" if load is None else " ".join(f"{x:.2f}" for x in load)
    return f"machine: {os.cpu_count()} cores, load average {loads}{memory}"


class Meter:
    """Who used the CPU while a block ran.

    ``own`` is this Python process (threads included), ``server`` the database server
    processes registered with ``watch(connection)`` (or ``watch_pid``), ``others``
    everything else on the machine meanwhile: near 0 means the run had the machine to
    itself; read wall times from busy runs as ratios against a peer measured in the same
    run. Fields are None where the server is not local or the system is not Linux.
    """

    def __init__(self) -> None:
        self._pids: dict[int, float | None] = {}
        self.wall = self.own = self.server = self.others = None
        self.load_before = self.load_after = None

    def watch(self, connection) -> None:
        self.watch_pid(backend_pid(connection))

    def watch_pid(self, pid: int) -> None:
        if pid not in self._pids:
            self._pids[pid] = process_cpu_seconds(pid)

    def __enter__(self) -> Meter:
        self.load_before = load_average()
        self._busy = machine_busy_seconds()
        self._own = time.process_time()
        self._started = time.perf_counter()
        for pid in self._pids:
            self._pids[pid] = process_cpu_seconds(pid)
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self._started
        self.own = time.process_time() - self._own
        busy = machine_busy_seconds()
        server = 0.0
        for pid, before in self._pids.items():
            after = process_cpu_seconds(pid)
            if before is None or after is None:
                server = None
                break
            server += after - before
        self.server = server if self._pids else None
        self.load_after = load_average()
        if busy is not None and self._busy is not None:
            self.others = max(0.0, busy - self._busy - self.own - (self.server or 0.0))

    def as_dict(self) -> dict:
        def r(x, n=2):
            return None if x is None else round(x, n)

        return {
            "seconds": r(self.wall, 3),
            "own_cpu_seconds": r(self.own),
            "server_cpu_seconds": r(self.server),
            "other_cpu_seconds": r(self.others),
            "load_average_1m": None if self.load_after is None else round(self.load_after[0], 2),
        }


def cover_every_member(cur, tenant_id, *, waiting_days: int) -> int:
    """One policy of 2 shares (and its tranche, waiting ``waiting_days``) for each member of
    each generated enrolment's unit, set-based; returns the number of policies."""
    cur.execute(
        """
        INSERT INTO enrolment_policy (id, tenant_id, organisation_id, unit_id, member_id,
            enrolment_id, plan_id, plan_version_id, exclusive_group, shares, tier, start,
            "end", status, end_reason, created_at)
        SELECT gen_random_uuid(), e.tenant_id, e.organisation_id, e.unit_id, m.id, e.id,
               e.plan_id, e.plan_version_id, e.exclusive_group, 2, '', e.coverage_start,
               e.coverage_end, 'in_force', '', now()
        FROM enrolment_enrolment e
        JOIN members_member m ON m.organisation_id = e.organisation_id
        WHERE e.tenant_id = %s
        """,
        [tenant_id],
    )
    made = cur.rowcount
    cur.execute(
        """
        INSERT INTO enrolment_sharetranche (tenant_id, policy_id, shares, start, waiting_end)
        SELECT tenant_id, id, shares, start, start + %s FROM enrolment_policy
        WHERE tenant_id = %s
        """,
        [waiting_days, tenant_id],
    )
    return made
