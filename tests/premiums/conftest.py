"""Fixtures for premiums: the enrolment fixtures (seed plans, units, actors), and an
enrolment taken up to "accepted" through the enrolment services."""

from __future__ import annotations

import datetime as dt

import pytest

from enrolment.services.drafts import enrolment_create
from enrolment.services.lines import lines_import
from enrolment.services.workflow import enrolment_accept, enrolment_check, enrolment_submit
from premiums import services
from tests import factories
from tests.enrolment.conftest import (  # noqa: F401 - the enrolment tests' fixtures, shared
    actors,
    as_user,
    plans,
    units,
)
from tests.enrolment.support import new_enrolment


@pytest.fixture
def accepted(actors):
    """``accepted(unit, plan, members, shares, start=..., **funding)``: an enrolment of
    registered members, submitted, checked and accepted."""

    def _accepted(
        unit,
        plan,
        members,
        shares=1,
        *,
        start=dt.date(2026, 3, 16),
        kind="new",
        previous=None,
        **kwargs,
    ):
        if kind == "new":
            enrolment = new_enrolment(actors.agent, unit, plan, start=start, **kwargs)
        else:
            enrolment = enrolment_create(
                actor=actors.agent,
                unit=unit,
                kind=kind,
                previous=previous,
                start_date=start,
                **kwargs,
            )
        counts = shares if isinstance(shares, (list, tuple)) else [shares] * len(members)
        if members:
            lines_import(
                actor=actors.agent,
                enrolment=enrolment,
                rows=[{"member": m, "shares": s} for m, s in zip(members, counts, strict=True)],
            )
        enrolment.refresh_from_db()
        return accept(enrolment, actors)

    return _accepted


def accept(enrolment, actors):
    enrolment_submit(actor=actors.agent, enrolment=enrolment)
    enrolment_check(actor=actors.county_cadre, enrolment=enrolment)
    enrolment_accept(actor=actors.office_admin, enrolment=enrolment)
    enrolment.refresh_from_db()
    return enrolment


@pytest.fixture
def people(units):
    """Five in-service members of unit A1 (men, born 1980)."""
    return [
        factories.make_member(units.a1, name=name)
        for name in ("韦国庆", "黄秀兰", "覃建军", "陆春梅", "蒙志强")
    ]


@pytest.fixture
def invoiced(accepted, actors, plans, units, people):
    """An invoiced enrolment of the five people in 职工指定疾病(手术), 2 shares each (¥400)."""
    enrolment = accepted(units.a1, plans["gx_designated_disease"], people, 2)
    invoice = services.invoice_issue(actor=actors.finance, enrolment=enrolment)
    return invoice


@pytest.fixture
def today_is(monkeypatch):
    """``today_is(date)``: the portal's "today" (payments may not be dated after it)."""
    from django.utils import timezone

    def _set(day: dt.date):
        monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)

    return _set
