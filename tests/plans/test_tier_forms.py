"""Tiered plans (档) through the pages (SPEC §3; issue 16 item 8): the version form edits
each tier's code, name, premium and its own amounts for the items; the calculator and the
enrolment roster pick a tier; the demo has a tiered plan."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from plans.forms.plan import VersionForm
from plans.models import Plan, VersionStatus
from plans.seed_plans import plan_by_key
from tests.plans.test_pages import as_post, errors_of, item_post, version_post

pytestmark = pytest.mark.django_db


def tiered_post(**overrides) -> dict:
    """The version form sold in tiers: two tiers, no share settings."""
    data = {
        "sale_mode": "tiers",
        "premium_per_share": None,
        "max_shares": None,
        "uniform_shares": None,
        "waiting_days": "0",
        "waiting_consolation_amount": "",
        "tier_1_code": "t26",
        "tier_1_name": "26元档",
        "tier_1_premium": "26",
        "tier_2_code": "t50",
        "tier_2_name": "50元档",
        "tier_2_premium": "50.00",
    }
    return version_post(**{**data, **overrides})


def test_an_admin_builds_and_edits_tiers_through_the_pages(world, login):
    client = login(world.office_admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.post(
        reverse("plans:plan_create"),
        {"organisation": str(world.office.pk), "code": "gx_tiers", "name": "按档意外计划"},
    )
    plan = Plan.objects.get(code="gx_tiers")
    new_version = reverse("plans:version_create", args=[plan.pk])
    page = client.get(new_version).content.decode()
    assert 'data-testid="tiers"' in page and 'name="tier_1_premium"' in page
    response = client.post(new_version, tiered_post())
    assert response.status_code == 302, errors_of(response)
    version = plan.versions.get()
    assert version.terms["sale_mode"] == "tiers"
    assert version.terms["tiers"] == [
        {"code": "t26", "name": "26元档", "premium": "26.00"},
        {"code": "t50", "name": "50元档", "premium": "50.00"},
    ]
    assert version.terms.get("premium_per_share") is None

    new_item = reverse("plans:item_create", args=[plan.pk, version.pk])
    response = client.post(
        new_item,
        item_post(
            "fixed",
            code="accident_death",
            name="意外身故",
            events=["death"],
            conditions=[],
            causes=["accident"],
            waiting_applies=None,
            **{"p-amount": "20000"},
        ),
    )
    assert response.status_code == 302, errors_of(response)

    # Editing: each tier now has its own amount for the item; the 50 tier pays 40,000.
    edit = reverse("plans:version_edit", args=[plan.pk, version.pk])
    page = client.get(edit).content.decode()
    assert 'name="tier_2_accident_death__amount"' in page and 'value="t50"' in page
    response = client.post(
        edit,
        tiered_post(tier_2_name="50元档(改)", tier_2_accident_death__amount="40000"),
    )
    assert response.status_code == 302, errors_of(response)
    version.refresh_from_db()
    assert version.terms["tiers"][1] == {
        "code": "t50",
        "name": "50元档(改)",
        "premium": "50.00",
        "item_params": {"accident_death": {"amount": "40000.00"}},
    }
    # A bad tier lands on its row, in the engine's words.
    response = client.post(edit, tiered_post(tier_2_premium="-5"))
    assert response.status_code == 200 and errors_of(response)

    publish = reverse("plans:version_publish", args=[plan.pk, version.pk])
    assert client.post(publish).status_code == 302
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED

    # The calculator offers the tiers and pays the chosen one's amount.
    calc = client.get(reverse("plans:calculator"), {"version": str(version.pk)}).content.decode()
    assert 'name="tier"' in calc and "50元档(改)" in calc
    answers = {}
    for tier in ("t26", "t50"):
        response = client.post(
            reverse("plans:calculator"),
            {
                "version": str(version.pk),
                "tier": tier,
                "effective_date": "2026-03-16",
                "event_kind": "death",
                "event_date": "2026-08-01",
                "cause": "accident",
            },
        )
        answers[tier] = response.content.decode()
    assert "¥20,000.00" in answers["t26"] and "¥40,000.00" in answers["t50"]

    # The enrolment roster picks a tier, at the tier's premium.
    from enrolment.models import EnrolmentLine
    from tests import factories
    from tests.enrolment.support import new_enrolment

    member = factories.make_member(world.unit, name="覃档员")
    unit = factories.make_unit(world.unit)
    enrolment = new_enrolment(world.actor(world.agent), unit, plan, start=date(2026, 3, 16))
    agent_client = login(world.agent)
    line_add = reverse("enrolments:line_add", args=[enrolment.pk])
    assert "50元档(改)" in agent_client.get(line_add).content.decode()
    response = agent_client.post(
        line_add, {"name": member.name, "id_number": member.id_number, "tier": "t50"}
    )
    assert response.status_code == 302, errors_of(response)
    line = EnrolmentLine.objects.get(enrolment=enrolment)
    assert (line.tier, str(line.premium)) == ("t50", "50.00")


def test_the_version_form_round_trips_a_tiered_plan_with_its_items():
    spec = plan_by_key("gx_tiered_accident")
    terms = spec["version"]["terms"]
    stored = {k: v for k, v in terms.items() if k != "benefit_items"}
    items = terms["benefit_items"]
    shown = VersionForm(
        initial=VersionForm.initial_from(terms=stored, label="x", valid_from=date(2026, 1, 1)),
        base_terms=stored,
        items=items,
    )
    assert "premium_per_share" not in shown.fields
    posted = VersionForm(as_post(shown), base_terms=stored, items=items)
    assert posted.is_valid(), posted.errors
    assert posted.to_terms() == stored


def test_the_demo_has_a_tiered_plan_once():
    from mutualaid.home.demo import seed_tenants
    from plans.demo import seed_demo_extra_plans

    seed_tenants()
    assert len(seed_demo_extra_plans()) == 1
    assert seed_demo_extra_plans() == []
    plan = Plan.objects.get(tenant__slug="guangxi", code="gx_tiered_accident")
    version = plan.versions.get()
    assert version.status == VersionStatus.PUBLISHED and version.terms["sale_mode"] == "tiers"
    assert [t["premium"] for t in version.terms["tiers"]] == ["26.00", "50.00", "74.00", "100.00"]
