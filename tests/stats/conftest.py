"""A small data set whose every figure was computed by hand (see EXPECTED), for the statistics.

Tenant A (``world``): office → city → county A (units A1, A2, A3) and county B (unit B1).
Plans P1 and P2 of the office. The reference day of the summaries is 2026-11-20.

Units (union headcount; ownership; industry) and members — "covered" means a policy in
force on 2026-11-20:
- A1 (10; state-owned; Q health): m1 P1 2025 + P1 2026 (covered), m2 P1 2026 (covered),
  m3 P2 2026 (covered), m4 P1 2025 only (not covered now), m5 not a union member, P2 2026
  (covered);
- A2 (4; non-public; P education): n1 P1 2026 (covered), n2 nothing;
- A3 (6; public sector; no industry): two members, nothing — a blank spot;
- B1 (5; collective; D utilities): b1 P1 2026, b2 P2 2026 (both covered).
Tenant B: x1 with a ¥50,000 payout and ¥99,999 of premium, never counted in tenant A.

Payments (payment − refund, by bank date): A1 m1's 2025 P1 ¥100 (2025-03-15); A1 m2's P1
¥480 (2026-03-15) and a ¥40 refund (2026-04-02); A2 n1's P1 ¥120 (2026-03-10); A1 m3's P2
¥300 (2026-05-31); B1 b1's P1 ¥200 (2026-03-15).

Claims (paid on / pay by):
- c1 m1 P1 paid ¥10,000.00 exactly, 2026-05-10 / 2026-05-20 (on time; 以上 counts it);
- c2 m2 P1 paid ¥9,999.99, 2026-06-01 / 2026-05-30 (late; not ¥10,000 and more);
- c3 m3 P2 paid ¥25,000.00, 2026-07-15 / 2026-07-15 (on time: the last day counts);
- c4 n1 P1 paid ¥3,000.00, 2026-08-01 / 2026-08-20;
- c5 b1 P1 paid ¥12,000.00, 2026-09-01 / 2026-09-30 (county B);
- c6 m1 P1 approved ¥5,000 on 2026-10-01, pay by 2026-10-20, unpaid (overdue on 11-20);
- c7 m2 P1 rejected; c8 m5 P2 under review; c9 n1 P1 a draft (not received);
- c10 m4 P1 paid ¥20,000.00 on 2025-11-11 (another year).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from enrolment.models import Enrolment
from members.models import Member
from mutualaid.tenancy.context import tenant_scope
from mutualaid.tenancy.models import OrganisationKind
from premiums.models import Invoice, Payment
from stats.refresh import summaries_refresh
from tests import factories

AS_OF = dt.date(2026, 11, 20)
D = Decimal


def pay(policy, amount: str, paid_on: dt.date, *, refund: str | None = None, refund_on=None):
    """An invoice and payment for the policy's enrolment (its premium and cover dates set)."""
    enrolment = policy.enrolment
    Enrolment.objects.filter(pk=enrolment.pk).update(
        premium_total=D(amount),
        payment_date=paid_on,
        coverage_start=policy.start,
        coverage_end=policy.end,
    )
    invoice = Invoice.objects.create(
        tenant_id=policy.tenant_id,
        organisation_id=policy.organisation_id,
        enrolment=enrolment,
        number=f"JF{enrolment.pk.hex[:10]}",
        amount=D(amount),
        paid_total=D(amount),
        status="paid",
        paid_on=paid_on,
    )
    Payment.objects.create(
        tenant_id=policy.tenant_id,
        organisation_id=policy.organisation_id,
        invoice=invoice,
        bank_reference=f"R{enrolment.pk.hex[:12]}",
        paid_on=paid_on,
        amount=D(amount),
    )
    if refund:
        Payment.objects.create(
            tenant_id=policy.tenant_id,
            organisation_id=policy.organisation_id,
            invoice=invoice,
            kind="refund",
            bank_reference=f"RF{enrolment.pk.hex[:12]}",
            paid_on=refund_on,
            amount=D(refund),
        )
    return invoice


def claim(
    member,
    plan,
    status,
    *,
    amount=None,
    event=None,
    paid_on=None,
    due=None,
    approved_on=None,
    submitted=None,
):
    fields = {}
    if submitted is not None:
        fields["submitted_at"] = timezone.make_aware(dt.datetime.combine(submitted, dt.time(10, 0)))
    c = factories.make_claim(member, plan, status=status, amount=amount, event_date=event, **fields)
    updates = {}
    if paid_on is not None:
        updates["paid_on"] = paid_on
    if due is not None:
        updates["payout_due"] = due
    if approved_on is not None:
        updates["approved_on"] = approved_on
    if updates:
        type(c).objects.filter(pk=c.pk).update(**updates)
    return c


