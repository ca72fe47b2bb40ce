"""A claim is paid at most once, whatever two workers, retries or double clicks do
(SPEC §10, §14; issue 6). Real threads, each with its own database connection, start
together at a barrier; the database decides.

- two builders gather the same approved claims at once → each claim in exactly one batch;
- two finance officers mark the same batch paid at once, and the same line is submitted
  twice at once → one paid line per claim, each claim paid once;
- paid and failed marked on one line at once → one of them, consistently;
- two reviewers approve one claim at once → one approval;
- and without any of our Python: a second live or paid line for a claim, inserted with
  plain SQL, is refused by the database (partial unique indexes).
"""

from __future__ import annotations

import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, connections, transaction

from claims.models import Claim, ClaimDecision, ClaimStatus, LineStatus, PayoutBatch, PayoutLine
from claims.services import payouts, review, steps
from tests import factories

N = 40


def race(*calls):
    """Run the calls at the same moment in threads (own connections); returns, per call,
    its result or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, fn):
        try:
            barrier.wait(timeout=10)
            results[i] = fn()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread hung (deadlock?)"
    return results


@pytest.fixture
def approved_claims(world):
    """N approved claims of members of unit A1 (written to the tables), ¥100 … ¥139."""
    plan = factories.make_plan(world.office)
    out = []
    for i in range(N):
        member = factories.make_member(world.unit)
        out.append(factories.make_claim(member, plan, status="approved", amount=Decimal(100 + i)))
    return out


def actor(world, user):
    return world.actor(user)


def built_and_approved(world) -> PayoutBatch:
    batch = payouts.batch_build(actor=actor(world, world.finance), tenant_id=world.tenant.pk)
    return payouts.batch_approve(actor=actor(world, world.finance2), batch=batch)


def assert_paid_once(claims):
    ids = [c.pk for c in claims]
    paid_lines = Counter(
        PayoutLine.objects.filter(claim_id__in=ids, status=LineStatus.PAID).values_list(
            "claim_id", flat=True
        )
    )
    assert paid_lines == Counter(ids), "each claim has exactly one paid line"
    paid_decisions = Counter(
        ClaimDecision.objects.filter(claim_id__in=ids, action="paid").values_list(
            "claim_id", flat=True
        )
    )
    assert paid_decisions == Counter(ids), "each claim was paid once in its history"
    for claim in Claim.objects.filter(pk__in=ids):
        assert claim.status == ClaimStatus.PAID
        assert claim.paid_amount == claim.approved_amount


@pytest.mark.django_db(transaction=True)
def test_two_builders_at_once_put_each_claim_in_one_batch(world, approved_claims):
    finance, admin = actor(world, world.finance), actor(world, world.office_admin)
    results = race(
        lambda: payouts.batch_build(actor=finance, tenant_id=world.tenant.pk),
        lambda: payouts.batch_build(actor=admin, tenant_id=world.tenant.pk),
    )
    assert not [r for r in results if isinstance(r, BaseException)], results
    batches = [r for r in results if r is not None]
    assert len(batches) >= 1
    assert PayoutBatch.objects.count() == len(batches)  # no empty batch left behind
    per_claim = Counter(PayoutLine.objects.values_list("claim_id", flat=True))
    assert per_claim == Counter(c.pk for c in approved_claims)
    assert sum(b.line_count for b in batches) == N
    assert sum(b.total for b in batches) == sum(Decimal(100 + i) for i in range(N))
    assert set(Claim.objects.values_list("status", flat=True)) == {ClaimStatus.IN_BATCH}
    assert ClaimDecision.objects.filter(action="batched").count() == N


@pytest.mark.django_db(transaction=True)
def test_two_builders_with_overlapping_choices(world, approved_claims):
    ids = [c.pk for c in approved_claims]
    finance, admin = actor(world, world.finance), actor(world, world.office_admin)
    race(
        lambda: payouts.batch_build(
            actor=finance, tenant_id=world.tenant.pk, claim_ids=ids[: N * 3 // 4]
        ),
        lambda: payouts.batch_build(
            actor=admin, tenant_id=world.tenant.pk, claim_ids=ids[N // 4 :]
        ),
    )
    assert Counter(PayoutLine.objects.values_list("claim_id", flat=True)) == Counter(ids)


@pytest.mark.django_db(transaction=True)
def test_two_officers_mark_the_same_batch_paid_at_once(world, approved_claims):
    batch = built_and_approved(world)
    a, b = actor(world, world.finance2), actor(world, world.finance)
    day = steps.today()
    results = race(
        lambda: payouts.lines_mark_paid(actor=a, batch=batch, paid_on=day),
        lambda: payouts.lines_mark_paid(actor=b, batch=batch, paid_on=day),
    )
    assert sorted(results) == [0, N], results
    assert_paid_once(approved_claims)
    assert PayoutBatch.objects.get(pk=batch.pk).status == "closed"


@pytest.mark.django_db(transaction=True)
def test_a_double_submit_of_one_line_pays_it_once(world, approved_claims):
    batch = built_and_approved(world)
    line = batch.lines.order_by("id").first()
    officer = actor(world, world.finance2)
    day = steps.today()
    results = race(
        *[
            (
                lambda: payouts.lines_mark_paid(
                    actor=officer, batch=batch, paid_on=day, line_ids=[line.pk]
                )
            )
            for _ in range(3)
        ]
    )
    assert sorted(results) == [0, 0, 1], results
    assert_paid_once([line.claim])
    assert PayoutLine.objects.filter(batch=batch, status=LineStatus.PENDING).count() == N - 1


@pytest.mark.django_db(transaction=True)
def test_paid_and_failed_at_once_on_one_line(world, approved_claims):
    batch = built_and_approved(world)
    line = batch.lines.order_by("id").first()
    officer = actor(world, world.finance2)
    day = steps.today()
    results = race(
        lambda: payouts.lines_mark_paid(
            actor=officer, batch=batch, paid_on=day, line_ids=[line.pk]
        ),
        lambda: payouts.line_mark_failed(actor=officer, line=line, reason="退票"),
    )
    line.refresh_from_db()
    claim = Claim.objects.get(pk=line.claim_id)
    if line.status == LineStatus.PAID:
        assert results[0] == 1 and isinstance(results[1], Exception)
        assert claim.status == ClaimStatus.PAID
    else:
        assert line.status == LineStatus.FAILED and results[0] == 0
        assert claim.status == ClaimStatus.APPROVED and claim.paid_amount is None
    assert PayoutLine.objects.filter(claim=claim, status=LineStatus.PAID).count() <= 1


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_approve_one_claim_at_once(world):
    plan = factories.make_plan(world.office)
    member = factories.make_member(world.unit)
    policy = factories.make_policy(member, plan)
    claim = factories.make_claim(
        member, plan, status="submitted", amount="10000.00", policy=policy, condition="cancer"
    )
    r1, r2 = actor(world, world.reviewer), actor(world, world.reviewer2)
    results = race(
        lambda: review.claim_decide(actor=r1, claim=claim, action="approve"),
        lambda: review.claim_decide(actor=r2, claim=claim, action="approve"),
    )
    assert sum(isinstance(r, Claim) for r in results) == 1, results
    assert ClaimDecision.objects.filter(claim=claim, action="approve").count() == 1
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.APPROVED


INSERT_LINE = """
    INSERT INTO claims_payoutline (tenant_id, batch_id, claim_id, amount, payee_name,
                                   bank_name, bank_account, status, failure_reason, paid_on)
    VALUES (%s, %s, %s, %s, 'x', 'x', '1234567890', %s, '', %s)
