"""Payout batches (给付批次, SPEC §10): who builds and approves, what a batch gathers,
failed and paid lines, and the database rules behind "paid once"."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from claims.models import (
    BatchStatus,
    Claim,
    ClaimStatus,
    LineStatus,
    PayoutBatch,
    PayoutLine,
)
from claims.services import payouts, review
from mutualaid.core.errors import DomainError
from mutualaid.tenancy.models import Role
from tests import factories
from tests.claims.services_support import freeze_today, seed_calendar, submitted

TODAY = dt.date(2026, 8, 20)


@pytest.fixture(autouse=True)
def _today(world, monkeypatch):
    seed_calendar(world)
    freeze_today(monkeypatch, TODAY)


@pytest.fixture
def approved(world, covered):
    """``approved(n)``: n claims of the covered member approved for ¥9,000 each
    (coronary stent), through the services."""

    def _approved(n=1):
        member, plan, _ = covered
        out = []
        for _i in range(n):
            claim = submitted(
                world, member, plan, event_date="2026-08-01", condition="coronary_stent"
            )
            out.append(
                review.claim_decide(
                    actor=world.actor(world.reviewer), claim=claim, action="approve"
                )
            )
        return out

    return _approved


def build(world, user=None, **kwargs):
    return payouts.batch_build(
        actor=world.actor(user or world.finance), tenant_id=world.tenant.pk, **kwargs
    )


def approve(world, batch, user=None):
    return payouts.batch_approve(actor=world.actor(user or world.finance2), batch=batch)


def pay(world, batch, user=None, **kwargs):
    kwargs.setdefault("paid_on", TODAY)
    return payouts.lines_mark_paid(actor=world.actor(user or world.finance2), batch=batch, **kwargs)


def fail(world, line, user=None, reason="账户已销户"):
    return payouts.line_mark_failed(
        actor=world.actor(user or world.finance2), line=line, reason=reason
    )


@pytest.mark.django_db
def test_a_batch_gathers_the_approved_claims_of_the_office(world, approved, seed_plans):
    first, second = approved(2)
    # Not gathered: a claim still under review, another tenant's approved claim.
    member = factories.make_member(world.unit)
    factories.make_claim(
        member, seed_plans["gx_designated_disease"], status="submitted", amount="100.00"
    )
    other_plan = factories.make_plan(world.other_office)
    other = factories.make_claim(
        factories.make_member(world.other_unit), other_plan, status="approved", amount="500.00"
    )

    batch = build(world)
    assert (batch.status, batch.line_count, batch.total) == (
        BatchStatus.BUILT,
        2,
        Decimal("18000.00"),
    )
    assert batch.organisation_id == world.office.pk and batch.built_by_id == world.finance.pk
    assert batch.number.startswith("GF2026")
    lines = list(batch.lines.order_by("id"))
    assert {line.claim_id for line in lines} == {first.pk, second.pk}
    assert all(line.status == LineStatus.PENDING for line in lines)
    assert set(
        Claim.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)
    ) == {ClaimStatus.IN_BATCH}
    assert Claim.objects.get(pk=other.pk).status == ClaimStatus.APPROVED
    assert build(world) is None  # nothing left: no empty batch
    assert PayoutBatch.objects.count() == 1


@pytest.mark.django_db
def test_a_batch_of_chosen_claims_and_the_scheduled_job(world, approved):
    first, second = approved(2)
    batch = build(world, claim_ids=[second.pk])
    assert [line.claim_id for line in batch.lines.all()] == [second.pk]
    job_batch = payouts.batch_build(actor=None, tenant_id=world.tenant.pk)
    assert [line.claim_id for line in job_batch.lines.all()] == [first.pk]
    assert job_batch.built_by_id is None
    # Nobody built the job's batch, so any finance officer approves it.
    assert approve(world, job_batch, world.finance).status == BatchStatus.APPROVED


@pytest.mark.django_db
def test_who_builds_and_approves(world, approved):
    approved(1)
    other_finance = factories.make_staff(world.other_office, Role.FINANCE, username="b_fin")
    city_finance = factories.make_staff(world.city, Role.FINANCE, username="city_fin")
    for user in (world.reviewer, world.agent, world.city_cadre, world.auditor, city_finance):
        with pytest.raises(PermissionDenied):
            build(world, user)
    with pytest.raises(PermissionDenied):
        build(world, other_finance)
    batch = build(world, world.office_admin)  # office admins may build (the button)
    for user in (world.reviewer, world.office_admin, other_finance, city_finance):
        with pytest.raises(PermissionDenied):
            approve(world, batch, user)
    batch = approve(world, batch, world.finance)
    assert batch.approved_by_id == world.finance.pk


@pytest.mark.django_db
def test_the_builder_cannot_approve(world, approved):
    approved(1)
    batch = build(world, world.finance)
    with pytest.raises(DomainError):
        approve(world, batch, world.finance)
    assert PayoutBatch.objects.get(pk=batch.pk).status == BatchStatus.BUILT
    with pytest.raises(IntegrityError), transaction.atomic():  # the database says so too
        PayoutBatch.objects.filter(pk=batch.pk).update(
            status=BatchStatus.APPROVED, approved_by=world.finance
        )
    batch = approve(world, batch, world.finance2)
    assert approve(world, batch, world.finance2).status == BatchStatus.APPROVED  # double click


@pytest.mark.django_db
def test_only_an_approved_batch_is_paid(world, approved):
    (claim,) = approved(1)
    batch = build(world)
    with pytest.raises(DomainError):
        pay(world, batch)
    batch = approve(world, batch)
    with pytest.raises(DomainError) as refused:
        pay(world, batch, paid_on=TODAY + dt.timedelta(days=1))
    assert "paid_on" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        pay(world, batch, world.reviewer)
    assert pay(world, batch) == 1
    assert pay(world, batch) == 0  # a retry pays nothing
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CLOSED
    claim.refresh_from_db()
    assert (claim.status, claim.paid_amount, claim.paid_on) == (
        ClaimStatus.PAID,
        Decimal("9000.00"),
        TODAY,
    )


@pytest.mark.django_db
def test_a_failed_line_returns_the_claim_and_the_next_batch_takes_it(world, approved):
    first, second = approved(2)
    batch = approve(world, build(world))
    line = batch.lines.get(claim=first)
    with pytest.raises(DomainError) as refused:
        fail(world, line, reason=" ")
    assert "reason" in refused.value.message_dict
    line = fail(world, line, reason="户名与账号不符")
    assert (line.status, line.failure_reason) == (LineStatus.FAILED, "户名与账号不符")
    first.refresh_from_db()
    assert first.status == ClaimStatus.APPROVED
    with pytest.raises(DomainError):  # failed once
        fail(world, line)
    assert pay(world, batch) == 1  # the other line
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CLOSED

    # Finance corrects the account; the next batch takes the claim.
    first = payouts.claim_correct_payee(
        actor=world.actor(world.finance),
        claim=first,
        data={"bank_name": "中国农业银行", "bank_account": "6228480402564890018"},
    )
    nxt = build(world)
    new_line = nxt.lines.get()
    assert (new_line.claim_id, new_line.bank_account) == (first.pk, "6228480402564890018")
    assert pay(world, approve(world, nxt)) == 1
    first.refresh_from_db()
    assert first.status == ClaimStatus.PAID
    assert list(
        PayoutLine.objects.filter(claim=first).order_by("id").values_list("status", flat=True)
    ) == ["failed", "paid"]
    assert list(first.decisions.values_list("action", flat=True)) == [
        "submit",
        "approve",
        "batched",
        "payment_failed",
        "batched",
        "paid",
    ]


@pytest.mark.django_db
def test_a_paid_line_cannot_fail(world, approved):
    (claim,) = approved(1)
    batch = approve(world, build(world))
    line = batch.lines.get()
    assert pay(world, batch, line_ids=[line.pk]) == 1
    with pytest.raises(DomainError):
        fail(world, line)
    line.refresh_from_db()
    claim.refresh_from_db()
    assert line.status == LineStatus.PAID and claim.status == ClaimStatus.PAID
    assert build(world) is None  # a paid claim never comes back


@pytest.mark.django_db
def test_a_line_of_a_batch_not_approved_yet_cannot_fail(world, approved):
    """Nothing was sent to the bank before approval: there is nothing to fail."""
    approved(1)
    batch = build(world)
    with pytest.raises(DomainError):
        fail(world, batch.lines.get())
    assert batch.lines.get().status == LineStatus.PENDING


@pytest.mark.django_db
def test_marking_chosen_lines_paid(world, approved):
    first, second = approved(2)
    batch = approve(world, build(world))
    one = batch.lines.get(claim=first)
    assert pay(world, batch, line_ids=[one.pk]) == 1
    assert pay(world, batch, line_ids=[one.pk]) == 0  # double submit
    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPROVED  # a line still pending
    assert pay(world, batch) == 1
    assert PayoutLine.objects.filter(status=LineStatus.PAID).count() == 2


@pytest.mark.django_db
def test_the_payee_can_be_corrected_only_while_waiting_for_a_batch(world, approved):
    (claim,) = approved(1)
    build(world)
    with pytest.raises(DomainError):
        payouts.claim_correct_payee(
            actor=world.actor(world.finance),
            claim=claim,
            data={"bank_name": "农行", "bank_account": "1234567890123"},
        )
    with pytest.raises(PermissionDenied):
        payouts.claim_correct_payee(
            actor=world.actor(world.agent),
            claim=claim,
            data={"bank_name": "农行", "bank_account": "1234567890123"},
        )


@pytest.mark.django_db
def test_the_database_keeps_a_claim_on_one_live_line_and_paid_once(world, approved):
    (claim,) = approved(1)
    batch = approve(world, build(world))
    line = batch.lines.get()
    other = PayoutBatch.objects.create(
        tenant_id=world.tenant.pk,
        organisation=world.office,
        number="GF-TEST-2",
        built_by=world.finance,
    )

    def second_line(**fields):
        with pytest.raises(IntegrityError), transaction.atomic():
            PayoutLine.objects.create(
                tenant_id=world.tenant.pk,
                batch=other,
                claim=claim,
                amount=line.amount,
                payee_name="x",
                bank_name="x",
                bank_account="1234567890",
                **fields,
            )

    second_line()  # pending while another is pending
    pay(world, batch)
    second_line()  # pending after it was paid
    second_line(status=LineStatus.PAID, paid_on=TODAY)  # paid twice
    with pytest.raises(IntegrityError), transaction.atomic():  # money but not paid
        Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.APPROVED)
    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutLine.objects.filter(pk=line.pk).update(amount=0)
    # A failed line is history: a new line may follow it.
    assert PayoutLine.objects.filter(claim=claim).count() == 1
