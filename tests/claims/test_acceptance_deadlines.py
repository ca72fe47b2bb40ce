"""deadlines.csv through the claims services (SPEC §9, §10).

- D1–D4 (report deadlines): an incident reported through ``report_create`` for a member
  covered by a Guangxi seed plan (accident 3 days, anything else 10), the tenant's 2026
  calendar seeded from the package the way ``tenant_create`` seeds it. The row's ``n``
  picks the event kind from the plan's own terms. Reported on the deadline: on time;
  the day after: late.
- D5 (payout within 30 working days): a claim approved on 2026-09-21 must be paid by
  2026-11-09; the daily job flags it when that day is 5 working days away, not before.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from claims import notices
from claims.models import Claim, ClaimStatus, ReportStatus
from claims.services import daily, review
from mutualaid.notifications.models import Notification
from plans.terms import terms_of
from tests import factories
from tests.claims.services_support import (
    ONE_DAY,
    enrol_and_pay,
    freeze_today,
    read_acceptance,
    report,
    seed_calendar,
    submitted,
)

ROWS = read_acceptance("deadlines.csv")
D_REPORT = [r for r in ROWS if r["kind"].startswith("report deadline")]
D_PAYOUT = [r for r in ROWS if r["kind"].startswith("working-day limit")]
#: The events (kind, cause) a report can name under 职工综合 (a kind its cover pays for:
#: issue 16 item 7); the row's n picks one by the plan's deadline (an accident: 3 days).
KINDS = (("hospital_stay", "accident"), ("illness", ""))


def test_the_csv_has_the_d_rows():
    assert [r["case"] for r in D_REPORT] == ["D1", "D2", "D3", "D4"]
    assert [r["case"] for r in D_PAYOUT] == ["D5"]


def _kind_for(plan, days: int) -> tuple[str, str]:
    terms = terms_of(plan.versions.get())
    kinds = [k for k in KINDS if terms.report_deadline_days_for(k[0], k[1] or None) == days]
    assert kinds, f"no event kind of {plan.name} has a {days}-day report deadline"
    return kinds[0]


@pytest.fixture
def covered_all_2026(world, seed_plans):
    """A member of unit A1 covered by 职工综合 for the whole of 2026 (paid 2025-12-31)."""
    seed_calendar(world)
    plan = seed_plans["gx_comprehensive"]
    member = factories.make_member(world.unit, name="覃志刚")
    (policy,) = enrol_and_pay(world, plan, [member], shares=1, paid_on=dt.date(2025, 12, 31))
    assert (policy.start, policy.end) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    return member, plan


@pytest.mark.django_db
@pytest.mark.parametrize("row", D_REPORT, ids=[r["case"] for r in D_REPORT])
def test_report_deadline_rows(world, covered_all_2026, row):
    member, plan = covered_all_2026
    event = dt.date.fromisoformat(row["start"])
    expected = dt.date.fromisoformat(row["expected"])
    kind, cause = _kind_for(plan, int(row["n"]))

    on_time = report(
        world,
        member,
        plan,
        event_kind=kind,
        cause=cause,
        event_date=event,
        reported_on=expected,
    )
    assert on_time.deadline == expected, row["note"]
    assert on_time.deadline_provisional is False
    assert (on_time.late, on_time.status) == (False, ReportStatus.ACCEPTED)
    assert on_time.claim.status == ClaimStatus.DRAFT
    assert on_time.claim.expires_on == dt.date(event.year + 1, event.month, event.day)

    late = report(
        world,
        member,
        plan,
        event_kind=kind,
        cause=cause,
        event_date=event,
        reported_on=expected + ONE_DAY,
    )
    assert late.deadline == expected
    assert (late.late, late.status) == (True, ReportStatus.LATE)


@pytest.mark.django_db
@pytest.mark.parametrize("row", D_PAYOUT, ids=[r["case"] for r in D_PAYOUT])
def test_payout_limit_row_through_approval(world, seed_plans, monkeypatch, row):
    seed_calendar(world)
    plan = seed_plans["gx_designated_disease"]
    member = factories.make_member(world.unit, name="蒙丽华")
    enrol_and_pay(world, plan, [member], shares=1, paid_on=dt.date(2026, 3, 15))
    approved_on = dt.date.fromisoformat(row["start"])
    freeze_today(monkeypatch, approved_on)
    claim = submitted(world, member, plan, event_date="2026-08-20", condition="coronary_stent")
    assert claim.assessed_amount == Decimal("3000.00")
    terms = terms_of(claim.policy.plan_version)
    assert terms.payout_limit_working_days == int(row["n"])

    claim = review.claim_decide(actor=world.actor(world.reviewer), claim=claim, action="approve")

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    assert claim.approved_on == approved_on
    assert claim.payout_due == dt.date.fromisoformat(row["expected"])
    assert claim.payout_due_provisional is False

    # The daily job: 2026-11-02 + 5 working days reaches 11-09; 10-30 + 5 does not.
    assert daily.claims_flag_near_limit(today_=dt.date(2026, 10, 30)) == 0
    assert not Claim.objects.get(pk=claim.pk).near_limit
    assert daily.claims_flag_near_limit(today_=dt.date(2026, 11, 2)) == 1
    assert Claim.objects.get(pk=claim.pk).near_limit
    assert daily.claims_flag_near_limit(today_=dt.date(2026, 11, 3)) == 0  # flagged once
    told = Notification.objects.filter(kind=notices.NEAR_LIMIT)
    assert sorted(told.values_list("recipient__username", flat=True)) == [
        "finance",
        "finance",
        "finance2",
        "finance2",
    ]  # 11-02 and 11-03, once a day each
    assert {n.params["first"] for n in told} == {row["expected"]}
