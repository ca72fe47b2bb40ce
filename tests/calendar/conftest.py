from __future__ import annotations

import pytest

from mutualaid.calendar.services import seed_years_from_package


@pytest.fixture
def seeded(world):
    """The world with tenant A's calendar seeded from the package, as ``tenant_create`` does."""
    seed_years_from_package(tenant=world.tenant, organisation=world.office)
    return world


@pytest.fixture
def admin_actor(seeded):
    return seeded.actor(seeded.office_admin)
