"""Roster export: rows/s and peak memory of ``write_xlsx``.

    .venv/bin/python bench/bench_roster_export.py --rows 100000

SPEC §14 wants ≥ 15,000 rows/s with memory flat under 100 MB at any size. The export
runs in a child process fed by a generator (as a server-side cursor feeds it), and
the child's max RSS is read with ``getrusage(RUSAGE_CHILDREN)``. A second child that
only loads Django and generates the same rows without writing them gives the
baseline, so the export's own share of memory shows; a run at a tenth of the rows
shows whether memory grows with size.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def child(rows: int, path: str, write: bool) -> None:
    import roster_gen

    roster_gen.setup_django()
    from mutualaid.core.xlsx import DATE, ID_NUMBER, MONEY, NUMBER, ExportColumn, write_xlsx

    columns = [
        ExportColumn("姓名", width=10),
        ExportColumn("身份证号码", ID_NUMBER, 22),
        ExportColumn("性别", width=6),
        ExportColumn("份数", NUMBER, 6),
        ExportColumn("互助费", MONEY, 10),
        ExportColumn("保障起期", DATE, 12),
        ExportColumn("保障止期", DATE, 12),
        ExportColumn("单位", width=24),
    ]
    source = roster_gen.export_rows(rows)
    started = time.perf_counter()
    if write:
        count = write_xlsx(
            sheet_name="花名册", path=path, rows=source, columns=columns, progress=lambda n: None
        )
    else:
        count = sum(1 for _ in source)
    elapsed = time.perf_counter() - started
    print(json.dumps({"rows": count, "seconds": elapsed}))


def run_child(rows: int, path: str, write: bool) -> tuple[dict, float]:
    """(the child's report, that child's max RSS in MiB).

    ``os.wait4`` returns the same rusage that ``getrusage(RUSAGE_CHILDREN)`` adds up, but
    for this child alone (RUSAGE_CHILDREN keeps the largest of all children so far).
    """
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", str(rows), path, "write" if write else "generate"],
        stdout=subprocess.PIPE,
        text=True,
    )
    output = process.stdout.read()
    process.stdout.close()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"child failed with {process.returncode}")
    return json.loads(output.strip().splitlines()[-1]), usage.ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(int(sys.argv[2]), sys.argv[3], sys.argv[4] == "write")
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "export.xlsx")
        baseline, base_rss = run_child(args.rows, path, write=False)
        small, small_rss = run_child(args.rows // 10, path, write=True)
        small_size = Path(path).stat().st_size
        full, full_rss = run_child(args.rows, path, write=True)
        size = Path(path).stat().st_size
    generate_rate = baseline["rows"] / baseline["seconds"]
    print(
        f"generating the rows alone: {generate_rate:,.0f} rows/s; child max RSS {base_rss:,.1f} MiB"
    )
    for label, report, rss, file_size in (
        ("export", small, small_rss, small_size),
        ("export", full, full_rss, size),
    ):
        rate = report["rows"] / report["seconds"]
        # The rows' generation is timed in too; take it out for the writer's own rate.
        write_only = report["rows"] / max(report["seconds"] - report["rows"] / generate_rate, 1e-9)
        print(
            f"{label} {report['rows']:>9,} rows: {report['seconds']:6.2f} s, {rate:8,.0f} rows/s "
            f"(writer alone ≈ {write_only:,.0f}); child max RSS {rss:,.1f} MiB; "
            f"file {file_size / 2**20:,.1f} MiB"
        )
    overall = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"getrusage(RUSAGE_CHILDREN) max RSS over all children: {overall:,.1f} MiB")


if __name__ == "__main__":
    main()
