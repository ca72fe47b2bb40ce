"""Claims fixtures: a member covered by a seed plan, through the same tables enrolment
writes (policy + tranche), and the services' actors."""

from __future__ import annotations

import datetime as dt

import pytest

from mutualaid.tenancy.scoping import actor_for
from tests.factories import load_seed_plans, make_member, make_policy


@pytest.fixture
def seed_plans(world):
    return load_seed_plans(world)


@pytest.fixture
def actors(world):
    """persona name → Actor (for calling services directly)."""

    class _Actors:
        def __getattr__(self, name):
            return actor_for(getattr(world, name))

    return _Actors()


@pytest.fixture
def covered(world, seed_plans):
    """A member of unit A1 holding 3 shares of 职工指定疾病(手术) from 2026-03-16 (120-day wait)."""
    member = make_member(world.unit, name="王建国")
    plan = seed_plans["gx_designated_disease"]
    policy = make_policy(member, plan, shares=3, start=dt.date(2026, 3, 16), waiting_days=120)
    return member, plan, policy
