"""Helpers for the enrolment tests: rosters as the upload hands them over."""

from __future__ import annotations

import datetime as dt

from enrolment.services.drafts import enrolment_create
from tests import factories

START = dt.date(2026, 3, 16)  # cover asked from; the seed plans' 2019 versions are in force


def roster(*shares, male: bool = True, first_row: int = 2, birth: str = "19800101") -> list[dict]:
    """Rows of new people with these share counts, numbered from ``first_row`` (row 1 = header)."""
    return [
        {
            "row": first_row + i,
            "name": f"职工{first_row + i:03d}",
            "id_number": factories.make_id_number(male=male, birth=birth),
            "shares": count,
        }
        for i, count in enumerate(shares)
    ]


def row_of(member, shares, *, row: int | None = None) -> dict:
    """A roster row naming a registered member by name and ID number."""
    out = {"name": member.name, "id_number": member.id_number, "shares": shares}
    if row is not None:
        out["row"] = row
    return out


def new_enrolment(actor, unit, plan, *, start=START, **kwargs):
    return enrolment_create(actor=actor, unit=unit, plan=plan, start_date=start, **kwargs)


def codes(errors) -> set[str]:
    return {e.code for e in errors}