@dataclass
class StatsWorld:
    w: object
    p1: object
    p2: object
    a3: object
    members: dict


@pytest.fixture
def stats_world(world) -> StatsWorld:
    w = world
    a1 = factories.make_unit(w.unit, ownership="state_owned", industry="Q", union_member_count=10)
    a2 = factories.make_unit(
        w.sibling_unit, ownership="non_public", industry="P", union_member_count=4
    )
    a3_node = factories.make_node(w.county, OrganisationKind.UNIT, "甲县丙厂工会")
    a3 = factories.make_unit(a3_node, ownership="public_sector", industry="", union_member_count=6)
    b1 = factories.make_unit(
        w.other_county_unit, ownership="collective", industry="D", union_member_count=5
    )
    p1 = factories.make_plan(
        w.office, code="p1", name="测试综合计划", valid_from=dt.date(2020, 1, 1)
    )
    p2 = factories.make_plan(
        w.office, code="p2", name="测试意外计划", valid_from=dt.date(2020, 1, 1)
    )

    m = {name: factories.make_member(a1, name=name) for name in ("m1", "m2", "m3", "m4")}
    m["m5"] = factories.make_member(a1, name="m5", is_union_member=False)
    m["n1"] = factories.make_member(a2, name="n1")
    m["n2"] = factories.make_member(a2, name="n2")
    m["a3x"] = factories.make_member(a3, name="a3x")
    m["a3y"] = factories.make_member(a3, name="a3y")
    m["b1"] = factories.make_member(b1, name="b1")
    m["b2"] = factories.make_member(b1, name="b2")
    assert Member.objects.filter(tenant=w.tenant).count() == 11

    y2025 = dict(start=dt.date(2025, 3, 16), end=dt.date(2026, 3, 15))
    y2026 = dict(start=dt.date(2026, 3, 16), end=dt.date(2027, 3, 15))
    pol = {}
    pol["m1_2025"] = factories.make_policy(m["m1"], p1, **y2025)
    pol["m1_2026"] = factories.make_policy(m["m1"], p1, **y2026)
    pol["m2"] = factories.make_policy(m["m2"], p1, **y2026)
    pol["m3"] = factories.make_policy(
        m["m3"], p2, start=dt.date(2026, 6, 1), end=dt.date(2027, 5, 31)
    )
    pol["m4"] = factories.make_policy(
        m["m4"], p1, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31)
    )
    pol["m5"] = factories.make_policy(
        m["m5"], p2, start=dt.date(2026, 1, 10), end=dt.date(2027, 1, 9)
    )
    pol["n1"] = factories.make_policy(m["n1"], p1, **y2026)
    pol["b1"] = factories.make_policy(m["b1"], p1, **y2026)
    pol["b2"] = factories.make_policy(
        m["b2"], p2, start=dt.date(2026, 2, 1), end=dt.date(2027, 1, 31)
    )

    pay(pol["m1_2025"], "100.00", dt.date(2025, 3, 15))
    pay(pol["m2"], "480.00", dt.date(2026, 3, 15), refund="40.00", refund_on=dt.date(2026, 4, 2))
    pay(pol["n1"], "120.00", dt.date(2026, 3, 10))
    pay(pol["m3"], "300.00", dt.date(2026, 5, 31))
    pay(pol["b1"], "200.00", dt.date(2026, 3, 15))

    claim(
        m["m1"],
        p1,
        "paid",
        amount="10000.00",
        event=dt.date(2026, 4, 1),
        paid_on=dt.date(2026, 5, 10),
        due=dt.date(2026, 5, 20),
        submitted=dt.date(2026, 4, 5),
    )
    claim(
        m["m2"],
        p1,
        "paid",
        amount="9999.99",
        event=dt.date(2026, 4, 20),
        paid_on=dt.date(2026, 6, 1),
        due=dt.date(2026, 5, 30),
        submitted=dt.date(2026, 4, 25),
    )
    claim(
        m["m3"],
        p2,
        "paid",
        amount="25000.00",
        event=dt.date(2026, 6, 10),
        paid_on=dt.date(2026, 7, 15),
        due=dt.date(2026, 7, 15),
        submitted=dt.date(2026, 6, 12),
    )
    claim(
        m["n1"],
        p1,
        "paid",
        amount="3000.00",
        event=dt.date(2026, 7, 1),
        paid_on=dt.date(2026, 8, 1),
        due=dt.date(2026, 8, 20),
        submitted=dt.date(2026, 7, 3),
    )
    claim(
        m["b1"],
        p1,
        "paid",
        amount="12000.00",
        event=dt.date(2026, 8, 1),
        paid_on=dt.date(2026, 9, 1),
        due=dt.date(2026, 9, 30),
        submitted=dt.date(2026, 8, 3),
    )
    claim(
        m["m1"],
        p1,
        "approved",
        amount="5000.00",
        event=dt.date(2026, 9, 1),
        approved_on=dt.date(2026, 10, 1),
        due=dt.date(2026, 10, 20),
        submitted=dt.date(2026, 9, 3),
    )
    claim(m["m2"], p1, "rejected", event=dt.date(2026, 9, 5), submitted=dt.date(2026, 9, 8))
    claim(m["m5"], p2, "submitted", event=dt.date(2026, 10, 5), submitted=dt.date(2026, 10, 8))
    claim(m["n1"], p1, "draft", event=dt.date(2026, 10, 9))
    claim(
        m["m4"],
        p1,
        "paid",
        amount="20000.00",
        event=dt.date(2025, 10, 1),
        paid_on=dt.date(2025, 11, 11),
        due=dt.date(2025, 12, 1),
        submitted=dt.date(2025, 10, 3),
    )

    # Tenant B: big numbers that must never show up in tenant A.
    other_unit = factories.make_unit(w.other_unit, ownership="state_owned", union_member_count=3)
    x1 = factories.make_member(other_unit, name="x1")
    other_plan = factories.make_plan(w.other_office, code="pb", name="乙省计划")
    pay(factories.make_policy(x1, other_plan, **y2026), "99999.00", dt.date(2026, 3, 15))
    claim(
        x1,
        other_plan,
        "paid",
        amount="50000.00",
        event=dt.date(2026, 4, 1),
        paid_on=dt.date(2026, 5, 5),
        due=dt.date(2026, 6, 1),
        submitted=dt.date(2026, 4, 2),
    )

    # As the nightly task does: each tenant in its scope, under row-level security.
    for tenant in (w.tenant, w.other_tenant):
        with tenant_scope(tenant.pk):
            summaries_refresh(tenant_id=tenant.pk, as_of=AS_OF)
    return StatsWorld(w=w, p1=p1, p2=p2, a3=a3_node, members=m)


