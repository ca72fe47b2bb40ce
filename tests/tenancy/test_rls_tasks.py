"""The isolation matrix, beyond URLs: tasks and jobs given another tenant's ids.

A task runs in the tenant of its ``tenant_id`` argument (mutualaid/tenancy/tasks.py) under
row-level security, so an id of another tenant is simply not there — whatever the code
that handles it does or forgets to check.
"""

from __future__ import annotations

from claims.models import Claim, ClaimStatus, PayoutLine
from claims.tasks import build_payout_batch, build_payout_batches, expire_applications
from mutualaid.jobs.models import Job, JobStatus
from mutualaid.jobs.tasks import run_job
from tests import factories


def test_a_job_of_another_tenant_is_not_run_in_this_tenants_scope(world):
    theirs = factories.make_job(world.other_unit, world.other_tenant_agent, status="pending")

    assert run_job(str(theirs.pk), tenant_id=str(world.tenant.pk)) == "already claimed"

    theirs.refresh_from_db()
    assert theirs.status == JobStatus.PENDING and theirs.attempts == 0


def test_a_job_runs_in_its_own_tenant(world):
    mine = factories.make_job(world.unit, world.agent, status="pending")

    assert run_job(str(mine.pk), tenant_id=str(world.tenant.pk)) == "failed"  # kind "test"

    mine.refresh_from_db()
    assert mine.status == JobStatus.FAILED and mine.attempts == 1


def _approved(world, unit, agent):
    plan = factories.make_plan(unit)
    member = factories.make_member(unit)
    return factories.make_claim(member, plan, status="approved", amount="800.00", filed_by=agent)


def test_a_tenants_batch_never_takes_another_tenants_claims(world):
    mine = _approved(world, world.unit, world.agent)
    theirs = _approved(world, world.other_unit, world.other_tenant_agent)

    result = build_payout_batch(str(world.tenant.pk))

    assert result["claims"] == 1
    assert set(PayoutLine.objects.values_list("claim_id", flat=True)) == {mine.pk}
    theirs.refresh_from_db()
    assert theirs.status == ClaimStatus.APPROVED


def test_the_scheduled_batch_and_daily_jobs_walk_every_tenant_in_its_own_scope(world):
    mine = _approved(world, world.unit, world.agent)
    theirs = _approved(world, world.other_unit, world.other_tenant_agent)

    tenants = build_payout_batches()

    assert set(tenants) == {str(world.tenant.pk), str(world.other_tenant.pk)}
    assert expire_applications() == 0
    # The batches themselves are built by the tasks the outbox sends; here, directly:
    for tenant_id in tenants:
        build_payout_batch(tenant_id)
    by_claim = dict(PayoutLine.objects.values_list("claim_id", "tenant_id"))
    assert by_claim == {mine.pk: world.tenant.pk, theirs.pk: world.other_tenant.pk}
    assert Claim.objects.filter(status=ClaimStatus.APPROVED).count() == 0
    assert Job.objects.count() == 0