"""


@pytest.mark.django_db
def test_the_database_refuses_a_second_live_or_paid_line(world, approved_claims):
    """Plain SQL, none of our Python: the partial unique indexes say no."""
    claim = approved_claims[0]
    batch = built_and_approved(world)
    spare = PayoutBatch.objects.create(
        tenant_id=world.tenant.pk,
        organisation=world.office,
        number="GF-SQL",
        built_by=world.finance,
    )

    def insert(status, paid_on=None):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                INSERT_LINE, [world.tenant.pk, spare.pk, claim.pk, "100.00", status, paid_on]
            )

    with pytest.raises(IntegrityError, match="payout_line_one_live_per_claim"):
        insert("pending")
    payouts.lines_mark_paid(actor=actor(world, world.finance2), batch=batch, paid_on=steps.today())
    with pytest.raises(IntegrityError, match="payout_line_one_live_per_claim"):
        insert("pending")
    with pytest.raises(IntegrityError, match="payout_line_"):
        insert("paid", steps.today())
    insert("failed")  # a failed line is history and is allowed
    assert PayoutLine.objects.filter(claim=claim).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_claim_decision_does_not_queue_on_the_tenant_or_unit_rows(world):
    """An office admin saving the tenant's settings (or the tree touching the unit's node)
    holds those rows; claim work goes on meanwhile (the claim lock is on the claim only)."""
    from mutualaid.tenancy.models import Organisation, Tenant

    plan = factories.make_plan(world.office)
    member = factories.make_member(world.unit)
    policy = factories.make_policy(member, plan)
    claim = factories.make_claim(
        member, plan, status="submitted", amount="10000.00", policy=policy, condition="cancer"
    )
    reviewer = actor(world, world.reviewer)
    held, release = threading.Event(), threading.Event()

    def hold_rows():
        with transaction.atomic():
            Tenant.objects.select_for_update(no_key=True).get(pk=world.tenant.pk)
            Organisation.objects.select_for_update(no_key=True).get(pk=world.unit.pk)
            held.set()
            release.wait(timeout=20)
        return "held"

    def decide():
        assert held.wait(timeout=10)
        try:
            with connection.cursor() as cur:
                cur.execute("SET lock_timeout = '3s'")
            return review.claim_decide(actor=reviewer, claim=claim, action="approve")
        finally:
            release.set()

    results = race(hold_rows, decide)
    assert results[0] == "held"
    assert isinstance(results[1], Claim), results[1]
    assert results[1].status == ClaimStatus.APPROVED