# Hand-computed (see the module docstring). Money as strings, rates in % with one decimal.
EXPECTED = SimpleNamespace(
    office_2026=dict(
        policies_started=7,  # P1: m1, m2, n1, b1; P2: m3, m5, b2
        premium_income=D("1060.00"),  # 480 − 40 + 120 + 300 + 200
        claims_received=8,  # c1–c8 (the draft c9 is not received)
        claims_paid=5,
        amount_paid=D("59999.99"),  # 10,000 + 9,999.99 + 25,000 + 3,000 + 12,000
        largest_payout=D("25000.00"),
        large_payouts=3,  # c1 (exactly 10,000), c3, c5; not c2 (9,999.99)
        average_payout=D("12000.00"),  # 59,999.99 / 5 = 11,999.998
        paid_on_time=4,  # c1, c3 (on its last day), c4, c5; c2 was late
        paid_with_due=5,
        on_time_rate=D("80.0"),
    ),
    county_2026=dict(
        policies_started=5,  # P1: m1, m2, n1; P2: m3, m5
        premium_income=D("860.00"),
        claims_received=7,  # c1–c4, c6, c7, c8
        claims_paid=4,
        amount_paid=D("47999.99"),
        largest_payout=D("25000.00"),
        large_payouts=2,
        average_payout=D("12000.00"),  # 47,999.99 / 4 = 11,999.9975
        on_time_rate=D("75.0"),  # 3 of 4
    ),
    office_2025=dict(
        policies_started=2,
        premium_income=D("100.00"),
        claims_paid=1,
        largest_payout=D("20000.00"),
        large_payouts=1,
    ),
    # Coverage on 2026-11-20: union members covered / union headcount.
    coverage_by_ownership={
        "state_owned": (3, 10, D("30.0")),  # A1: m1, m2, m3 (m5 is covered but not a union member)
        "non_public": (1, 4, D("25.0")),  # A2: n1
        "public_sector": (0, 6, D("0.0")),  # A3: a blank spot
        "collective": (2, 5, D("40.0")),  # B1: b1, b2
    },
    office_coverage=dict(
        units=4,
        units_enrolled=3,
        blank_spots=1,
        union_members=25,
        union_members_covered=6,
        members_covered=7,
        rate=D("24.0"),
        payouts_overdue=1,
    ),
    county_coverage=dict(
        units=3,
        units_enrolled=2,
        blank_spots=1,
        union_members=20,
        union_members_covered=4,
        members_covered=5,
        rate=D("20.0"),
    ),
)
