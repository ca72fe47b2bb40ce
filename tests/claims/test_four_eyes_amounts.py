"""Four-eyes on the amount (SPEC §2, §8.4; issue 12 item 7): one reviewer may approve the
assessed amount or less while under the tenant's threshold; an amount above the engine's
assessment needs a second approver whatever the threshold, as an amount above the
threshold does. The same table through the service, the page and the API.

The member holds 3 shares of 职工指定疾病(手术) (the claims conftest's ``covered``): a
coronary stent is assessed ¥9,000.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from claims.models import Claim, ClaimDecision, ClaimStatus
from claims.services import review
from mutualaid.core.errors import DomainError
from mutualaid.tenancy.models import Tenant
from tests.claims.services_support import freeze_today, submitted

pytestmark = pytest.mark.django_db

ASSESSED = Decimal("9000.00")

#: (tenant threshold, amount approved, approvals needed). Under the default ¥10,000 the
#: assessment is under the threshold; at ¥5,000 it is over it (the engine asks for two).
CASES = [
    # Under the threshold.
    ("10000.00", "8000.00", 1),  # below the assessment
    ("10000.00", "9000.00", 1),  # equal to it
    ("10000.00", "9000.01", 2),  # one fen above it
    ("10000.00", "10000.00", 2),  # far above it, still not above the threshold
    ("10000.00", "20000.00", 2),  # above both
    # Exactly at the threshold: 超过 excludes the number, so the assessment alone is enough.
    ("9000.00", "9000.00", 1),
    ("9000.00", "9000.01", 2),
    # Over the threshold: two approvers whatever the amount.
    ("5000.00", "4000.00", 2),
    ("5000.00", "9000.00", 2),
    ("5000.00", "9000.01", 2),
    ("5000.00", "20000.00", 2),
]
IDS = [f"threshold{t}-approved{a}" for t, a, _ in CASES]


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    freeze_today(monkeypatch, dt.date(2026, 8, 20))


def _stent(world, covered, threshold: str) -> Claim:
    Tenant.objects.filter(pk=world.tenant.pk).update(four_eyes_threshold=Decimal(threshold))
    member, plan, _ = covered
    claim = submitted(world, member, plan, event_date="2026-08-01", condition="coronary_stent")
    assert claim.assessed_amount == ASSESSED
    return claim


def _reason(amount: str) -> str:
    return "" if Decimal(amount) == ASSESSED else "补充票据已核实"


def _expect(claim: Claim, amount: str, approvals: int) -> None:
    claim = Claim.objects.get(pk=claim.pk)
    assert claim.approved_amount == Decimal(amount)
    if approvals == 1:
        assert claim.status == ClaimStatus.APPROVED and claim.second_approver_id is None
    else:
        assert claim.status == ClaimStatus.SECOND_APPROVAL and claim.approved_on is None


@pytest.mark.parametrize(("threshold", "amount", "approvals"), CASES, ids=IDS)
def test_through_the_service(world, covered, threshold, amount, approvals):
    claim = _stent(world, covered, threshold)
    reviewer, reviewer2 = world.actor(world.reviewer), world.actor(world.reviewer2)
    claim = review.claim_decide(
        actor=reviewer, claim=claim, action="approve", amount=amount, reason=_reason(amount)
    )
    _expect(claim, amount, approvals)
    if approvals == 1:
        return
    # The first approver cannot confirm their own amount; another reviewer does.
    with pytest.raises(DomainError) as refused:
        review.claim_decide(actor=reviewer, claim=claim, action="approve")
    assert {e.code for errors in refused.value.error_dict.values() for e in errors} == {"four_eyes"}
    claim = review.claim_decide(actor=reviewer2, claim=claim, action="approve")
    assert claim.status == ClaimStatus.APPROVED and claim.approved_amount == Decimal(amount)
    assert (claim.first_approver_id, claim.second_approver_id) == (
        world.reviewer.pk,
        world.reviewer2.pk,
    )
    assert list(ClaimDecision.objects.filter(claim=claim).values_list("action", flat=True)) == [
        "submit",
        "first_approval",
        "second_approval",
    ]


@pytest.mark.parametrize(("threshold", "amount", "approvals"), CASES, ids=IDS)
def test_through_the_page(world, covered, login, threshold, amount, approvals):
    claim = _stent(world, covered, threshold)
    response = login(world.reviewer).post(
        f"/claims/{claim.pk}/decide/",
        {"action": "approve", "amount": amount, "reason": _reason(amount)},
    )
    assert response.status_code == 302
    _expect(claim, amount, approvals)


@pytest.mark.parametrize(("threshold", "amount", "approvals"), CASES, ids=IDS)
def test_through_the_api(world, covered, threshold, amount, approvals):
    claim = _stent(world, covered, threshold)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.reviewer, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        f"/api/v1/claims/{claim.pk}/decide/",
        {"action": "approve", "amount": amount, "reason": _reason(amount)},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == ("approved" if approvals == 1 else "second")
    _expect(claim, amount, approvals)
