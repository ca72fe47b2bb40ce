"""The organisation and user pages, as an office admin, a cadre and an agent use them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mutualaid.audit.models import AuditEvent
from mutualaid.tenancy.models import Organisation, OrganisationKind, Role, Staff, User

K = OrganisationKind


@pytest.fixture
def as_user(login):
    """Log in as ``user`` with English pages, so the assertions read like the screen."""

    def _as(user):
        client = login(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return _as


def _choices(response, field: str) -> list[str]:
    return [
        str(value) for value, _ in response.context["form"].fields[field].choices if value != ""
    ]


# --- Organisations -------------------------------------------------------------------


def test_office_admin_adds_a_child_node_through_the_form(world, as_user):
    client = as_user(world.office_admin)
    url = reverse("tenancy:organisation_create", args=[world.county.pk])

    form_page = client.get(url)
    assert form_page.status_code == 200
    assert "Add an organisation below 甲县总工会" in form_page.content.decode()
    # Units are made on the unit page (they carry registration data), not here.
    assert _choices(form_page, "kind") == [K.INDUSTRY, K.AGENT]

    response = client.post(
        url, {"name": "甲县城区代办处", "kind": K.AGENT, "code": "JX-003"}, follow=True
    )
    child = Organisation.objects.get(name="甲县城区代办处")
    assert response.redirect_chain == [
        (reverse("tenancy:organisation_detail", args=[child.pk]), 302)
    ]
    assert "甲县城区代办处 was added." in response.content.decode()
    assert Organisation.objects.get_parent(child).pk == world.county.pk
    assert (child.kind, child.code, child.tenant_id) == (K.AGENT, "JX-003", world.tenant.pk)
    assert AuditEvent.objects.filter(action="organisation.create", object_id=str(child.pk)).exists()


def test_a_kind_the_parent_cannot_hold_is_not_offered_and_not_accepted(world, as_user):
    client = as_user(world.office_admin)
    url = reverse("tenancy:organisation_create", args=[world.county.pk])
    response = client.post(url, {"name": "错位市总工会", "kind": K.CITY})
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert not Organisation.objects.filter(name="错位市总工会").exists()


def test_blank_name_shows_an_error_on_the_form(world, as_user):
    client = as_user(world.office_admin)
    response = client.post(
        reverse("tenancy:organisation_create", args=[world.county.pk]),
        {"name": "", "kind": K.AGENT},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["This field is required."]


@pytest.mark.parametrize("who", ["city_cadre", "county_cadre", "agent", "auditor"])
def test_only_office_admins_get_the_add_and_edit_forms(world, as_user, who):
    client = as_user(getattr(world, who))
    node = world.unit if who == "agent" else world.county
    for name in ("tenancy:organisation_create", "tenancy:organisation_edit"):
        url = reverse(name, args=[node.pk])
        assert client.get(url).status_code == 403
        assert client.post(url, {"name": "越权", "kind": K.UNIT}).status_code == 403
    assert not Organisation.objects.filter(name="越权").exists()
    detail = client.get(reverse("tenancy:organisation_detail", args=[node.pk])).content.decode()
    assert "Add a child organisation" not in detail


def test_office_admin_renames_a_node(world, as_user):
    client = as_user(world.office_admin)
    response = client.post(
        reverse("tenancy:organisation_edit", args=[world.unit.pk]),
        {"name": "甲县人民医院工会", "code": "JX-001"},
    )
    assert response.status_code == 302
    world.unit.refresh_from_db()
    assert (world.unit.name, world.unit.code) == ("甲县人民医院工会", "JX-001")
    event = AuditEvent.objects.get(action="organisation.update")
    assert event.before["name"] == "甲县医院工会" and event.after["name"] == "甲县人民医院工会"


def test_organisation_list_is_the_actors_subtree(world, as_user):
    page = as_user(world.county_cadre).get(reverse("tenancy:organisation_list"))
    names = [node.name for node in page.context["nodes"]]
    assert names == ["甲县总工会", "甲县医院工会", "甲县中学工会"]


def test_organisation_detail_shows_children_and_staff(world, as_user):
    page = as_user(world.city_cadre).get(
        reverse("tenancy:organisation_detail", args=[world.county.pk])
    )
    assert page.status_code == 200
    assert [c.name for c in page.context["children"]] == ["甲县中学工会", "甲县医院工会"]
    assert [s.user.username for s in page.context["staff"]] == ["county_cadre"]
    # Breadcrumbs from the office down, even though the cadre works at the city.
    assert [n.name for n in page.context["chain"]] == ["甲省办事处", "甲市总工会", "甲县总工会"]


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    url = reverse("tenancy:organisation_list")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


# --- Users -----------------------------------------------------------------------------


def test_staff_list_is_the_actors_subtree_and_searchable(world, as_user):
    client = as_user(world.county_cadre)
    page = client.get(reverse("tenancy:staff_list"))
    assert [s.user.username for s in page.context["rows"]] == [
        "county_cadre",
        "agent",
        "sibling_agent",
    ]
    found = client.get(reverse("tenancy:staff_list"), {"q": "sibling"})
    assert [s.user.username for s in found.context["rows"]] == ["sibling_agent"]


@pytest.mark.parametrize("who", ["agent", "reviewer", "auditor", "finance"])
def test_staff_pages_are_for_admins_and_cadres(world, as_user, who):
    client = as_user(getattr(world, who))
    assert client.get(reverse("tenancy:staff_list")).status_code == 403
    assert client.get(reverse("tenancy:staff_create")).status_code == 403
    assert client.get(reverse("tenancy:staff_edit", args=[world.agent.pk])).status_code == 403


def test_cadre_form_offers_only_nodes_below_and_grantable_roles(world, as_user):
    form_page = as_user(world.county_cadre).get(reverse("tenancy:staff_create"))
    assert set(_choices(form_page, "organisation")) == {
        str(world.unit.pk),
        str(world.sibling_unit.pk),
    }
    assert _choices(form_page, "roles") == [Role.CADRE, Role.AGENT]


def test_office_admin_form_offers_the_whole_tenant_and_every_role(world, as_user):
    form_page = as_user(world.office_admin).get(reverse("tenancy:staff_create"))
    assert len(_choices(form_page, "organisation")) == 7
    assert _choices(form_page, "roles") == Role.values


def test_cadre_creates_an_agent_through_the_form(world, as_user):
    client = as_user(world.county_cadre)
    response = client.post(
        reverse("tenancy:staff_create"),
        {
            "username": "jx_school_agent2",
            "display_name": "刘代办",
            "organisation": world.sibling_unit.pk,
            "roles": [Role.AGENT],
            "password": "Zhigong2026ok",
            "email": "",
            "phone": "13800000000",
        },
        follow=True,
    )
    assert response.redirect_chain == [(reverse("tenancy:staff_list"), 302)]
    assert "User 刘代办 was created." in response.content.decode()
    staff = Staff.objects.select_related("user").get(user__username="jx_school_agent2")
    assert (staff.organisation_id, staff.roles, staff.user.phone) == (
        world.sibling_unit.pk,
        [Role.AGENT],
        "13800000000",
    )


def test_weak_password_is_shown_on_the_form(world, as_user):
    client = as_user(world.office_admin)
    response = client.post(
        reverse("tenancy:staff_create"),
        {
            "username": "weak_one",
            "display_name": "弱密码",
            "organisation": world.unit.pk,
            "roles": [Role.AGENT],
            "password": "zhigongmima",
        },
    )
    assert response.status_code == 200
    assert "The password must contain both letters and digits." in response.content.decode()
    assert not User.objects.filter(username="weak_one").exists()


def test_cadre_deactivates_an_agent(world, as_user):
    client = as_user(world.county_cadre)
    url = reverse("tenancy:staff_edit", args=[world.agent.pk])
    form_page = client.get(url)
    assert form_page.context["form"].initial["organisation"] == world.unit
    response = client.post(
        url, {"display_name": "陈代办", "organisation": world.unit.pk, "roles": [Role.AGENT]}
    )  # is_active unticked
    assert response.status_code == 302
    world.agent.refresh_from_db()
    assert (world.agent.display_name, world.agent.is_active) == ("陈代办", False)
    event = AuditEvent.objects.get(action="staff.update")
    assert event.before["is_active"] is True and event.after["is_active"] is False


def test_organisation_list_pages_by_keyset_and_searches(world, as_user, monkeypatch):
    from mutualaid.accounts import views

    monkeypatch.setattr(views, "LIST_PAGE_SIZE", 2)
    client = as_user(world.county_cadre)
    first = client.get(reverse("tenancy:organisation_list"))
    assert [n.name for n in first.context["nodes"]] == ["甲县总工会", "甲县医院工会"]
    cursor = first.context["page"].next_cursor
    assert cursor and f"after={cursor}" in first.content.decode()
    second = client.get(reverse("tenancy:organisation_list"), {"after": cursor})
    assert [n.name for n in second.context["nodes"]] == ["甲县中学工会"]
    assert not second.context["page"].has_next
    found = client.get(reverse("tenancy:organisation_list"), {"q": "中学"})
    assert [n.name for n in found.context["nodes"]] == ["甲县中学工会"]


def test_moving_a_user_is_audited_at_both_nodes(world, as_user):
    from mutualaid.audit.models import AuditEvent

    client = as_user(world.county_cadre)
    response = client.post(
        reverse("tenancy:staff_edit", args=[world.agent.pk]),
        {
            "display_name": "代办",
            "organisation": world.sibling_unit.pk,
            "roles": ["agent"],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    moved_in = AuditEvent.objects.get(action="staff.update", object_id=str(world.agent.pk))
    moved_out = AuditEvent.objects.get(action="staff.move_out", object_id=str(world.agent.pk))
    assert moved_in.organisation_id == world.sibling_unit.pk
    assert moved_out.organisation_id == world.unit.pk


def test_the_county_page_links_to_the_unit_form_for_new_units(world, as_user):
    page = as_user(world.county_cadre).get(
        reverse("tenancy:organisation_detail", args=[world.county.pk])
    )
    assert f"{reverse('members:unit_create')}?parent={world.county.pk}" in page.content.decode()
    agent_page = as_user(world.agent).get(
        reverse("tenancy:organisation_detail", args=[world.unit.pk])
    )
    assert reverse("members:unit_create") not in agent_page.content.decode()
