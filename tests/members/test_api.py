"""The units and members API: the same scope, validation and masking as the pages (SPEC §4, §12)."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from drf_spectacular.validation import validate_schema

from members.models import Member, MemberTransfer, Unit
from tests import factories

UNITS = "/api/v1/units/"
MEMBERS = "/api/v1/members/"
E8 = "11010519491231002X"
MASKED_E8 = "1101**********002X"


@pytest.fixture
def api(as_user):
    return as_user


def _send(client, method, url, data):
    return client.generic(method, url, data=json.dumps(data), content_type="application/json")


# --- Units ------------------------------------------------------------------------------------


def test_unit_list_is_scoped_and_in_tree_order(world, units, api):
    body = api(world.county_cadre).get(UNITS).json()
    assert [(r["id"], r["name"]) for r in body["results"]] == [
        (str(units.a1.pk), "甲县医院工会"),
        (str(units.a2.pk), "甲县中学工会"),
    ]
    assert body["next"] is None
    assert [r["name"] for r in api(world.agent).get(UNITS).json()["results"]] == ["甲县医院工会"]


def test_unit_create_update_and_errors(world, api):
    client = api(world.county_cadre)
    created = client.post(
        UNITS,
        {
            "parent": str(world.county.pk),
            "name": "甲县供电公司工会",
            "credit_code": "91110000600037341l",
            "ownership": "state_owned",
            "bank_account": "6222 0202 0001 2345 678",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    unit_id = created.json()["id"]
    assert created.json()["credit_code"] == "91110000600037341L"
    assert Unit.objects.get(pk=unit_id).organisation.name == "甲县供电公司工会"

    patched = _send(
        client, "PATCH", f"{UNITS}{unit_id}/", {"union_member_count": 263, "industry": "D"}
    )
    assert patched.status_code == 200
    assert (patched.json()["union_member_count"], patched.json()["name"]) == (
        263,
        "甲县供电公司工会",
    )

    bad = _send(
        client, "PATCH", f"{UNITS}{unit_id}/", {"contact_phone": "12345", "ownership": "private"}
    )
    assert bad.status_code == 400
    assert set(bad.json()) == {"contact_phone", "ownership"}
    # Below a node the cadre does not reach: the node does not exist for them.
    outside = client.post(
        UNITS,
        {"parent": str(world.other_county.pk), "name": "越界", "ownership": "state_owned"},
        content_type="application/json",
    )
    assert outside.status_code == 404


def test_agents_read_units_but_do_not_write_them(world, units, api):
    client = api(world.agent)
    assert client.get(f"{UNITS}{units.a1.pk}/").status_code == 200
    assert _send(client, "PATCH", f"{UNITS}{units.a1.pk}/", {"name": "改名"}).status_code == 403
    assert client.post(UNITS, {}, content_type="application/json").status_code == 403


# --- Members ------------------------------------------------------------------------------------


def test_member_create_and_read_back(world, units, api):
    client = api(world.agent)
    response = client.post(
        MEMBERS,
        {
            "unit": str(units.a1.pk),
            "name": "王秀英",
            "id_number": " 11010519491231002x",
            "phone": "+86 138 0774 1234",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (
        body["id_number"],
        body["sex"],
        body["birth_date"],
        body["phone"],
        body["category"],
    ) == (MASKED_E8, "female", "1949-12-31", "13807741234", "worker")
    assert body["unit"] == str(units.a1.pk) and body["unit_name"] == "甲县医院工会"
    assert Member.objects.get().id_number == E8


def test_member_errors_are_400_with_field_messages(world, units, api):
    client = api(world.agent)
    response = client.post(
        MEMBERS,
        {
            "unit": str(units.a1.pk),
            "name": "",
            "id_number": 110105194912310021.0,
            "category": "astronaut",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"name", "id_number", "category"}
    assert "format the column as text" in body["id_number"][0]
    factories.make_member(units.a2, id_number=E8)
    duplicate = client.post(
        MEMBERS,
        {"unit": str(units.a1.pk), "name": "王", "id_number": E8},
        content_type="application/json",
    )
    assert duplicate.json() == {
        "id_number": ["A member with this ID number is already registered in this office."]
    }


def test_member_list_filters_by_unit_and_query(world, units, api):
    factories.make_member(units.a1, name="王秀英", id_number=E8)
    factories.make_member(units.a1, name="张伟")
    factories.make_member(units.a2, name="王强")
    client = api(world.county_cadre)
    names = lambda response: [r["name"] for r in response.json()["results"]]  # noqa: E731
    assert names(client.get(MEMBERS)) == ["张伟", "王强", "王秀英"]  # code-point order of the names
    assert names(client.get(MEMBERS, {"unit": str(units.a1.pk)})) == ["张伟", "王秀英"]
    assert names(client.get(MEMBERS, {"q": "王"})) == ["王强", "王秀英"]
    assert names(client.get(MEMBERS, {"q": "11010519491231002x"})) == ["王秀英"]
    # Another subtree's unit as a filter is a unit that does not exist.
    assert api(world.agent).get(MEMBERS, {"unit": str(units.a2.pk)}).status_code == 404
    assert api(world.agent).get(MEMBERS, {"unit": "not-a-uuid"}).status_code == 404


def test_member_list_pages_by_cursor_without_repeats(world, units, api):
    for _ in range(7):
        factories.make_member(units.a1, name="同名")  # equal names: the id breaks the tie
    client = api(world.agent)
    seen, url = [], f"{MEMBERS}?page_size=3"
    while url:
        body = client.get(url).json()
        seen += [r["id"] for r in body["results"]]
        url = body["next"]
    assert len(seen) == 7 and len(set(seen)) == 7


@pytest.mark.parametrize(
    ("who", "revealed"),
    [
        ("office_admin", True),
        ("reviewer", True),
        ("auditor", True),
        ("agent", True),
        ("finance", False),
        ("city_cadre", False),
        ("county_cadre", False),
    ],
)
def test_api_masks_by_default_and_reveals_only_to_roles_that_may_see(
    world, units, api, who, revealed
):
    member = factories.make_member(units.a1, id_number=E8)
    client = api(getattr(world, who))
    assert client.get(f"{MEMBERS}{member.pk}/").json()["id_number"] == MASKED_E8
    assert client.get(MEMBERS).json()["results"][0]["id_number"] == MASKED_E8
    expected = E8 if revealed else MASKED_E8
    assert (
        client.get(f"{MEMBERS}{member.pk}/", {"full_id_number": "1"}).json()["id_number"]
        == expected
    )
    assert (
        client.get(MEMBERS, {"full_id_number": "true"}).json()["results"][0]["id_number"]
        == expected
    )


def test_member_patch(world, units, api):
    member = factories.make_member(units.a1, name="张三")
    client = api(world.agent)
    response = _send(client, "PATCH", f"{MEMBERS}{member.pk}/", {"employment_status": "retired"})
    assert response.status_code == 200 and response.json()["employment_status"] == "retired"
    member.refresh_from_db()
    assert (member.name, member.employment_status) == ("张三", "retired")
    bad = _send(client, "PATCH", f"{MEMBERS}{member.pk}/", {"id_number": "110105194912310021"})
    assert bad.status_code == 400 and list(bad.json()) == ["id_number"]
    # A cadre sees masked numbers and cannot change them.
    cadre = _send(api(world.county_cadre), "PATCH", f"{MEMBERS}{member.pk}/", {"id_number": E8})
    assert cadre.status_code == 400 and list(cadre.json()) == ["id_number"]


def test_transfers_through_the_api(world, units, api):
    member = factories.make_member(units.a1, name="调动者")
    cadre = api(world.county_cadre)
    url = f"{MEMBERS}{member.pk}/transfers/"
    assert cadre.get(url).json() == []
    created = cadre.post(
        url,
        {"to_unit": str(units.a2.pk), "date": "2026-03-01", "reason": "工作调动"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert (created.json()["from_unit_name"], created.json()["to_unit_name"]) == (
        "甲县医院工会",
        "甲县中学工会",
    )
    history = api(world.sibling_agent).get(url).json()
    assert [(t["from_unit"], t["to_unit"], t["date"]) for t in history] == [
        (str(units.a1.pk), str(units.a2.pk), "2026-03-01")
    ]
    assert api(world.agent).get(url).status_code == 404
    assert api(world.agent).get(f"{MEMBERS}{member.pk}/").status_code == 404


def test_transfer_errors(world, units, api):
    member = factories.make_member(units.a1)
    url = f"{MEMBERS}{member.pk}/transfers/"
    # A target outside the agent's subtree does not exist for them.
    agent = api(world.agent).post(
        url,
        {"to_unit": str(units.a2.pk), "date": "2026-03-01", "reason": "调动"},
        content_type="application/json",
    )
    assert agent.status_code == 404
    same = api(world.county_cadre).post(
        url,
        {"to_unit": str(units.a1.pk), "date": "2026-03-01", "reason": ""},
        content_type="application/json",
    )
    assert same.status_code == 400 and set(same.json()) == {"to_unit", "reason"}
    assert api(world.auditor).post(url, {}, content_type="application/json").status_code == 403
    assert not MemberTransfer.objects.exists()


def test_token_clients_use_the_same_scope(world, units):
    member = factories.make_member(units.a1, name="令牌可见")
    factories.make_member(units.a2, name="令牌不可见")
    token = factories.make_token(world.agent)
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert [r["name"] for r in client.get(MEMBERS).json()["results"]] == ["令牌可见"]
    assert (
        client.get(f"{MEMBERS}{member.pk}/", {"full_id_number": "1"}).json()["id_number"]
        == member.id_number
    )


# --- Query counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [2, 60])
def test_api_list_query_counts(world, units, api, django_assert_max_num_queries, rows):
    for i in range(rows):
        factories.make_member(units.a1, name=f"孙{i:03d}")
    for n in range(rows // 10):
        factories.make_unit(factories.make_node(world.county, "unit", f"丁单位{n}"))
    client = api(world.office_admin)
    # 1 session, 2 user, 3 staff + tenant + node (actor), 4 one page of units joined to their nodes.
    with django_assert_max_num_queries(6):
        assert client.get(UNITS).status_code == 200
    # 1–3 as above, 4 one page of members joined to their nodes (masking reads the joined node).
    with django_assert_max_num_queries(6):
        assert client.get(MEMBERS, {"q": "孙", "full_id_number": "1"}).status_code == 200
    # 1–3, 4 the unit (scoped), 5 one page of its members.
    with django_assert_max_num_queries(7):
        assert client.get(MEMBERS, {"unit": str(units.a1.pk)}).status_code == 200


# --- Schema --------------------------------------------------------------------------------


def test_schema_lists_the_endpoints(client, world):
    client.force_login(world.agent, backend="django.contrib.auth.backends.ModelBackend")
    schema = client.get("/api/schema/", {"format": "json"}).json()
    validate_schema(schema)
    assert {
        "/api/v1/units/",
        "/api/v1/units/{unit_id}/",
        "/api/v1/members/",
        "/api/v1/members/{member_id}/",
        "/api/v1/members/{member_id}/transfers/",
    } <= set(schema["paths"])
    assert {"get", "post"} <= set(schema["paths"]["/api/v1/members/"])
