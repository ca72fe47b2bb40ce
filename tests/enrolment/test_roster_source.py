"""One way to read a roster (issue 19): renewal drafts hold theirs by reference until read,
so no code may query an enrolment's lines except through ``enrolment.roster_source``.

A table of the ways code could reach ``EnrolmentLine`` rows, and where each is allowed; the
test reads every module of the apps, so a new reader that bypasses ``roster_lines`` fails
here rather than showing an empty roster for a renewal draft."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("enrolment", "premiums", "claims", "stats", "plans", "members", "mutualaid", "portal")

#: (what, pattern, modules allowed to use it, why)
WAYS = [
    (
        "the manager",
        r"EnrolmentLine\.objects",
        {"enrolment/roster_source.py"},
        "roster_lines() writes a held roster first",
    ),
    (
        "the table in SQL",
        r"enrolment_enrolmentline|EnrolmentLine\._meta\.db_table",
        {
            "enrolment/roster_source.py",  # materialise, and open_roster_rows (held beside)
            "enrolment/renewals.py",  # other drafts' lines, with HELD_ROSTER_SQL beside them
            "enrolment/services/workflow.py",  # marks lines by id, read through roster_lines
        },
        "SQL across enrolments must add HELD_ROSTER_SQL",
    ),
    (
        "an enrolment's related manager",
        r"\b(enrolment|draft|renewal|locked|previous|obj|e)\.lines\b",
        set(),
        "use roster_lines(enrolment)",
    ),
    (
        "lookups through the relation",
        r"\blines__|enrolment_lines\b|(prefetch|select)_related\([^)]*\"lines\"",
        set(),
        "a query across enrolments misses the held rosters",
    ),
]


def _sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")


@pytest.mark.parametrize("way", WAYS, ids=[w[0] for w in WAYS])
def test_no_reader_of_roster_lines_bypasses_roster_source(way):
    what, pattern, allowed, why = way
    found = []
    for name, text in _sources():
        if name in allowed:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            stripped = line.strip()
            if stripped.startswith("#") or "related_name=" in line:
                continue
            if re.search(pattern, line):
                found.append(f"{name}:{number}: {stripped}")
    assert not found, f"{what} ({why}):\n" + "\n".join(found)


def test_the_patterns_catch_what_they_mean():
    """The table's patterns against samples: a guard that matched nothing would pass."""
    samples = {
        "the manager": "EnrolmentLine.objects.filter(enrolment_id=e.pk)",
        "the table in SQL": "JOIN enrolment_enrolmentline l ON l.enrolment_id = e.id",
        "an enrolment's related manager": "draft.lines.count()",
        "lookups through the relation": 'qs.prefetch_related("plan", "lines")',
    }
    for what, pattern, _allowed, _why in WAYS:
        assert re.search(pattern, samples[what]), what
