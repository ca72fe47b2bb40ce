"""Statistics count as covered exactly the members whose cover is in force on the reference
day by the one state rule (``enrolment.states``, issue 16 item 1): a lapsed or cancelled
policy, cover not yet started and cover past its last day do not count."""

from __future__ import annotations

import datetime as dt

import pytest

from enrolment.models import Policy
from enrolment.states import policy_state
from stats.models import UnitFigures
from stats.refresh import summaries_refresh
from tests import factories

AS_OF = dt.date(2026, 6, 1)
# (status, start, end, ended_on) → counted as covered on AS_OF?
CASES = [
    ("in_force", dt.date(2026, 1, 1), dt.date(2026, 12, 31), None, True),
    ("in_force", AS_OF, dt.date(2027, 5, 31), None, True),  # first day
    ("in_force", dt.date(2025, 6, 2), AS_OF, None, True),  # last day
    ("in_force", dt.date(2026, 6, 2), dt.date(2027, 6, 1), None, False),  # not started
    ("in_force", dt.date(2025, 1, 1), dt.date(2025, 12, 31), None, False),  # expired
    ("ended", dt.date(2026, 1, 1), dt.date(2026, 12, 31), AS_OF, True),  # its last day
    ("ended", dt.date(2026, 1, 1), dt.date(2026, 12, 31), dt.date(2026, 5, 31), False),
    ("lapsed", dt.date(2026, 1, 1), dt.date(2026, 12, 31), None, False),
    ("cancelled", dt.date(2026, 1, 1), dt.date(2026, 12, 31), None, False),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "start", "end", "ended_on", "covered"), CASES)
def test_members_covered_follow_the_state_rule(world, status, start, end, ended_on, covered):
    plan = factories.make_plan(world.office, valid_from=dt.date(2024, 1, 1))
    member = factories.make_member(world.unit)
    policy = factories.make_policy(member, plan, start=start, end=end, status=status)
    Policy.objects.filter(pk=policy.pk).update(ended_on=ended_on)
    in_force = policy_state(status=status, start=start, end=end, ended_on=ended_on, as_of=AS_OF)
    assert (in_force == "in_force") is covered
    summaries_refresh(tenant_id=world.tenant.pk, as_of=AS_OF)
    figures = UnitFigures.objects.get(unit_id=world.unit.pk)
    assert figures.members_covered == (1 if covered else 0)
