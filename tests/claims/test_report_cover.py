"""A report is for an event the member's cover pays for (SPEC §8.1; issue 16 item 7).

The report service refuses an event kind that the member's policy of the plan, in force on
the event date, has no benefit for, on the event-kind field, naming what that cover pays
for; the page and the API show the service's message there (one validation path). The
form offers only the kinds some cover of the member pays for.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import translation

from claims.models import IncidentReport
from claims.services import reports
from mutualaid.core.errors import DomainError
from tests import factories

pytestmark = pytest.mark.django_db

START, END = dt.date(2026, 3, 16), dt.date(2027, 3, 15)
BEFORE, INSIDE, AFTER = dt.date(2026, 3, 15), dt.date(2026, 9, 28), dt.date(2027, 3, 16)
NAMES = {"hospital_stay": "住院", "accident": "意外伤害(医疗)", "death": "身故"}


def _item(code: str, events: list[str], **extra) -> dict:
    return {
        "code": code,
        "name": code,
        "events": events,
        "formula": "fixed",
        "params": {"amount": "1000.00"},
        **extra,
    }


#: What each test plan's benefit items answer.
PLANS = {
    "hospital": [_item("stay", ["hospital_stay"])],
    "accident": [_item("injury", ["accident"])],
    "both": [_item("stay", ["hospital_stay"]), _item("injury", ["accident"])],
}

#: (plan, event kind, event date, refused?)
CASES = [
    (plan, kind, day, not (day == INSIDE and kind in covered))
    for plan, covered in {
        "hospital": {"hospital_stay"},
        "accident": {"accident"},
        "both": {"hospital_stay", "accident"},
    }.items()
    for kind in ("hospital_stay", "accident", "death")
    for day in (BEFORE, INSIDE, AFTER)
]


def _covered_member(world, key: str, *, name="黄秀兰"):
    plan = factories.make_plan(
        world.office, terms=factories.plan_terms(benefit_items=PLANS[key], covered_conditions=[])
    )
    member = factories.make_member(world.unit, name=name)
    factories.make_policy(member, plan, start=START)
    return member, plan


def _report(world, member, plan, kind, day):
    return reports.report_create(
        actor=world.actor(world.agent),
        member=member,
        plan=plan,
        event_kind=kind,
        cause="accident" if kind == "accident" else "",
        event_date=day,
        description="住院治疗",
        reported_on=day + dt.timedelta(days=1),
    )


@pytest.mark.parametrize(
    ("plan_key", "kind", "day", "refused"),
    CASES,
    ids=[f"{p}-{k}-{d.isoformat()}" for p, k, d, _ in CASES],
)
def test_the_service_refuses_what_the_cover_does_not_pay_for(world, plan_key, kind, day, refused):
    member, plan = _covered_member(world, plan_key)
    if not refused:
        report = _report(world, member, plan, kind, day)
        assert report.event_kind == kind and report.claim.policy.plan_id == plan.pk
        return
    with translation.override("en"), pytest.raises(DomainError) as error:
        _report(world, member, plan, kind, day)
    assert set(error.value.message_dict) == {"event_kind"}
    (message,) = error.value.message_dict["event_kind"]
    if day == INSIDE:
        covered = {"hospital": "住院", "accident": "意外伤害(医疗)"}.get(
            plan_key, "住院、意外伤害(医疗)"
        )
        assert message == (
            f"On 2026-09-28 the member's plan covers only: {covered}; it does not cover "
            f"{NAMES[kind]}."
        )
    else:
        assert "was not covered by this plan" in message and "2026-03-16 – 2027-03-15" in message
    assert not IncidentReport.objects.filter(member=member).exists()


def test_the_message_in_chinese_names_the_cover_and_another_plan_that_pays(world):
    member, hospital = _covered_member(world, "hospital")
    accident = factories.make_plan(
        world.office,
        name="意外计划",
        terms=factories.plan_terms(benefit_items=PLANS["accident"], covered_conditions=[]),
    )
    factories.make_policy(member, accident, start=START)
    with translation.override("zh-hans"), pytest.raises(DomainError) as error:
        _report(world, member, hospital, "death", INSIDE)
    assert error.value.message_dict["event_kind"] == [
        "该职工在 2026-09-28 参加的计划只保障：住院；不保障身故"
    ]
    with translation.override("zh-hans"), pytest.raises(DomainError) as error:
        _report(world, member, hospital, "accident", INSIDE)
    (message,) = error.value.message_dict["event_kind"]
    assert message.startswith("该职工在 2026-09-28 参加的计划只保障：住院；不保障意外伤害(医疗)")
    assert accident.display_name in message


def test_cover_ended_early_pays_for_nothing_after_it_ended(world):
    member, plan = _covered_member(world, "both")
    member_policy = member.policies.get()
    member_policy.status, member_policy.ended_on = "ended", dt.date(2026, 9, 1)
    member_policy.save(update_fields=["status", "ended_on"])
    with pytest.raises(DomainError) as error:
        _report(world, member, plan, "hospital_stay", INSIDE)
    assert "event_kind" in error.value.message_dict
    assert _report(world, member, plan, "hospital_stay", dt.date(2026, 9, 1)).pk


def test_the_death_consolation_makes_death_a_covered_kind(world):
    plan = factories.make_plan(
        world.office,
        terms=factories.plan_terms(
            benefit_items=PLANS["hospital"],
            covered_conditions=[],
            consolations={"death_other_causes": {"amount": "500.00", "causes": ["illness"]}},
        ),
    )
    member = factories.make_member(world.unit)
    factories.make_policy(member, plan, start=START)
    assert _report(world, member, plan, "death", INSIDE).event_kind == "death"


def test_the_page_shows_the_message_on_the_event_kind_and_offers_the_covered_kinds(world, login):
    member, plan = _covered_member(world, "hospital")
    client = login(world.agent)
    page = client.get("/claims/report/", {"member": member.pk})
    form = page.context["form"]
    assert [value for value, _ in form.fields["event_kind"].widget.choices] == [
        "",
        "hospital_stay",
    ]
    response = client.post(
        "/claims/report/",
        {
            "member": member.pk,
            "plan": plan.pk,
            "event_kind": "death",
            "cause": "",
            "event_date": INSIDE.isoformat(),
            "description": "身故",
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert response.context["form"].errors["event_kind"] == [
        "该职工在 2026-09-28 参加的计划只保障：住院；不保障身故"
    ]
    assert not IncidentReport.objects.filter(member=member).exists()


def test_the_api_shows_the_message_on_the_event_kind(world):
    member, plan = _covered_member(world, "accident")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.agent, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        "/api/v1/incident-reports/",
        {
            "member": str(member.pk),
            "plan": str(plan.pk),
            "event_kind": "hospital_stay",
            "event_date": INSIDE.isoformat(),
            "description": "住院",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "event_kind": [
            "On 2026-09-28 the member's plan covers only: 意外伤害(医疗); it does not cover 住院."
        ]
    }


def test_a_day_in_the_renewal_grace_is_taken_and_a_day_after_it_is_not(world):
    """Some offices keep cover continuous for a renewal paid up to 30 days after the end
    (SPEC §7): a report in that window is taken (a renewal paid in time covers it; the
    engine decides), a day later it is refused."""
    plan = factories.make_plan(
        world.office,
        terms=factories.plan_terms(
            benefit_items=PLANS["hospital"],
            covered_conditions=[],
            renewal={"grace_days_after_end": 30},
        ),
    )
    member = factories.make_member(world.unit)
    factories.make_policy(member, plan, start=START)
    grace_end = END + dt.timedelta(days=30)
    assert _report(world, member, plan, "hospital_stay", grace_end).event_kind == "hospital_stay"
    with pytest.raises(DomainError) as error:
        _report(world, member, plan, "hospital_stay", grace_end + dt.timedelta(days=1))
    assert "event_kind" in error.value.message_dict
