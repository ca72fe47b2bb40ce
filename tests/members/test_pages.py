"""Unit and member pages as office admins, cadres and agents use them (in English, for asserts)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from members.models import Member, MemberTransfer, Unit
from mutualaid.tenancy.models import Organisation
from tests import factories

E8 = "11010519491231002X"
MASKED_E8 = "1101**********002X"


def _body(response) -> str:
    return response.content.decode()


def _member_names(response) -> list[str]:
    return [m.name for m in response.context["page"].rows]


# --- Units ------------------------------------------------------------------------------------


def test_unit_list_shows_the_actors_units_and_searches(world, units, as_user):
    Unit.objects.filter(pk=units.a1.pk).update(credit_code="91110000600037341L")
    cadre = as_user(world.county_cadre)
    body = _body(cadre.get("/units/"))
    assert "甲县医院工会" in body and "甲县中学工会" in body and "乙县电厂工会" not in body
    assert [u.pk for u in cadre.get("/units/", {"q": "中学"}).context["page"].rows] == [units.a2.pk]
    # A whole credit code (typed loosely) finds its unit.
    found = cadre.get("/units/", {"q": "9111 0000 6000 3734 1l"}).context["page"].rows
    assert [u.pk for u in found] == [units.a1.pk]


def test_unit_list_pages_by_keyset_without_repeats(world, units, as_user):
    for n in range(55):
        factories.make_unit(factories.make_node(world.county, "unit", f"甲县单位{n:02d}"))
    client = as_user(world.county_cadre)
    first = client.get("/units/")
    rows = first.context["page"].rows
    assert len(rows) == 50 and first.context["page"].has_next
    second = client.get("/units/", {"after": first.context["page"].next_cursor})
    rest = second.context["page"].rows
    assert len(rest) == 7 and not second.context["page"].has_next
    assert len({u.pk for u in rows + rest}) == 57


def test_unit_detail_shows_registration_and_a_member_count(world, units, as_user):
    for _ in range(3):
        factories.make_member(units.a1)
    response = as_user(world.agent).get(f"/units/{units.a1.pk}/")
    assert response.context["member_count"] == 3
    body = _body(response)
    assert 'data-testid="member-count">3<' in body
    assert f"/units/{units.a1.pk}/edit/" not in body  # agents read their unit's registration
    assert f"/units/{units.a1.pk}/members/new/" in body


def test_cadre_registers_a_unit_through_the_form(world, as_user):
    client = as_user(world.county_cadre)
    form_page = client.get("/units/new/")
    parents = [
        str(value) for value, _ in form_page.context["form"].fields["parent"].choices if value != ""
    ]
    assert parents == [
        str(world.county.pk)
    ]  # their own county; units and other counties are not offered

    response = client.post(
        "/units/new/",
        {
            "parent": world.county.pk,
            "name": "甲县供电公司工会",
            "credit_code": "91110000600037341L",
            "ownership": "state_owned",
            "industry": "D",
            "union_member_count": "263",
            "contact_name": "梁主席",
            "contact_phone": "0774 268 1234",
            "bank_name": "工商银行",
            "bank_account": "6222020200012345678",
        },
        follow=True,
    )
    unit = Unit.objects.get(organisation__name="甲县供电公司工会")
    assert response.redirect_chain == [(reverse("members:unit_detail", args=[unit.pk]), 302)]
    assert "甲县供电公司工会 was added." in _body(response)
    assert unit.contact_phone == "0774-2681234"


def test_unit_form_shows_service_errors_on_their_fields(world, as_user):
    response = as_user(world.office_admin).post(
        "/units/new/",
        {
            "parent": world.county.pk,
            "name": "错误单位",
            "credit_code": "91110000600037341M",
            "ownership": "state_owned",
            "bank_account": "12ab",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["credit_code"] == [
        "The check character of the unified social credit code is wrong."
    ]
    assert errors["bank_account"] == ["The bank account may only contain digits."]
    assert not Organisation.objects.filter(name="错误单位").exists()


@pytest.mark.parametrize("who", ["agent", "reviewer", "finance", "auditor"])
def test_only_admins_and_cadres_get_the_unit_forms(world, units, as_user, who):
    client = as_user(getattr(world, who))
    assert client.get("/units/new/").status_code == 403
    assert client.get(f"/units/{units.a1.pk}/edit/").status_code == 403


def test_cadre_edits_a_unit(world, units, as_user):
    client = as_user(world.county_cadre)
    form = client.get(f"/units/{units.a1.pk}/edit/").context["form"]
    assert "parent" not in form.fields and form.initial["name"] == "甲县医院工会"
    response = client.post(
        f"/units/{units.a1.pk}/edit/",
        {"name": "甲县人民医院工会", "ownership": "public_sector", "union_member_count": "400"},
    )
    assert response.status_code == 302
    units.a1.refresh_from_db()
    assert (units.a1.ownership, units.a1.union_member_count) == ("public_sector", 400)


def test_a_foreign_parent_in_the_query_string_is_404(world, as_user):
    client = as_user(world.county_cadre)
    assert client.get("/units/new/", {"parent": world.other_county.pk}).status_code == 404
    assert client.get("/units/new/", {"parent": world.county.pk}).status_code == 200


# --- Members: registering, editing --------------------------------------------------------------


def test_agent_registers_a_member(world, units, as_user):
    client = as_user(world.agent)
    response = client.post(
        f"/units/{units.a1.pk}/members/new/",
        {
            "name": "王秀英",
            "id_number": "１１０１０５ １９４９１２３１ ００２ｘ",
            "phone": "13807741234",
            "category": "worker",
            "employment_status": "in_service",
            "is_union_member": "on",
        },
        follow=True,
    )
    member = Member.objects.get()
    assert response.redirect_chain == [(reverse("members:member_detail", args=[member.pk]), 302)]
    assert (member.id_number, member.sex, member.birth_date) == (
        E8,
        "female",
        dt.date(1949, 12, 31),
    )
    body = _body(response)
    assert (
        "王秀英 was registered." in body and E8 in body
    )  # the unit's own agent sees the whole number


def test_save_and_add_another_returns_to_an_empty_form(world, units, as_user):
    response = as_user(world.agent).post(
        f"/units/{units.a1.pk}/members/new/",
        {
            "name": "张三",
            "id_number": E8,
            "category": "worker",
            "employment_status": "in_service",
            "save_and_add": "1",
        },
    )
    assert (
        response.status_code == 302 and response["Location"] == f"/units/{units.a1.pk}/members/new/"
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("110105194912310021", "The check digit of the ID number is wrong."),
        ("1101051949", "The ID number must have 18 characters."),
        (
            "1.10105194912310E+17",
            "Excel stored the ID number as a number and its precision is lost: "
            "format the column as text and enter the numbers again.",
        ),
        ("", "Enter the ID number."),
    ],
)
def test_member_form_names_the_id_problem(world, units, as_user, raw, message):
    response = as_user(world.agent).post(
        f"/units/{units.a1.pk}/members/new/",
        {"name": "张三", "id_number": raw, "category": "worker", "employment_status": "in_service"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["id_number"] == [message]
    assert not Member.objects.exists()


def test_a_duplicate_id_is_refused_on_the_form(world, units, as_user):
    factories.make_member(units.a1, id_number=E8)
    response = as_user(world.sibling_agent).post(
        f"/units/{units.a2.pk}/members/new/",
        {"name": "张三", "id_number": E8, "category": "worker", "employment_status": "in_service"},
    )
    assert response.context["form"].errors["id_number"] == [
        "A member with this ID number is already registered in this office."
    ]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(
    "raw", ["110105194912310021", "1.10105194912310E+17", "123", "11010519491331002X"]
)
def test_form_and_api_give_the_same_message(world, units, as_user, language, raw):
    client = as_user(world.agent, language=language)
    page = client.post(
        f"/units/{units.a1.pk}/members/new/",
        {"name": "张三", "id_number": raw, "category": "worker", "employment_status": "in_service"},
    )
    api = client.post(
        "/api/v1/members/",
        {"unit": str(units.a1.pk), "name": "张三", "id_number": raw},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert page.context["form"].errors["id_number"] == api.json()["id_number"]


def test_form_and_api_give_the_same_message_for_a_bad_credit_code(world, as_user):
    client = as_user(world.county_cadre, language="zh-hans")
    data = {"name": "某单位", "credit_code": "91110000600037341M", "ownership": "state_owned"}
    page = client.post("/units/new/", {"parent": world.county.pk, **data})
    api = client.post(
        "/api/v1/units/", {"parent": str(world.county.pk), **data}, content_type="application/json"
    )
    assert page.context["form"].errors["credit_code"] == api.json()["credit_code"]


def test_edit_form_offers_the_id_number_only_to_those_who_see_it(world, units, as_user):
    member = factories.make_member(units.a1, id_number=E8)
    agent_form = as_user(world.agent).get(f"/members/{member.pk}/edit/")
    assert agent_form.context["form"].initial["id_number"] == E8
    cadre_page = as_user(world.county_cadre).get(f"/members/{member.pk}/edit/")
    assert "id_number" not in cadre_page.context["form"].fields
    body = _body(cadre_page)
    assert MASKED_E8 in body and E8 not in body
    response = as_user(world.county_cadre).post(
        f"/members/{member.pk}/edit/",
        {"name": "王秀英", "category": "union_cadre", "employment_status": "retired"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.name, member.category, member.id_number) == ("王秀英", "union_cadre", E8)


@pytest.mark.parametrize("who", ["reviewer", "finance", "auditor"])
def test_read_only_roles_get_no_member_forms(world, units, as_user, who):
    member = factories.make_member(units.a1)
    client = as_user(getattr(world, who))
    assert client.get(f"/units/{units.a1.pk}/members/new/").status_code == 403
    assert client.get(f"/members/{member.pk}/edit/").status_code == 403
    assert client.get(f"/members/{member.pk}/transfer/").status_code == 403
    assert client.get(f"/members/{member.pk}/").status_code == 200


# --- Members: lists, search, masking ------------------------------------------------------------


def test_member_search_by_name_prefix_and_whole_id(world, units, as_user):
    target = factories.make_member(units.a1, name="王秀英", id_number=E8)
    factories.make_member(units.a1, name="王伟")
    factories.make_member(units.a2, name="李王")
    client = as_user(world.county_cadre)
    assert _member_names(client.get("/members/", {"q": "王"})) == ["王伟", "王秀英"]
    assert _member_names(
        client.get("/members/", {"q": "１１０１０５ １９４９１２３１ ００２ｘ"})
    ) == ["王秀英"]
    # Part of a number is not a search: whole numbers only (no scans over millions of rows).
    assert _member_names(client.get("/members/", {"q": "110105"})) == []
    assert _member_names(client.get("/members/", {"q": "秀英"})) == []
    assert target.pk in {m.pk for m in client.get("/members/").context["page"].rows}


def test_member_search_stays_in_the_subtree(world, units, as_user):
    factories.make_member(units.a1, name="甲一")
    factories.make_member(units.a2, name="甲二")
    factories.make_member(units.other_tenant, name="丙一", id_number=E8)
    assert _member_names(as_user(world.agent).get("/members/")) == ["甲一"]
    assert _member_names(as_user(world.county_cadre).get("/members/")) == ["甲一", "甲二"]
    assert _member_names(as_user(world.office_admin).get("/members/", {"q": E8})) == []


def test_unit_member_list_and_its_paging(world, units, as_user):
    for n in range(53):
        factories.make_member(units.a1, name=f"张{n:02d}")
    factories.make_member(units.a2, name="张邻居")
    client = as_user(world.county_cadre)
    first = client.get(f"/units/{units.a1.pk}/members/")
    names = _member_names(first)
    assert len(names) == 50 and names == sorted(names)
    rest = _member_names(
        client.get(f"/units/{units.a1.pk}/members/", {"after": first.context["page"].next_cursor})
    )
    assert len(rest) == 3 and "张邻居" not in names + rest
    assert len(set(names + rest)) == 53


@pytest.mark.parametrize(
    ("who", "whole"),
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
def test_id_numbers_on_pages_per_role(world, units, as_user, who, whole):
    member = factories.make_member(units.a1, name="王秀英", id_number=E8)
    client = as_user(getattr(world, who))
    for url in (
        f"/members/{member.pk}/",
        f"/units/{units.a1.pk}/members/",
        "/members/",
        f"/members/?q={E8}",
    ):
        body = _body(client.get(url))
        # The search box repeats what the user typed; what the page shows of the member is below it.
        body = body[body.index("</form>", body.index('role="search"')) :] if "?q=" in url else body
        assert "王秀英" in body, url
        assert (E8 in body) is whole, url
        assert (MASKED_E8 in body) is not whole, url


# --- Transfers ----------------------------------------------------------------------------------


def test_transfer_through_the_form_moves_sight_with_the_member(world, units, as_user):
    member = factories.make_member(units.a1, name="调动者")
    cadre = as_user(world.county_cadre)
    form = cadre.get(f"/members/{member.pk}/transfer/").context["form"]
    offered = {str(value) for value, _ in form.fields["to_unit"].choices if value != ""}
    assert offered == {
        str(units.a2.pk)
    }  # the county's other unit; not the current one, nothing outside

    response = cadre.post(
        f"/members/{member.pk}/transfer/",
        {"to_unit": units.a2.pk, "date": "2026-03-01", "reason": "工作调动"},
        follow=True,
    )
    assert response.redirect_chain == [(f"/members/{member.pk}/", 302)]
    body = _body(response)
    assert re.search(r"2026-03-01</td><td>甲县医院工会</td><td>甲县中学工会</td><td>工作调动", body)
    assert MemberTransfer.objects.filter(member=member).count() == 1

    assert as_user(world.agent).get(f"/members/{member.pk}/").status_code == 404
    assert "调动者" not in _body(as_user(world.agent).get("/members/"))
    assert as_user(world.sibling_agent).get(f"/members/{member.pk}/").status_code == 200


def test_transfer_form_shows_service_errors(world, units, as_user):
    member = factories.make_member(units.a1)
    response = as_user(world.county_cadre).post(
        f"/members/{member.pk}/transfer/",
        {"to_unit": units.a2.pk, "date": "2999-01-01", "reason": ""},
    )
    errors = response.context["form"].errors
    assert errors["date"] == ["The transfer date cannot be in the future."]
    assert errors["reason"] == ["Enter the reason for the transfer."]


def test_an_agent_is_offered_no_unit_outside_their_own(world, units, as_user):
    member = factories.make_member(units.a1)
    form = as_user(world.agent).get(f"/members/{member.pk}/transfer/").context["form"]
    assert [v for v, _ in form.fields["to_unit"].choices if v != ""] == []
    response = as_user(world.agent).post(
        f"/members/{member.pk}/transfer/",
        {"to_unit": units.a2.pk, "date": "2026-03-01", "reason": "调动"},
    )
    assert "to_unit" in response.context["form"].errors  # not a choice for them
    assert not MemberTransfer.objects.exists()


# --- Query counts: constant, whatever the number of rows ------------------------------------------


def _fill(units, n):
    for i in range(n):
        factories.make_member(units.a1, name=f"赵{i:03d}")
        factories.make_member(units.a2, name=f"钱{i:03d}")


@pytest.mark.parametrize("rows", [2, 60])
def test_list_pages_query_counts(world, units, as_user, django_assert_max_num_queries, rows):
    _fill(units, rows)
    for n in range(rows // 10):
        factories.make_unit(factories.make_node(world.county, "unit", f"乙单位{n}"))
    client = as_user(world.office_admin)
    # 1 session, 2 user, 3 staff + tenant + node (actor), 4 one page of units joined to their nodes
    # (LIMIT 51, no COUNT), 5 the actor's node ancestry (header); and on every page two more:
    # the tenant scope set (with the user's tenant) and restored.
    with django_assert_max_num_queries(7):
        assert client.get("/units/", {"q": "单位"}).status_code == 200
    # 1–3 as above, 4 the unit (scoped), 5 one page of its members joined to the node, 6 ancestry.
    with django_assert_max_num_queries(8):
        assert client.get(f"/units/{units.a1.pk}/members/").status_code == 200
    # 1–3 as above, 4 one page of members of the subtree joined to their nodes, 5 ancestry.
    with django_assert_max_num_queries(7):
        assert client.get("/members/").status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get("/members/", {"q": "赵"}).status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get("/members/", {"q": E8}).status_code == 200
    # 1–3, 4 the unit, 5 its member count (bounded by a LIMIT), 6 the unit's ancestry (breadcrumbs),
    # 7 the actor's ancestry (header).
    with django_assert_max_num_queries(9):
        assert client.get(f"/units/{units.a1.pk}/").status_code == 200
    # 1–3, 4 the member with unit and node, 5 transfers with both units' nodes, 6 the member's
    # policies with plan, version and node, 7 their share tranches (enrolment's cover section),
    # 8 ancestry.
    member = Member.objects.filter(unit=units.a1).first()
    with django_assert_max_num_queries(10):
        assert client.get(f"/members/{member.pk}/").status_code == 200


# --- Markup: phone-friendly, no inline styles (CSP) ----------------------------------------------


def test_pages_use_table_wraps_and_no_inline_styles(world, units, as_user):
    member = factories.make_member(units.a1)
    client = as_user(world.office_admin)
    for url in (
        "/units/",
        f"/units/{units.a1.pk}/",
        f"/units/{units.a1.pk}/members/",
        "/members/",
        f"/members/{member.pk}/",
        "/units/new/",
        f"/units/{units.a1.pk}/edit/",
        f"/units/{units.a1.pk}/members/new/",
        f"/members/{member.pk}/edit/",
        f"/members/{member.pk}/transfer/",
    ):
        body = _body(client.get(url))
        assert " style=" not in body, url
        if "<table" in body:
            assert body.count("<table") == body.count('<div class="table-wrap"><table'), url


def test_pages_speak_chinese_by_default(world, units, as_user):
    body = _body(as_user(world.office_admin, language="zh-hans").get("/members/"))
    assert 'lang="zh-hans"' in body
