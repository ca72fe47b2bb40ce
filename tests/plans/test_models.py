"""The plan catalogue's models and services: visibility, versions, validation, demo data."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from mutualaid.audit.models import AuditEvent
from mutualaid.tenancy.models import Role, Tenant
from plans import selectors, services
from plans.access import access_plan, access_version
from plans.demo import seed_demo_plans
from plans.models import BenefitItem, Plan, PlanVersion, VersionStatus
from plans.rules import ClaimFacts, PlanTerms, assess, new_policy_snapshot
from plans.seed_plans import PLANS, plan_by_key
from tests import factories

pytestmark = pytest.mark.django_db


# --- visibility -------------------------------------------------------------------


@pytest.fixture
def catalogue(world):
    """A tenant-wide plan, local plans of city A and of a sibling city, tenant B's plan."""
    sibling_city = factories.make_node(world.office, "city", "丁市总工会")
    return {
        "tenant_wide": factories.make_plan(world.office, code="wide"),
        "city": factories.make_plan(world.city, code="city_local"),
        "sibling_city": factories.make_plan(sibling_city, code="sibling_local"),
        "other_tenant": factories.make_plan(world.other_office, code="other"),
        "sibling_city_admin": factories.make_staff(
            sibling_city, Role.OFFICE_ADMIN, username="sibling_city_admin"
        ),
    }


def _codes(world, user) -> set[str]:
    return set(Plan.objects.for_actor(world.actor(user)).values_list("code", flat=True))


def test_office_sees_every_plan_of_its_tenant(world, catalogue):
    assert _codes(world, world.office_admin) == {"wide", "city_local", "sibling_local"}


def test_city_line_sees_tenant_plans_and_its_own_city_plan(world, catalogue):
    for user in (world.city_cadre, world.county_cadre, world.agent):
        assert _codes(world, user) == {"wide", "city_local"}, user


def test_sibling_city_and_other_tenant_do_not_see_the_local_plan(world, catalogue):
    assert _codes(world, catalogue["sibling_city_admin"]) == {"wide", "sibling_local"}
    assert _codes(world, world.other_tenant_admin) == {"other"}
    with pytest.raises(Http404):
        access_plan(world.actor(catalogue["sibling_city_admin"]), catalogue["city"].pk)


def test_versions_follow_the_visibility_of_their_plan(world, catalogue):
    version = catalogue["city"].versions.get()
    assert access_version(world.actor(world.agent), catalogue["city"].pk, version.pk) == version
    for user in (catalogue["sibling_city_admin"], world.other_tenant_admin):
        with pytest.raises(Http404):
            access_version(world.actor(user), catalogue["city"].pk, version.pk)
    # The right version id under another plan's id is not found either.
    with pytest.raises(Http404):
        access_version(world.actor(world.office_admin), catalogue["tenant_wide"].pk, version.pk)


def test_who_may_change_which_plan(world, catalogue):
    city_admin = factories.make_staff(world.city, Role.OFFICE_ADMIN, username="city_admin")
    assert services.can_change_plan(world.actor(world.office_admin), catalogue["city"])
    assert services.can_change_plan(world.actor(city_admin), catalogue["city"])
    assert not services.can_change_plan(world.actor(city_admin), catalogue["tenant_wide"])
    assert not services.can_change_plan(world.actor(world.city_cadre), catalogue["city"])
    assert not services.can_change_plan(world.actor(world.agent), catalogue["tenant_wide"])


# --- versions: create, validate, publish, copy -----------------------------------


def _new_plan(world, **kwargs):
    return services.plan_create(
        actor=world.actor(world.office_admin),
        organisation=world.office,
        code=kwargs.get("code", "new_plan"),
        name="新计划",
    )


def test_a_draft_may_lack_items_but_cannot_be_published_without_them(world):
    actor = world.actor(world.office_admin)
    plan = _new_plan(world)
    version = services.version_create(
        actor=actor,
        plan=plan,
        label="2026版",
        valid_from=date(2026, 1, 1),
        terms=factories.plan_terms(benefit_items=[]),
    )
    assert version.status == VersionStatus.DRAFT and version.number == 1
    assert services.publication_problems(version) == {"benefit_items": ["至少需要一个给付项目"]}
    with pytest.raises(services.TermsInvalid):
        services.version_publish(actor=actor, version=version)


INVALID_TERMS = {
    "negative premium": (
        {"premium_per_share": "-40.00"},
        "premium_per_share",
        "每份保费不能为负数",
    ),
    "mixed cap with uniform shares": (
        {"uniform_shares": True, "max_shares_if_not_uniform": 3},
        "max_shares_if_not_uniform",
        "已规定同一单位参保份数必须一致",
    ),
}


@pytest.mark.parametrize("case", sorted(INVALID_TERMS))
def test_invalid_terms_are_refused_with_the_engines_message(world, case):
    overrides, path, message = INVALID_TERMS[case]
    plan = _new_plan(world)
    with pytest.raises(services.TermsInvalid) as caught:
        services.version_create(
            actor=world.actor(world.office_admin),
            plan=plan,
            label="x",
            valid_from=date(2026, 1, 1),
            terms=factories.plan_terms(**overrides),
        )
    assert any(message in m for m in caught.value.errors[path])
    assert not PlanVersion.objects.filter(plan=plan).exists()


