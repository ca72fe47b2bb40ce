"""A benefit that ends cover (身故保障) ends the member's policy on the event date once the
claim is approved (SPEC §3); a benefit that does not end cover leaves it in force."""

from __future__ import annotations

import datetime as dt

import pytest

from claims.services import review
from enrolment.models import Policy, PolicyStatus
from mutualaid.audit.models import AuditEvent
from tests import factories

from .services_support import enrol_and_pay, freeze_today, seed_calendar, submitted

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("event_kind", "cause", "condition", "ends"),
    [
        ("death", "accident", "", True),  # 身故保障(意外身故): ends cover
        ("illness", "", "malignant_tumour", False),  # a disease benefit: cover goes on
    ],
)
def test_approval_ends_cover_only_for_items_that_end_it(
    world, seed_plans, monkeypatch, event_kind, cause, condition, ends
):
    seed_calendar(world)
    freeze_today(monkeypatch, dt.date(2026, 10, 12))
    plan = seed_plans["gx_comprehensive"]
    member = factories.make_member(world.unit, name="李四")
    (policy,) = enrol_and_pay(world, plan, [member], shares=1, paid_on=dt.date(2026, 3, 15))
    claim = submitted(
        world,
        member,
        plan,
        event_kind=event_kind,
        cause=cause,
        condition=condition,
        event_date="2026-10-01",
        payee_relation="spouse" if event_kind == "death" else "self",
    )
    claim = review.claim_decide(actor=world.actor(world.reviewer), claim=claim, action="approve")
    if claim.status == "second":
        claim = review.claim_decide(
            actor=world.actor(world.reviewer2), claim=claim, action="approve"
        )
    assert claim.status == "approved"
    policy = Policy.objects.get(pk=policy.pk)
    if ends:
        assert policy.status == PolicyStatus.ENDED
        assert policy.ended_on == dt.date(2026, 10, 1)
        assert claim.number in policy.end_reason
        assert AuditEvent.objects.filter(action="policy.end", object_id=str(policy.pk)).exists()
    else:
        assert policy.status == PolicyStatus.IN_FORCE and policy.ended_on is None
