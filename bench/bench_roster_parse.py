"""Roster upload, file side: parse (``read_roster``) + file-local checks (``validate_rows``).

    .venv/bin/python bench/bench_roster_parse.py --rows 50000 --bad 2

SPEC §14 wants the whole upload (parse + validate + write) at ≥ 10,000 rows/s for 50,000
rows; this measures the part before the database, which has to leave room for the
write. Reported: best of ``--repeat`` timed runs (no tracing), then one run under
tracemalloc for the peak Python allocation, and the process's max RSS.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import roster_gen  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--bad", type=float, default=2.0, help="percent of bad rows")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    roster_gen.setup_django()
    from enrolment.roster.reader import read_roster
    from enrolment.roster.validation import validate_rows

    data = roster_gen.make_roster_xlsx(args.rows, bad_percent=args.bad)
    print(f"file: {args.rows:,} rows, {len(data):,} bytes, ~{args.bad}% bad rows")

    best_parse = best_total = float("inf")
    for _ in range(args.repeat):
        gc.collect()
        t0 = time.perf_counter()
        result = read_roster(data, "roster.xlsx")
        t1 = time.perf_counter()
        valid, problems = validate_rows(result.rows, result.column_of)
        t2 = time.perf_counter()
        best_parse = min(best_parse, t1 - t0)
        best_total = min(best_total, t2 - t0)
    n = len(result.rows)
    assert n == args.rows, (n, args.rows)
    print(f"rows read {n:,}; valid {len(valid):,}; problems {len(problems):,}")
    print(f"parse only       : {best_parse:6.3f} s  {n / best_parse:10,.0f} rows/s")
    validate = best_total - best_parse
    print(f"validate only    : {validate:6.3f} s  {n / validate:10,.0f} rows/s")
    print(f"parse + validate : {best_total:6.3f} s  {n / best_total:10,.0f} rows/s")

    gc.collect()
    tracemalloc.start()
    result = read_roster(data, "roster.xlsx")
    valid, problems = validate_rows(result.rows, result.column_of)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"peak Python allocation (tracemalloc): {peak / 2**20:,.1f} MiB")
    print(f"max RSS of the process (Django loaded): {max_rss:,.1f} MiB")


if __name__ == "__main__":
    main()
