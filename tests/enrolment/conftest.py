"""Fixtures for enrolment: seed plans in the world's tenant, units, actors, a workflow helper."""

from __future__ import annotations

import datetime as dt

import pytest

from enrolment.services import cover, workflow
from tests import factories


@pytest.fixture
def plans(world):
    """The six seed plans (key → Plan) in tenant A: GX plans office-wide, 绍兴 local to the city."""
    return factories.load_seed_plans(world)


@pytest.fixture
def units(world):
    class Units:
        a1 = factories.make_unit(world.unit)
        a2 = factories.make_unit(world.sibling_unit)
        other_county = factories.make_unit(world.other_county_unit)
        other_tenant = factories.make_unit(world.other_unit)

    return Units


@pytest.fixture
def actors(world):
    class Actors:
        agent = world.actor(world.agent)
        sibling_agent = world.actor(world.sibling_agent)
        county_cadre = world.actor(world.county_cadre)
        city_cadre = world.actor(world.city_cadre)
        office_admin = world.actor(world.office_admin)
        reviewer = world.actor(world.reviewer)
        finance = world.actor(world.finance)
        other_county_agent = world.actor(world.other_county_agent)

    return Actors


@pytest.fixture
def flow(actors):
    """``flow(enrolment, paid=date)``: submit, check, accept, invoice and bring into force."""

    def _flow(enrolment, *, paid: dt.date | None = dt.date(2026, 3, 15), upto: str = "in_force"):
        steps = [
            (
                "submitted",
                lambda: workflow.enrolment_submit(actor=actors.agent, enrolment=enrolment),
            ),
            (
                "checked",
                lambda: workflow.enrolment_check(actor=actors.county_cadre, enrolment=enrolment),
            ),
            (
                "accepted",
                lambda: workflow.enrolment_accept(actor=actors.office_admin, enrolment=enrolment),
            ),
            (
                "invoiced",
                lambda: workflow.enrolment_mark_invoiced(actor=actors.finance, enrolment=enrolment),
            ),
            (
                "in_force",
                lambda: cover.enrolment_bring_into_force(
                    actor=actors.finance, enrolment=enrolment, payment_date=paid
                ),
            ),
        ]
        for name, step in steps:
            step()
            if name == upto:
                break
        enrolment.refresh_from_db()
        return enrolment

    return _flow


@pytest.fixture
def as_user(login):
    def _as(user, language="en"):
        client = login(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
        return client

    return _as
