"""The set-based batch work gives the same result under row-level security (as the
application role in the tenant's scope, as beat runs it) as without it (the owner).

Each run happens in a savepoint that is rolled back, so both see the same starting rows.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import translation

from enrolment.models import Enrolment
from enrolment.roster_source import roster_lines
from mutualaid.notifications.models import Notification
from mutualaid.tenancy.context import operator_bypass, tenant_scope
from premiums.models import Renewal
from premiums.renewals import renewals_run
from tests import factories
from tests.premiums.test_renewals import TODAY, last_year  # noqa: F401 - the fixture


class _Undo(Exception):
    pass


def _in_savepoint(run, snapshot):
    """``run()`` then ``snapshot()``, and everything rolled back."""
    seen = {}
    try:
        with transaction.atomic():
            seen["result"] = run()
            seen["rows"] = snapshot()
            raise _Undo
    except _Undo:
        pass
    return seen


def _renewal_rows():
    drafts = Enrolment.objects.filter(kind="renewal").order_by("unit_id")
    return (
        list(
            drafts.values_list(
                "unit_id", "start_date", "end_date", "member_count", "share_count", "premium_total"
            )
        ),
        sorted(
            row
            for draft in drafts
            for row in roster_lines(draft).values_list(
                "member_id", "shares", "previous_shares", "premium"
            )
        ),
        sorted(Renewal.objects.values_list("previous_id", "due_on", "deadline")),
        sorted(Notification.objects.values_list("recipient_id", "kind")),
        [sorted(d["name"] for d in e.dropped) for e in drafts],
    )


def test_renewals_prepare_the_same_drafts_under_row_level_security(last_year, world):  # noqa: F811
    def run():
        with translation.override("zh-hans"):
            out = renewals_run(today=TODAY, tenant_id=world.tenant.pk)
        return (out.renewals.due, out.renewals.prepared, out.renewals.lines, out.notified)

    def as_owner():
        with operator_bypass("the test's reference run"):
            return run()

    def as_app():
        with tenant_scope(world.tenant.pk, origin="beat"):
            return run()

    owner = _in_savepoint(as_owner, _renewal_rows)
    app = _in_savepoint(as_app, _renewal_rows)
    assert owner["result"][1] == 1 and owner["rows"][1]
    assert app == owner


def test_a_payout_batch_gathers_the_same_claims_under_row_level_security(world):
    from claims.models import PayoutBatch, PayoutLine
    from claims.services import payouts

    plan = factories.make_plan(world.unit)
    for amount in ("800.00", "1200.00", "50.00"):
        member = factories.make_member(world.unit)
        factories.make_claim(member, plan, status="approved", amount=amount, filed_by=world.agent)
    other = factories.make_member(world.other_unit)
    factories.make_claim(
        other, factories.make_plan(world.other_unit), status="approved", amount="9.00"
    )

    def snapshot():
        return (
            list(PayoutBatch.objects.values_list("tenant_id", "line_count", "total")),
            sorted(PayoutLine.objects.values_list("claim_id", "amount", "status")),
        )

    def build():
        batch = payouts.batch_build(actor=None, tenant_id=world.tenant.pk)
        return batch.line_count

    def as_owner():
        with operator_bypass("the test's reference run"):
            return build()

    def as_app():
        with tenant_scope(world.tenant.pk, origin="beat"):
            return build()

    owner = _in_savepoint(as_owner, snapshot)
    app = _in_savepoint(as_app, snapshot)
    assert owner["result"] == 3
    assert app == owner


def test_statistics_refresh_gives_the_same_figures_under_row_level_security(world):
    from stats.models import NodeFigures, UnitFigures
    from stats.refresh import summaries_refresh

    plan = factories.make_plan(world.unit)
    for _ in range(3):
        factories.make_claim(
            factories.make_member(world.unit), plan, status="paid", amount="300.00"
        )
    factories.make_invoice(world.unit, members=4)
    factories.make_member(world.other_unit)
    as_of = dt.date(2026, 11, 30)

    def snapshot():
        skip = {"id", "refreshed_at", "created_at", "updated_at"}
        return (
            sorted(
                tuple(v for k, v in row.items() if k not in skip)
                for row in NodeFigures.objects.values()
            ),
            sorted(
                tuple(v for k, v in row.items() if k not in skip)
                for row in UnitFigures.objects.values()
            ),
        )

    def as_owner():
        with operator_bypass("the test's reference run"):
            summaries_refresh(tenant_id=world.tenant.pk, as_of=as_of)

    def as_app():
        with tenant_scope(world.tenant.pk, origin="beat"):
            summaries_refresh(tenant_id=world.tenant.pk, as_of=as_of)

    owner = _in_savepoint(as_owner, snapshot)
    app = _in_savepoint(as_app, snapshot)
    assert owner["rows"][0] and owner["rows"][1]
    assert app == owner
