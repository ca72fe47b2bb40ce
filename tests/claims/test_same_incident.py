"""A death reported after a disability of the same accident (SPEC §3 modifiers; issue 16
item 12): the death's report names the disability's report as the same incident, and the
engine's rule for items that exclude each other ("pay the larger, less what was already
paid for the same event") deducts the disability granted.

The seed plan 团体人身意外伤害 pays ¥12,000 a share for an accidental death and the
disability grade's percentage of ¥12,000 a share for a disability, "身故与伤残互斥, 取较高者
并扣除已给付". The member holds 1 share, bought through enrolment and premiums; a grade-5
disability is 60 % = ¥7,200.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from claims.models import Claim, ClaimStatus, IncidentReport
from claims.services import applications, payouts, reports, review, steps
from mutualaid.core.errors import DomainError
from tests import factories
from tests.claims.services_support import (
    ONE_DAY,
    apply,
    enrol_and_pay,
    freeze_today,
    seed_calendar,
    submitted,
)

pytestmark = pytest.mark.django_db

ACCIDENT = dt.date(2026, 8, 1)
SUM = Decimal("12000.00")
DISABILITY = Decimal("7200.00")  # grade 5: 60 % × ¥12,000


@pytest.fixture
def insured(world, seed_plans, monkeypatch):
    seed_calendar(world)
    plan = seed_plans["gx_group_accident"]
    member = factories.make_member(world.unit, name="覃志强")
    (policy,) = enrol_and_pay(world, plan, [member], shares=1, paid_on=dt.date(2026, 3, 15))
    freeze_today(monkeypatch, ACCIDENT + dt.timedelta(days=20))
    return member, plan, policy


def _disability(world, member, plan, *, pay: bool) -> Claim:
    claim = submitted(
        world,
        member,
        plan,
        event_kind="disability",
        cause="accident",
        event_date=ACCIDENT,
        facts={"disability_grade": "5"},
    )
    assert claim.assessed_amount == DISABILITY
    claim = review.claim_decide(actor=world.actor(world.reviewer), claim=claim, action="approve")
    assert claim.status == ClaimStatus.APPROVED
    if pay:
        finance, finance2 = world.actor(world.finance), world.actor(world.finance2)
        batch = payouts.batch_build(actor=finance, tenant_id=world.tenant.pk)
        batch = payouts.batch_approve(actor=finance2, batch=batch)
        payouts.lines_mark_paid(actor=finance2, batch=batch, paid_on=steps.today())
        claim = Claim.objects.get(pk=claim.pk)
        assert claim.status == ClaimStatus.PAID
    return claim


def _death(world, member, plan, *, same_incident_as=None) -> Claim:
    agent = world.actor(world.agent)
    report = reports.report_create(
        actor=agent,
        member=member,
        plan=plan,
        event_kind="death",
        cause="accident",
        event_date=ACCIDENT,
        description="伤重不治身故",
        same_incident_as=same_incident_as,
        reported_on=ACCIDENT + ONE_DAY,  # in time (3 days for an accident)
    )
    claim = apply(world, report.claim, payee_relation="spouse", payee_name="家属" + member.name)
    return applications.claim_submit(actor=agent, claim=claim)


#: (how far the disability got, linked?) → the death benefit.
CASES = [
    ("approved", True, SUM - DISABILITY),
    ("paid", True, SUM - DISABILITY),
    ("approved", False, SUM),
    ("paid", False, SUM),
]


@pytest.mark.parametrize(("stage", "linked", "expected"), CASES)
def test_a_linked_death_is_reduced_by_the_disability_granted(
    world, insured, stage, linked, expected
):
    member, plan, policy = insured
    disability = _disability(world, member, plan, pay=stage == "paid")
    death = _death(world, member, plan, same_incident_as=disability.report_id if linked else None)
    assert death.policy_id == policy.pk
    assert death.assessed_amount == expected, "\n".join(death.assessment["explanation"])
    report = IncidentReport.objects.get(pk=death.report_id)
    assert report.same_incident_as_id == (disability.report_id if linked else None)
    if linked:
        assert "ALREADY_PAID" in death.assessment["reasons"]
        assert any("同一事件已给付" in line for line in death.assessment["explanation"])
    # The first approval assesses again: the deduction holds there too.
    death = review.claim_decide(actor=world.actor(world.reviewer), claim=death, action="approve")
    assert death.approved_amount == expected


def test_a_third_report_of_the_incident_names_the_first(world, insured):
    """A report naming a later report of the incident keeps the incident's first report:
    every report of one incident names the same one, so the deduction sees them all."""
    member, plan, _ = insured
    disability = _disability(world, member, plan, pay=False)
    second = reports.report_create(
        actor=world.actor(world.agent),
        member=member,
        plan=plan,
        event_kind="accident",
        cause="accident",
        event_date=ACCIDENT,
        description="复查",
        same_incident_as=disability.report_id,
        reported_on=steps.today(),
    )
    death = _death(world, member, plan, same_incident_as=second.pk)
    assert IncidentReport.objects.get(pk=death.report_id).same_incident_as_id == (
        disability.report_id
    )
    assert death.assessed_amount == SUM - DISABILITY


def _refused(world, member, plan, value):
    with translation.override("en"), pytest.raises(DomainError) as error:
        reports.report_create(
            actor=world.actor(world.agent),
            member=member,
            plan=plan,
            event_kind="death",
            cause="accident",
            event_date=ACCIDENT,
            description="身故",
            same_incident_as=value,
            reported_on=steps.today(),
        )
    return error.value.message_dict


def test_a_link_to_another_members_report_is_refused(world, insured, seed_plans):
    """Another member of the same unit, a member of a sibling unit (out of reach), another
    tenant's report, an id that is no report, not an id: one message on the field."""
    member, plan, _ = insured
    neighbour = factories.make_member(world.unit, name="蒙丽")
    enrol_and_pay(world, plan, [neighbour], shares=1, paid_on=dt.date(2026, 3, 15))
    theirs = reports.report_create(
        actor=world.actor(world.agent),
        member=neighbour,
        plan=plan,
        event_kind="disability",
        cause="accident",
        event_date=ACCIDENT,
        description="致残",
        reported_on=steps.today(),
    )
    stranger = factories.make_member(world.sibling_unit, name="陆强")
    factories.make_policy(stranger, plan, start=dt.date(2026, 3, 16))
    sibling = reports.report_create(
        actor=world.actor(world.sibling_agent),
        member=stranger,
        plan=plan,
        event_kind="disability",
        cause="accident",
        event_date=ACCIDENT,
        description="致残",
        reported_on=steps.today(),
    )
    for value in (theirs.pk, sibling.pk, "00000000-0000-0000-0000-000000000000", "BA-1"):
        assert _refused(world, member, plan, value) == {
            "same_incident_as": ["Choose an earlier report of this member."]
        }
    assert not IncidentReport.objects.filter(member=member).exists()


