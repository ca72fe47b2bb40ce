"""The plans API: the same scope, rules and messages as the pages (SPEC §3, §12)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from drf_spectacular.validation import validate_schema

from mutualaid.audit.models import AuditEvent
from mutualaid.tenancy.models import Role
from plans.models import Plan, PlanVersion, VersionStatus
from tests import factories
from tests.plans.support import read_acceptance
from tests.plans.test_acceptance_benefits import EVENTS, PLAN_KEYS, parse_facts, parse_shares

pytestmark = pytest.mark.django_db

ROWS = read_acceptance("benefits.csv")
PLANS = "/api/v1/plans/"


def versions_url(plan):
    return f"{PLANS}{plan.pk}/versions/"


def version_url(version):
    return f"{PLANS}{version.plan_id}/versions/{version.pk}/"


@pytest.fixture
def api(login):
    def _api(user):
        client = login(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return _api


def send(client, method, url, data=None):
    return client.generic(method, url, data=json.dumps(data or {}), content_type="application/json")


# --- reading --------------------------------------------------------------------------


def test_plan_list_is_scoped_paged_and_has_pinned_queries(
    world, api, django_assert_max_num_queries
):
    factories.load_seed_plans(world)
    factories.make_plan(world.other_office, code="other")
    client = api(world.agent)
    # session, user, staff(+tenant, node) for the actor, the page of plans with their owners.
    with django_assert_max_num_queries(6):
        body = client.get(PLANS).json()
    assert [r["code"] for r in body["results"]] == sorted(
        [
            "gx_comprehensive",
            "gx_designated_disease",
            "gx_migrant_workers",
            "gx_female_workers",
            "gx_group_accident",
            "sx_union_cadres",
        ]
    )
    local = next(r for r in body["results"] if r["code"] == "sx_union_cadres")
    assert (local["is_local"], local["organisation"]) == (True, str(world.city.pk))
    for _ in range(6):
        factories.make_plan(world.office)
    with django_assert_max_num_queries(6):
        body = client.get(f"{PLANS}?page_size=4").json()
    seen = [r["code"] for r in body["results"]]
    while body["next"]:
        body = client.get(body["next"]).json()
        seen += [r["code"] for r in body["results"]]
    assert len(seen) == len(set(seen)) == 12


def test_version_detail_returns_the_engines_terms(world, api):
    plans = factories.load_seed_plans(world)
    version = plans["gx_designated_disease"].versions.get()
    body = api(world.agent).get(version_url(version)).json()
    assert body["status"] == "published" and body["number"] == 1
    assert [i["code"] for i in body["terms"]["benefit_items"]] == [
        "designated_disease",
        "coronary_stent",
    ]
    assert body["terms"]["waiting_period"] == {"days": 120}
    items = api(world.agent).get(version_url(version) + "items/").json()
    assert [i["params"] for i in items] == [{"amount": "15000.00"}, {"amount": "3000.00"}]


# --- writing ------------------------------------------------------------------------------


def _create_plan(client, **extra):
    return send(client, "POST", PLANS, {"code": "api_plan", "name": "接口测试计划", **extra})


def test_admin_creates_a_plan_a_version_items_and_publishes(world, api):
    client = api(world.office_admin)
    response = _create_plan(client)
    assert response.status_code == 201, response.json()
    plan = Plan.objects.get(pk=response.json()["id"])
    assert plan.organisation == world.office

    terms = factories.plan_terms(benefit_items=[])
    response = send(
        client,
        "POST",
        versions_url(plan),
        {"label": "2026版", "valid_from": "2026-01-01", "terms": terms},
    )
    assert response.status_code == 201, response.json()
    version = PlanVersion.objects.get(pk=response.json()["id"])
    items = version_url(version) + "items/"
    item = {
        "code": "disease",
        "name": "重大疾病",
        "events": ["illness"],
        "conditions": ["cancer"],
        "formula": "fixed_per_share",
        "params": {"amount": "10000.00"},
    }
    response = send(client, "POST", items, item)
    assert response.status_code == 201, response.json()
    item_id = response.json()["id"]
    response = send(client, "PATCH", f"{items}{item_id}/", {"params": {"amount": "12000.00"}})
    assert response.status_code == 200 and response.json()["params"] == {"amount": "12000.00"}

    check = client.get(version_url(version) + "publish/").json()
    assert check == {"publishable": True, "problems": {}}
    response = send(client, "POST", version_url(version) + "publish/")
    assert response.status_code == 200 and response.json()["status"] == "published"
    assert AuditEvent.objects.filter(
        action="plan_version.publish", object_id=str(version.pk)
    ).exists()


def test_a_draft_without_items_cannot_be_published(world, api):
    client = api(world.office_admin)
    plan = Plan.objects.get(pk=_create_plan(client).json()["id"])
    body = send(
        client,
        "POST",
        versions_url(plan),
        {"label": "x", "valid_from": "2026-01-01", "terms": factories.plan_terms(benefit_items=[])},
    ).json()
    response = send(client, "POST", f"{versions_url(plan)}{body['id']}/publish/")
    assert response.status_code == 400
    assert response.json() == {"benefit_items": ["至少需要一个给付项目"]}


INVALID_TERMS = {
    "negative premium": (
        {"premium_per_share": "-40.00"},
        "premium_per_share",
        "每份保费不能为负数",
    ),
    "uniform shares with a mixed cap": (
        {"uniform_shares": True, "max_shares_if_not_uniform": 3},
        "max_shares_if_not_uniform",
        "已规定同一单位参保份数必须一致",
    ),
    "cap below threshold": (
        {
            "benefit_items": [
                {
                    "code": "ci",
                    "name": "重大疾病",
                    "events": ["illness"],
                    "formula": "per_unit_of_amount",
                    "params": {
                        "unit": "10000.00",
                        "per_unit": "2000.00",
                        "min_base": "10000.00",
                        "cap": "5000.00",
                    },
                }
            ]
        },
        "benefit_items[0].params",
        "封顶金额不能低于起付金额",
    ),
    "overlapping bands": (
        {
            "benefit_items": [
                {
                    "code": "stay",
                    "name": "住院",
                    "events": ["hospital_stay"],
                    "formula": "band_lump_sum",
                    "params": {
                        "bands": [
                            {"lower": "3000", "upper": "10000", "amount": "2000.00"},
                            {"lower": "9000", "upper": "20000", "amount": "3000.00"},
                        ]
                    },
                }
            ]
        },
        "benefit_items[0].params",
        "金额区间重叠",
    ),
    "unknown formula": (
        {
            "benefit_items": [
                {
                    "code": "x",
                    "name": "抽奖",
                    "events": ["illness"],
                    "formula": "lottery",
                    "params": {},
                }
            ]
        },
        "benefit_items[0].formula",
        "未知的给付公式: lottery",
    ),
}


@pytest.mark.parametrize("case", sorted(INVALID_TERMS))
def test_invalid_terms_get_400_with_the_engines_messages(world, api, case):
    overrides, path, message = INVALID_TERMS[case]
    client = api(world.office_admin)
    plan = Plan.objects.get(pk=_create_plan(client).json()["id"])
    response = send(
        client,
        "POST",
        versions_url(plan),
        {"label": "x", "valid_from": "2026-01-01", "terms": factories.plan_terms(**overrides)},
    )
    assert response.status_code == 400
    assert any(message in m for m in response.json()[path]), response.json()
    assert not plan.versions.exists()


def test_an_invalid_item_gets_400_on_its_own_fields(world, api):
    plan = factories.make_plan(world.office, status=VersionStatus.DRAFT)
    version = plan.versions.get()
    client = api(world.office_admin)
    response = send(
        client,
        "POST",
        version_url(version) + "items/",
        {"code": "x", "name": "抽奖", "events": ["illness"], "formula": "lottery"},
    )
    assert response.status_code == 400 and response.json() == {
        "formula": ["未知的给付公式: lottery"]
    }
    response = send(
        client,
        "POST",
        version_url(version) + "items/",
        {
            "code": "stay",
            "name": "住院",
            "events": ["hospital_stay"],
            "formula": "band_lump_sum",
            "params": {
                "bands": [
                    {"lower": "3000", "upper": "10000", "amount": "2000.00"},
                    {"lower": "10000", "upper": "20000", "amount": "3000.00"},
                ]
            },
        },
    )
    assert response.status_code == 400 and "金额区间重叠" in response.json()["params"][0]
    assert version.items.count() == 1


def test_a_published_version_cannot_be_edited_through_the_api(world, api):
    plan = factories.make_plan(world.office)
    version = plan.versions.get()
    item = version.items.get()
    client = api(world.office_admin)
    attempts = [
        ("PATCH", version_url(version), {"terms": factories.plan_terms(premium_per_share="1.00")}),
        ("PATCH", f"{version_url(version)}items/{item.pk}/", {"name": "改"}),
        ("POST", f"{version_url(version)}items/", item.to_terms() | {"code": "again"}),
        ("DELETE", f"{version_url(version)}items/{item.pk}/", None),
        ("DELETE", version_url(version), None),
        ("POST", version_url(version) + "publish/", None),
    ]
    for method, url, data in attempts:
        response = send(client, method, url, data)
        assert response.status_code == 400, (method, url)
        assert "cannot be changed" in json.dumps(response.json()), response.json()
    version.refresh_from_db()
    assert version.terms["premium_per_share"] == "40.00" and version.items.get().name == "重大疾病"


def test_copy_to_a_new_version_through_the_api(world, api):
    plan = factories.make_plan(world.office, valid_from=date(2026, 1, 1))
    version = plan.versions.get()
    client = api(world.office_admin)
    response = send(client, "POST", version_url(version) + "copy/", {"valid_from": "2026-01-01"})
    assert response.status_code == 400 and "valid_from" in response.json()
    response = send(
        client,
        "POST",
        version_url(version) + "copy/",
        {"valid_from": "2027-01-01", "label": "2027版"},
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["number"], body["copied_from"]) == ("draft", 2, str(version.pk))
    assert body["terms"] == version.engine_terms()
    response = send(
        client,
        "PATCH",
        f"{versions_url(plan)}{body['id']}/",
        {"terms": factories.plan_terms(premium_per_share="45.00")},
    )
    assert response.status_code == 200 and response.json()["terms"]["premium_per_share"] == "45.00"


# --- who reads, who writes --------------------------------------------------------------


def test_local_plan_is_404_for_a_sibling_city_and_another_tenant(world, api):
    plan = factories.make_plan(world.city, code="city_local")
    version = plan.versions.get()
    sibling_city = factories.make_node(world.office, "city", "丁市总工会")
    sibling_admin = factories.make_staff(sibling_city, Role.OFFICE_ADMIN, username="ding_admin")
    urls = [
        f"{PLANS}{plan.pk}/",
        versions_url(plan),
        version_url(version),
        version_url(version) + "items/",
    ]
    for user in (sibling_admin, world.other_tenant_admin):
        client = api(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        assert (
            send(
                client,
                "POST",
                version_url(version) + "assess/",
                {
                    "effective_date": "2026-01-01",
                    "event_kind": "illness",
                    "event_date": "2026-06-01",
                },
            ).status_code
            == 404
        )
        assert "city_local" not in json.dumps(client.get(PLANS).json())
    client = api(world.office_admin)
    assert all(client.get(url).status_code == 200 for url in urls)


def test_agent_reads_but_gets_403_on_writes(world, api):
    plan = factories.make_plan(world.office)
    version = plan.versions.get()
    client = api(world.agent)
    assert client.get(f"{PLANS}{plan.pk}/").status_code == 200
    for method, url in [
        ("POST", PLANS),
        ("PATCH", f"{PLANS}{plan.pk}/"),
        ("POST", versions_url(plan)),
        ("PATCH", version_url(version)),
        ("POST", version_url(version) + "copy/"),
        ("POST", version_url(version) + "publish/"),
        ("POST", version_url(version) + "items/"),
    ]:
        assert send(client, method, url, {"name": "x"}).status_code == 403, (method, url)


def test_city_admin_may_not_change_a_tenant_wide_plan(world, api):
    city_admin = factories.make_staff(world.city, Role.OFFICE_ADMIN, username="jia_city_admin")
    plan = factories.make_plan(world.office)
    response = send(api(city_admin), "PATCH", f"{PLANS}{plan.pk}/", {"name": "改名"})
    assert response.status_code == 403


# --- assess: B1–B11 through the API --------------------------------------------------


def assess_body(row) -> dict:
    shares, renewed = parse_shares(row["shares_and_tranches"])
    body = {
        "shares": shares,
        "effective_date": row["effective_date"],
        "event_date": row["event_date"],
        **EVENTS[row["event"]],
        **{k: str(v) for k, v in parse_facts(row["facts"]).items()},
    }
    if renewed:
        body.update(previous_shares=shares, renewed_in_time=True)
    return body


@pytest.fixture
def seed_versions(world):
    return {key: plan.versions.get() for key, plan in factories.load_seed_plans(world).items()}


@pytest.mark.parametrize("row", ROWS, ids=[r["case"] for r in ROWS])
def test_benefit_rows_through_the_assess_api(world, api, seed_versions, row):
    version = seed_versions[PLAN_KEYS[row["plan"]]]
    before = AuditEvent.objects.count()
    response = send(api(world.agent), "POST", version_url(version) + "assess/", assess_body(row))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert Decimal(body["total"]) == Decimal(row["expected_total"]), "\n".join(body["explanation"])
    assert body["explanation"][-1].startswith("合计应给付") or any(
        line.startswith("合计应给付") for line in body["explanation"]
    )
    assert AuditEvent.objects.count() == before  # nothing stored


def test_assess_explains_reasons_and_the_policy_it_built(world, api, seed_versions):
    row = ROWS[2]  # B3: inside the waiting period
    body = send(
        api(world.agent),
        "POST",
        version_url(seed_versions["gx_designated_disease"]) + "assess/",
        assess_body(row),
    ).json()
    assert body["reasons"] == ["IN_WAITING_PERIOD"]
    assert body["reason_labels"] == {"IN_WAITING_PERIOD": "事件发生在免责期(观察期)内"}
    assert body["policy"]["end"] == "2027-03-15"
    assert body["policy"]["tranches"] == [
        {"shares": 3, "start": "2026-03-16", "waiting_end": "2026-07-14"}
    ]


def test_assess_with_tranches_and_input_errors(world, api, seed_versions):
    client = api(world.agent)
    url = version_url(seed_versions["gx_designated_disease"]) + "assess/"
    body = assess_body(ROWS[0]) | {
        "tranches": [
            {"shares": 2, "start": "2026-03-16", "waiting_end": "2026-03-16"},
            {"shares": 1, "start": "2026-07-01", "waiting_end": "2026-10-29"},
        ]
    }
    assert send(client, "POST", url, body).json()["total"] == "30000.00"
    response = send(client, "POST", url, assess_body(ROWS[0]) | {"shares": 0})
    assert response.status_code == 400 and "shares" in response.json()
    response = send(client, "POST", url, {"event_kind": "illness"})
    assert response.status_code == 400 and {"effective_date", "event_date"} <= set(response.json())


def test_assess_refuses_a_draft_that_is_not_complete(world, api):
    plan = factories.make_plan(
        world.office, status=VersionStatus.DRAFT, terms=factories.plan_terms(benefit_items=[])
    )
    response = send(
        api(world.office_admin),
        "POST",
        version_url(plan.versions.get()) + "assess/",
        {"effective_date": "2026-01-01", "event_kind": "illness", "event_date": "2026-06-01"},
    )
    assert response.status_code == 400 and "至少需要一个给付项目" in json.dumps(
        response.json(), ensure_ascii=False
    )


def test_schema_lists_the_plan_endpoints_with_unique_operation_ids(client, world):
    client.force_login(world.agent, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/api/schema/", {"format": "json"})
    schema = response.json()
    validate_schema(schema)
    paths = schema["paths"]
    assert {
        "/api/v1/plans/",
        "/api/v1/plans/{plan_id}/versions/{version_id}/assess/",
        "/api/v1/plans/{plan_id}/versions/{version_id}/items/{item_id}/",
    } <= set(paths)
    ids = [
        op["operationId"] for ops in paths.values() for op in ops.values() if isinstance(op, dict)
    ]
    assert len(ids) == len(set(ids))