INVALID_ITEMS = {
    "cap below threshold": (
        {
            "formula": "per_unit_of_amount",
            "params": {
                "unit": "10000.00",
                "per_unit": "2000.00",
                "min_base": "10000.00",
                "cap": "5000.00",
            },
        },
        "params",
        "封顶金额不能低于起付金额",
    ),
    "overlapping bands": (
        {
            "formula": "band_lump_sum",
            "params": {
                "base": "self_paid",
                "bands": [
                    {"lower": "3000", "upper": "10000", "amount": "2000.00"},
                    {"lower": "10000", "upper": "20000", "amount": "3000.00"},
                ],
            },
        },
        "params",
        "金额区间重叠",
    ),
    "unknown formula": ({"formula": "lottery", "params": {}}, "formula", "未知的给付公式: lottery"),
}


@pytest.mark.parametrize("case", sorted(INVALID_ITEMS))
def test_invalid_items_are_refused_on_the_items_own_fields(world, case):
    extra, field, message = INVALID_ITEMS[case]
    actor = world.actor(world.office_admin)
    version = services.version_create(
        actor=actor,
        plan=_new_plan(world),
        label="x",
        valid_from=date(2026, 1, 1),
        terms=factories.plan_terms(),
    )
    data = {"code": "second", "name": "第二项", "events": ["hospital_stay"], **extra}
    with pytest.raises(services.TermsInvalid) as caught:
        services.item_create(actor=actor, version=version, data=data)
    assert any(message in m for m in caught.value.errors[field]), caught.value.errors
    assert version.items.count() == 1


def test_items_of_an_exclusive_pair_can_be_added_one_at_a_time(world):
    actor = world.actor(world.office_admin)
    version = services.version_create(
        actor=actor,
        plan=_new_plan(world),
        label="x",
        valid_from=date(2026, 1, 1),
        terms=factories.plan_terms(),
    )
    death = {
        "code": "death",
        "name": "身故",
        "events": ["death"],
        "formula": "fixed",
        "params": {"amount": "20000.00"},
        "exclusive_group": "injury",
    }
    services.item_create(actor=actor, version=version, data=death)
    assert (
        "互斥组「injury」只有一个给付项目"
        in services.publication_problems(version)["benefit_items"][0]
    )
    services.item_create(
        actor=actor,
        version=version,
        data={**death, "code": "disability", "name": "伤残", "events": ["disability"]},
    )
    assert services.publication_problems(version) == {}
    services.version_publish(actor=actor, version=version)
    assert [i.code for i in version.items.order_by("position")] == [
        "disease",
        "death",
        "disability",
    ]


