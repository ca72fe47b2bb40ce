"""The REST API for organisations and users: the same scope and rules as the pages (SPEC §12)."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from drf_spectacular.validation import validate_schema

from mutualaid.audit.models import AuditEvent
from mutualaid.tenancy.models import Organisation, OrganisationKind, Role, Staff, User
from tests import factories

K = OrganisationKind
ORGS = "/api/v1/organisations/"
USERS = "/api/v1/users/"


@pytest.fixture
def api(login):
    """``api(user)``: a client logged in as ``user`` that speaks English JSON."""

    def _api(user, language="en"):
        client = login(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
        return client

    return _api


def _send(client, method, url, data):
    return client.generic(method, url, data=json.dumps(data), content_type="application/json")


# --- Organisations ----------------------------------------------------------------------


def test_list_is_the_subtree_in_tree_order_with_parents(world, api):
    body = api(world.county_cadre).get(ORGS).json()
    rows = [(r["name"], r["kind"], r["depth"], r["parent"]) for r in body["results"]]
    assert rows == [
        ("甲县总工会", K.COUNTY, 3, str(world.city.pk)),
        ("甲县医院工会", K.UNIT, 4, str(world.county.pk)),
        ("甲县中学工会", K.UNIT, 4, str(world.county.pk)),
    ]
    assert body["next"] is None


def test_list_pages_by_cursor_without_repeats(world, api):
    for n in range(7):
        factories.make_node(world.county, K.UNIT, f"甲县单位{n:02d}")
    client = api(world.office_admin)
    seen, url = [], f"{ORGS}?page_size=4"
    while url:
        body = client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    tenant_a = Organisation.objects.filter(tenant=world.tenant)
    assert seen == [str(pk) for pk in tenant_a.order_by("path").values_list("pk", flat=True)]


def test_office_admin_creates_a_node(world, api):
    response = _send(
        api(world.office_admin),
        "POST",
        ORGS,
        {
            "parent": str(world.county.pk),
            "name": "甲县城区代办处",
            "kind": K.AGENT,
            "code": "JX-3",
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["kind"], body["code"], body["parent"], body["depth"]) == (
        "甲县城区代办处",
        K.AGENT,
        "JX-3",
        str(world.county.pk),
        4,
    )
    node = Organisation.objects.get(pk=body["id"])
    assert Organisation.objects.get_parent(node).pk == world.county.pk
    assert AuditEvent.objects.filter(action="organisation.create", object_id=body["id"]).exists()


@pytest.mark.parametrize("who", ["agent", "county_cadre", "auditor"])
def test_roles_without_tree_rights_get_403(world, api, who):
    response = _send(
        api(getattr(world, who)),
        "POST",
        ORGS,
        {"parent": str(world.unit.pk), "name": "越权单位", "kind": K.UNIT},
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "Your roles do not allow this."}
    assert not Organisation.objects.filter(name="越权单位").exists()


def test_domain_error_is_a_400_naming_the_field(world, api):
    response = _send(
        api(world.office_admin),
        "POST",
        ORGS,
        {"parent": str(world.office.pk), "name": "错位单位", "kind": K.UNIT},
    )
    assert response.status_code == 400
    assert response.json() == {"kind": ["A Unit union cannot be placed under a Province office."]}


def test_domain_error_speaks_chinese_to_chinese_clients(world, api):
    response = _send(
        api(world.office_admin, "zh-hans"),
        "POST",
        ORGS,
        {"parent": str(world.office.pk), "name": "错位单位", "kind": K.UNIT},
    )
    assert response.status_code == 400
    with translation.override("zh-hans"):
        expected = gettext("A %(child)s cannot be placed under a %(parent)s.") % {
            "child": K.UNIT.label,
            "parent": K.OFFICE.label,
        }
    assert response.json() == {"kind": [expected]}
    assert expected != "A Unit union cannot be placed under a Province office."
    assert re.search(r"[\u4e00-\u9fff]", expected), expected


def test_a_parent_outside_the_tenant_is_404(world, api):
    response = _send(
        api(world.office_admin),
        "POST",
        ORGS,
        {"parent": str(world.other_unit.pk), "name": "外省单位", "kind": K.UNIT},
    )
    assert response.status_code == 404
    assert not Organisation.objects.filter(name="外省单位").exists()


def test_serializer_errors_are_400(world, api):
    response = _send(
        api(world.office_admin), "POST", ORGS, {"parent": "not-a-uuid", "kind": "planet"}
    )
    assert response.status_code == 400
    assert set(response.json()) == {"parent", "name", "kind"}


def test_office_admin_renames_with_patch(world, api):
    client = api(world.office_admin)
    response = _send(client, "PATCH", f"{ORGS}{world.unit.pk}/", {"name": "甲县人民医院工会"})
    assert response.status_code == 200
    assert response.json()["name"] == "甲县人民医院工会"
    world.unit.refresh_from_db()
    assert (world.unit.name, world.unit.code) == ("甲县人民医院工会", "")
    assert (
        _send(
            api(world.county_cadre), "PATCH", f"{ORGS}{world.unit.pk}/", {"name": "x"}
        ).status_code
        == 403
    )


def test_detail_of_a_node_in_scope(world, api):
    body = api(world.agent).get(f"{ORGS}{world.unit.pk}/").json()
    assert (body["name"], body["parent"]) == ("甲县医院工会", str(world.county.pk))


# --- Users --------------------------------------------------------------------------------


def test_users_list_is_the_subtree(world, api):
    body = api(world.county_cadre).get(USERS).json()
    assert sorted(r["username"] for r in body["results"]) == [
        "agent",
        "county_cadre",
        "sibling_agent",
    ]
    agent = next(r for r in body["results"] if r["username"] == "agent")
    assert agent == {
        "id": str(world.agent.pk),
        "username": "agent",
        "display_name": "agent",
        "is_active": True,
        "organisation": str(world.unit.pk),
        "organisation_name": "甲县医院工会",
        "roles": [Role.AGENT],
    }


def test_agents_cannot_list_users(world, api):
    assert api(world.agent).get(USERS).status_code == 403


def test_cadre_creates_a_user(world, api):
    response = _send(
        api(world.county_cadre),
        "POST",
        USERS,
        {
            "username": "jx_new_agent",
            "display_name": "新代办",
            "password": "Zhigong2026ok",
            "organisation": str(world.unit.pk),
            "roles": [Role.AGENT],
        },
    )
    assert response.status_code == 201
    assert "password" not in response.json()
    staff = Staff.objects.get(user__username="jx_new_agent")
    assert staff.organisation_id == world.unit.pk and staff.user.check_password("Zhigong2026ok")


def test_cadre_cannot_grant_reviewer_through_the_api(world, api):
    response = _send(
        api(world.county_cadre),
        "POST",
        USERS,
        {
            "username": "jx_reviewer",
            "display_name": "审核",
            "password": "Zhigong2026ok",
            "organisation": str(world.unit.pk),
            "roles": [Role.REVIEWER],
        },
    )
    assert response.status_code == 400
    assert response.json() == {"roles": ["Cadres may only grant the cadre and agent roles."]}


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "This password is too common."), ("zh-hans", "这个密码太常见了。")],
)
def test_weak_password_is_refused_in_the_users_language(world, api, language, message):
    response = _send(
        api(world.office_admin, language),
        "POST",
        USERS,
        {
            "username": "weak",
            "display_name": "弱",
            "password": "password123",
            "organisation": str(world.unit.pk),
            "roles": [Role.AGENT],
        },
    )
    assert response.status_code == 400
    assert message in sum(response.json().values(), [])
    assert not User.objects.filter(username="weak").exists()


def test_update_user_with_put(world, api):
    response = _send(
        api(world.county_cadre),
        "PUT",
        f"{USERS}{world.agent.pk}/",
        {
            "display_name": "陈代办",
            "organisation": str(world.sibling_unit.pk),
            "roles": [Role.AGENT],
            "is_active": False,
        },
    )
    assert response.status_code == 200
    assert (response.json()["organisation"], response.json()["is_active"]) == (
        str(world.sibling_unit.pk),
        False,
    )
    world.agent.refresh_from_db()
    assert world.agent.is_active is False


# --- Token authentication, schema and docs ----------------------------------------------------


def test_token_authentication(world):
    token = factories.make_token(world.county_cadre)
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    me = client.get("/api/v1/me/")
    assert me.status_code == 200
    assert (me.json()["username"], me.json()["organisation"]) == (
        "county_cadre",
        str(world.county.pk),
    )
    assert [r["name"] for r in client.get(ORGS).json()["results"]] == [
        "甲县总工会",
        "甲县医院工会",
        "甲县中学工会",
    ]
    # Token writes need no CSRF token: integrations are not browsers.
    created = client.post(
        USERS,
        {
            "username": "by_token",
            "display_name": "接口",
            "password": "Zhigong2026ok",
            "organisation": str(world.unit.pk),
            "roles": [Role.AGENT],
        },
        content_type="application/json",
    )
    assert created.status_code == 201


def test_bad_or_missing_token_is_401_or_403(world):
    assert Client(HTTP_AUTHORIZATION=f"Token {uuid.uuid4().hex}").get(ORGS).status_code == 401
    assert Client().get(ORGS).status_code in (401, 403)


def test_a_user_without_staff_membership_gets_403(db):
    loner = User.objects.create_user("loner", password="Zhigong2026ok")
    client = Client()
    client.force_login(loner, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(ORGS).status_code == 403


def test_schema_is_valid_openapi_listing_the_endpoints(world, login):
    response = login(world.agent).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)
    assert {
        "/api/v1/organisations/",
        "/api/v1/organisations/{organisation_id}/",
        "/api/v1/users/",
        "/api/v1/users/{user_id}/",
        "/api/v1/me/",
    } <= set(schema["paths"])
    assert {"get", "post"} <= set(schema["paths"]["/api/v1/organisations/"])
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_docs_render_from_our_own_static_files(world, login):
    response = login(world.agent).get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="swagger-ui"' in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "http://" not in html and "https://" not in html  # the intranet has no internet
