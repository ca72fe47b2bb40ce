"""benefits.csv, every row through a real claim (SPEC §8, §10; issue 6 "Done when").

enrol (the unit's agent, checked by the county, accepted by the office) → invoice and full
payment (finance; the policy and its share tranches come from the product) → incident
report → application (facts, payee, a document) → submission (assessed by the engine
against the policy in force) → review (two approvers above the tenant's ¥10,000
threshold) → payout batch (built by one finance officer, approved by another) → paid.

The expected total is the assessed amount, the approved amount, the batch line and the
money paid. A row with nothing payable (B10) cannot be approved: it ends rejected with a
reason and no batch takes it.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from claims.models import Claim, ClaimDecision, ClaimStatus, PayoutLine
from claims.services import payouts, review, steps
from mutualaid.core.errors import DomainError
from plans.rules import FACTS
from tests import factories
from tests.claims.services_support import (
    ONE_DAY,
    enrol_and_pay,
    freeze_today,
    read_acceptance,
    submitted,
)
from tests.plans.test_acceptance_benefits import EVENTS as ENGINE_EVENTS
from tests.plans.test_acceptance_benefits import PLAN_KEYS

ROWS = read_acceptance("benefits.csv")

# PLAN_KEYS (the row's plan → the seed plan's key) comes from the engine's test too.

#: The member each plan takes (eligibility): category and sex.
MEMBERS = {
    "gx_migrant_workers": {"category": "migrant_worker"},
    "gx_female_workers": {"male": False},
    "sx_union_cadres": {"category": "union_cadre"},
}

#: The row's event in words → what the agent enters on the report and the application:
#: the same map the engine's own acceptance test reads.
EVENTS = ENGINE_EVENTS

FOUR_EYES_THRESHOLD = Decimal("10000.00")


def parse_facts(text: str) -> dict[str, str]:
    """ "self_paid=35000; died_within_days=30" → the application's raw form values."""
    out = {}
    for part in filter(None, (p.strip() for p in re.split(r"[;,]", text))):
        name, value = (s.strip() for s in part.split("=", 1))
        assert name in FACTS, f"unknown fact in acceptance row: {name}"
        out[name] = value
    return out


def parse_shares(text: str) -> int:
    match = re.match(r"\s*(\d+)", text)
    assert match and "renew" not in text, f"cannot take {text!r} through a new enrolment"
    return int(match.group(1))


def test_all_rows_present():
    assert [r["case"] for r in ROWS] == [f"B{i}" for i in range(1, 12)]
    assert all(r["plan"] in PLAN_KEYS and r["event"] in EVENTS for r in ROWS)


def _member(world, key: str):
    spec = MEMBERS.get(key, {})
    id_number = factories.make_id_number(male=spec.get("male", True))
    fields = {"category": spec["category"]} if "category" in spec else {}
    return factories.make_member(world.unit, name="韦秀英", id_number=id_number, **fields)


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=[r["case"] for r in ROWS])
def test_benefit_row_through_a_real_claim(world, seed_plans, monkeypatch, row):
    key = PLAN_KEYS[row["plan"]]
    plan = seed_plans[key]
    expected = Decimal(row["expected_total"])
    effective = dt.date.fromisoformat(row["effective_date"])
    event_date = dt.date.fromisoformat(row["event_date"])
    member = _member(world, key)

    # Enrol → invoice → pay: the policy and its tranches are the product's.
    (policy,) = enrol_and_pay(
        world,
        plan,
        [member],
        shares=parse_shares(row["shares_and_tranches"]),
        paid_on=effective - ONE_DAY,
    )
    assert policy.start == effective

    # Report → apply → submit (assessed on the way in).
    freeze_today(monkeypatch, event_date + dt.timedelta(days=20))
    event = EVENTS[row["event"]]
    claim = submitted(
        world,
        member,
        plan,
        event_kind=event["event_kind"],
        event_date=event_date,
        condition=event.get("condition", ""),
        cause=event.get("cause", ""),
        facts=parse_facts(row["facts"]),
        payee_relation="spouse" if event["event_kind"] == "death" else "self",
    )
    explanation = "\n".join(claim.assessment["explanation"])
    assert claim.status == ClaimStatus.SUBMITTED
    assert claim.policy_id == policy.pk
    assert claim.assessed_amount == expected, explanation
    assert Decimal(claim.assessment["total"]) == expected
    assert "合计应给付" in explanation

    reviewer, reviewer2 = world.actor(world.reviewer), world.actor(world.reviewer2)
    if expected == 0:
        with pytest.raises(DomainError) as refused:
            review.claim_decide(actor=reviewer, claim=claim, action="approve")
        assert "amount" in refused.value.message_dict
        claim = review.claim_decide(
            actor=reviewer, claim=claim, action="reject", reason="自付费用未达到3000元起付标准"
        )
        assert claim.status == ClaimStatus.REJECTED
        assert (
            payouts.batch_build(actor=world.actor(world.finance), tenant_id=world.tenant.pk) is None
        )
        assert not PayoutLine.objects.filter(claim=claim).exists()
        return

    # Review: two approvers above the threshold, one otherwise.
    claim = review.claim_decide(actor=reviewer, claim=claim, action="approve")
    if expected > FOUR_EYES_THRESHOLD:
        assert claim.needs_four_eyes
        assert claim.status == ClaimStatus.SECOND_APPROVAL
        claim = review.claim_decide(actor=reviewer2, claim=claim, action="approve")
        assert (claim.first_approver_id, claim.second_approver_id) == (
            world.reviewer.pk,
            world.reviewer2.pk,
        )
    else:
        assert claim.second_approver_id is None
    assert claim.status == ClaimStatus.APPROVED
    assert claim.approved_amount == expected

    # Batch (built by one, approved by another) → paid.
    batch = payouts.batch_build(actor=world.actor(world.finance), tenant_id=world.tenant.pk)
    assert (batch.line_count, batch.total) == (1, expected)
    line = PayoutLine.objects.get(batch=batch)
    assert (line.claim_id, line.amount, line.bank_account) == (
        claim.pk,
        expected,
        claim.bank_account,
    )
    batch = payouts.batch_approve(actor=world.actor(world.finance2), batch=batch)
    paid_on = steps.today()
    assert (
        payouts.lines_mark_paid(actor=world.actor(world.finance2), batch=batch, paid_on=paid_on)
        == 1
    )

    claim = Claim.objects.get(pk=claim.pk)
    assert (claim.status, claim.paid_amount, claim.paid_on) == (ClaimStatus.PAID, expected, paid_on)
    actions = list(ClaimDecision.objects.filter(claim=claim).values_list("action", flat=True))
    approvals = (
        ["first_approval", "second_approval"] if expected > FOUR_EYES_THRESHOLD else ["approve"]
    )
    assert actions == ["submit", *approvals, "batched", "paid"]