def test_a_published_version_cannot_be_changed_by_any_service(world):
    actor = world.actor(world.office_admin)
    plan = factories.make_plan(world.office)
    version = plan.versions.get()
    item = version.items.get()
    item.version = version
    attempts = [
        lambda: services.version_update(
            actor=actor,
            version=version,
            label="改",
            valid_from=version.valid_from,
            terms=factories.plan_terms(premium_per_share="1.00"),
        ),
        lambda: services.item_create(
            actor=actor, version=version, data=item.to_terms() | {"code": "x"}
        ),
        lambda: services.item_update(actor=actor, item=item, data=item.to_terms() | {"name": "改"}),
        lambda: services.item_delete(actor=actor, item=item),
        lambda: services.version_publish(actor=actor, version=version),
        lambda: services.version_delete(actor=actor, version=version),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as caught:
            attempt()
        assert "cannot be changed" in str(caught.value) or "不能" in str(caught.value)
    version.refresh_from_db()
    assert version.terms["premium_per_share"] == "40.00"
    assert version.items.get().name == "重大疾病"


def test_is_in_use_is_false_until_enrolment_binds_policies(world):
    version = factories.make_plan(world.office).versions.get()
    assert version.is_in_use() is False
    assert version.is_editable is False  # published: frozen whether used or not


def test_copy_makes_a_later_draft_with_the_same_terms_and_items(world):
    actor = world.actor(world.office_admin)
    plans = factories.load_seed_plans(world)
    source = plans["gx_comprehensive"].versions.get()
    with pytest.raises(ValidationError):
        services.version_copy(actor=actor, version=source, valid_from=source.valid_from)
    copy = services.version_copy(
        actor=actor, version=source, valid_from=date(2027, 1, 1), label="2027年版"
    )
    assert (copy.status, copy.number, copy.copied_from_id) == (VersionStatus.DRAFT, 2, source.pk)
    assert copy.engine_terms() == source.engine_terms()
    assert AuditEvent.objects.filter(action="plan_version.copy", object_id=str(copy.pk)).exists()


def test_version_in_force_picks_by_date(world):
    actor = world.actor(world.office_admin)
    plan = factories.make_plan(world.office, valid_from=date(2025, 1, 1))
    first = plan.versions.get()
    second = services.version_copy(actor=actor, version=first, valid_from=date(2026, 1, 1))
    draft = services.version_copy(actor=actor, version=first, valid_from=date(2026, 6, 1))
    assert selectors.version_in_force(plan=plan, on_date=date(2024, 12, 31)) is None
    assert selectors.version_in_force(plan=plan, on_date=date(2025, 12, 31)) == first
    assert (
        selectors.version_in_force(plan=plan, on_date=date(2026, 7, 1)) == first
    )  # not yet published
    services.version_publish(actor=actor, version=second)
    assert selectors.version_in_force(plan=plan, on_date=date(2026, 1, 1)) == second
    assert selectors.version_in_force(plan=plan, on_date=date(2025, 12, 31)) == first
    assert (
        selectors.version_in_force(plan=plan, on_date=date(2026, 7, 1)) == second
    )  # draft ignored
    assert draft.status == VersionStatus.DRAFT


def test_a_version_that_has_ended_does_not_bring_back_an_older_one(world):
    plan = factories.make_plan(world.office, valid_from=date(2025, 1, 1))
    factories.make_version(plan, valid_from=date(2026, 1, 1))
    PlanVersion.objects.filter(plan=plan, number=2).update(valid_to=date(2026, 12, 31))
    assert selectors.version_in_force(plan=plan, on_date=date(2026, 12, 31)).number == 2
    assert selectors.version_in_force(plan=plan, on_date=date(2027, 1, 1)) is None


def test_two_published_versions_cannot_start_on_the_same_day(world):
    actor = world.actor(world.office_admin)
    plan = factories.make_plan(world.office, valid_from=date(2026, 1, 1))
    draft = services.version_copy(
        actor=actor, version=plan.versions.get(), valid_from=date(2026, 2, 1)
    )
    PlanVersion.objects.filter(pk=draft.pk).update(valid_from=date(2026, 1, 1))
    draft.refresh_from_db()
    problems = services.publication_problems(draft)
    assert "valid_from" in problems


def test_plan_writes_need_an_office_admin_who_reaches_the_owner(world):
    with pytest.raises(PermissionDenied):
        services.plan_create(
            actor=world.actor(world.city_cadre), organisation=world.city, code="x", name="x"
        )
    with pytest.raises(ValidationError):  # a unit cannot own a plan
        services.plan_create(
            actor=world.actor(world.office_admin), organisation=world.unit, code="x", name="x"
        )
    plan = services.plan_create(
        actor=world.actor(world.office_admin),
        organisation=world.city,
        code="local",
        name="甲市工会干部互助保障计划",
    )
    assert plan.is_local
    with pytest.raises(ValidationError) as caught:
        services.plan_create(
            actor=world.actor(world.office_admin),
            organisation=world.office,
            code="local",
            name="重名",
        )
    assert "code" in caught.value.message_dict


# --- engine terms round trip and demo data ----------------------------------------


@pytest.mark.parametrize("key", [p["key"] for p in PLANS])
def test_seed_plans_round_trip_through_the_tables(world, key):
    plans = factories.load_seed_plans(world)
    version = plans[key].versions.get()
    assert version.status == VersionStatus.PUBLISHED
    stored = PlanTerms.from_dict(version.engine_terms())
    original = PlanTerms.from_dict(plan_by_key(key)["version"]["terms"])
    assert stored.items == original.items
    assert {k: v for k, v in stored.raw.items() if k != "benefit_items"} == {
        k: v for k, v in original.raw.items() if k != "benefit_items"
    }
    facts = ClaimFacts(
        event_kind="illness",
        event_date=date(2026, 9, 1),
        condition="malignant_tumour",
        self_paid=None,
    )
    policies = [
        new_policy_snapshot(terms=t, start=date(2026, 1, 10), end=date(2027, 1, 9), shares=1)
        for t in (stored, original)
    ]
    assert assess(policies[0], facts) == assess(policies[1], facts)


def test_seed_demo_plans_loads_the_six_plans_once(db):
    from mutualaid.home.demo import seed_tenants

    seed_tenants()
    created = seed_demo_plans()
    assert len(created) == 6
    assert seed_demo_plans() == []
    guangxi = Tenant.objects.get(slug="guangxi")
    zhejiang = Tenant.objects.get(slug="zhejiang")
    gx = Plan.objects.filter(tenant=guangxi).select_related("organisation")
    assert gx.count() == 5 and all(p.organisation.depth == 1 for p in gx)
    sx = Plan.objects.select_related("organisation").get(tenant=zhejiang)
    assert (sx.code, sx.organisation.name, sx.is_local) == ("sx_union_cadres", "绍兴市总工会", True)
    assert (
        PlanVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .filter(plan__tenant__in=[guangxi, zhejiang])
        .count()
        == 6
    )
    # Where a number was assumed, the version's notes say so.
    assert any("假定" in n for n in sx.versions.get().terms["notes"])
    assert BenefitItem.objects.filter(version__plan=sx).count() == 6
