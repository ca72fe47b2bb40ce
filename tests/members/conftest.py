"""Fixtures for units and members: the world's unit nodes registered as units, English clients."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def units(world):
    """``Unit`` rows for the world's unit nodes: A1, sibling A2, the other county's, tenant B's."""

    class Units:
        a1 = factories.make_unit(world.unit)
        a2 = factories.make_unit(world.sibling_unit)
        other_county = factories.make_unit(world.other_county_unit)
        other_tenant = factories.make_unit(world.other_unit)

    return Units


@pytest.fixture
def as_user(login):
    """``as_user(user, language="en")``: a client logged in as ``user``, in ``language``."""

    def _as(user, language="en"):
        client = login(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
        return client

    return _as
