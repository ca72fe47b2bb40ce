"""The D and W rows of /work/shared/acceptance/deadlines.csv, read at test time, through the
product's own path: a tenant seeded from the package, ``work_calendar_for``, then the rule.
C rows (coverage periods) belong to the enrolment issue."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from mutualaid.calendar.selectors import work_calendar_for
from mutualaid.calendar.workdays import waiting_period_end

CSV_PATH = Path(__file__).resolve().parents[3] / "shared" / "acceptance" / "deadlines.csv"


def _rows(prefixes: tuple[str, ...]):
    with CSV_PATH.open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["case"].startswith(prefixes)]
    assert rows, f"no {prefixes} rows in {CSV_PATH}"
    return [pytest.param(row, id=row["case"]) for row in rows]


def _rule(kind: str):
    if kind.startswith("report deadline"):
        return "deadline_after"
    if kind.startswith("working-day limit"):
        return "add_working_days"
    raise AssertionError(f"unknown kind of deadline in the CSV: {kind!r}")


@pytest.mark.parametrize("row", _rows(("D",)))
def test_deadline_rows(seeded, row):
    calendar = work_calendar_for(seeded.tenant)
    rule = getattr(calendar, _rule(row["kind"]))
    result = rule(dt.date.fromisoformat(row["start"]), int(row["n"]))
    assert result.date == dt.date.fromisoformat(row["expected"]), row["note"]
    assert result.provisional is False


@pytest.mark.parametrize("row", _rows(("W",)))
def test_waiting_period_rows(row):
    effective = dt.date.fromisoformat(row["start"])
    first_covered = waiting_period_end(effective, int(row["n"]))
    assert first_covered == dt.date.fromisoformat(row["expected"]), row["note"]