def test_the_page_offers_the_members_earlier_reports_and_shows_the_link(world, insured, login):
    member, plan, _ = insured
    disability = _disability(world, member, plan, pay=False)
    client = login(world.agent)
    page = client.get("/claims/report/", {"member": member.pk})
    choices = page.context["form"].fields["same_incident_as"].widget.choices
    assert [value for value, _ in choices] == ["", str(disability.report_id)]
    response = client.post(
        "/claims/report/",
        {
            "member": member.pk,
            "plan": plan.pk,
            "event_kind": "death",
            "cause": "accident",
            "event_date": ACCIDENT.isoformat(),
            "description": "伤重不治身故",
            "same_incident_as": str(disability.report_id),
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    report = IncidentReport.objects.exclude(pk=disability.report_id).get(member=member)
    assert report.same_incident_as_id == disability.report_id
    body = client.get(f"/claims/{report.claim.pk}/").content.decode()
    assert 'data-testid="same-incident"' in body and disability.report.number in body


def test_the_page_shows_a_bad_link_on_its_field(world, insured, login):
    member, plan, _ = insured
    _disability(world, member, plan, pay=False)
    response = login(world.agent).post(
        "/claims/report/",
        {
            "member": member.pk,
            "plan": plan.pk,
            "event_kind": "death",
            "cause": "accident",
            "event_date": ACCIDENT.isoformat(),
            "description": "身故",
            "same_incident_as": "00000000-0000-0000-0000-000000000000",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.context["form"].errors["same_incident_as"] == [
        "Choose an earlier report of this member."
    ]


def test_the_api_takes_the_link_and_refuses_another_members_report(world, insured):
    member, plan, _ = insured
    disability = _disability(world, member, plan, pay=False)
    other = factories.make_member(world.unit, name="蒙丽")
    enrol_and_pay(world, plan, [other], shares=1, paid_on=dt.date(2026, 3, 15))
    theirs = _disability(world, other, plan, pay=False)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.agent, backend="django.contrib.auth.backends.ModelBackend")

    def report(link):
        body = {
            "member": str(member.pk),
            "plan": str(plan.pk),
            "event_kind": "death",
            "cause": "accident",
            "event_date": ACCIDENT.isoformat(),
            "description": "伤重不治身故",
            "same_incident_as": str(link),
        }
        return client.post("/api/v1/incident-reports/", body, content_type="application/json")

    refused = report(theirs.report_id)
    assert refused.status_code == 400
    assert refused.json() == {"same_incident_as": ["Choose an earlier report of this member."]}
    created = report(disability.report_id)
    assert created.status_code == 201, created.json()
    assert created.json()["same_incident_as"] == str(disability.report_id)
    read = client.get(f"/api/v1/incident-reports/{created.json()['id']}/")
    assert read.json()["same_incident_as"] == str(disability.report_id)


def test_earlier_reports_only_of_the_same_member_reach_the_engine(world, insured):
    """Two members hurt in one accident: the neighbour's disability is not deducted from
    this member's death, linked or not (a link to it is refused above)."""
    member, plan, _ = insured
    other = factories.make_member(world.unit, name="蒙丽")
    enrol_and_pay(world, plan, [other], shares=1, paid_on=dt.date(2026, 3, 15) - ONE_DAY)
    _disability(world, other, plan, pay=False)
    assert _death(world, member, plan).assessed_amount == SUM
