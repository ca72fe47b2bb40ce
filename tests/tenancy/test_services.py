"""Writes to the tree and to staff: who may do what, and what they are told when they may not."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from mutualaid.accounts import services
from mutualaid.audit.models import AuditEvent
from mutualaid.tenancy.models import Organisation, OrganisationKind, Role, Staff, User

K = OrganisationKind


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _messages(excinfo) -> list[str]:
    return excinfo.value.messages


# --- organisation_create -------------------------------------------------------------


@pytest.mark.parametrize(
    ("parent", "kind"),
    [
        ("office", K.CITY),
        ("office", K.INDUSTRY),
        ("office", K.AGENT),
        ("city", K.COUNTY),
        ("county", K.INDUSTRY),
        ("county", K.AGENT),
    ],
)
def test_office_admin_adds_allowed_kinds(world, parent, kind):
    parent_node = getattr(world, parent)
    child = services.organisation_create(
        actor=world.actor(world.office_admin),
        parent=parent_node,
        name="  新节点  ",
        kind=kind,
        code=" X1 ",
    )
    child.refresh_from_db()
    assert (child.name, child.kind, child.code) == ("新节点", kind, "X1")
    assert Organisation.objects.get_parent(child).pk == parent_node.pk
    assert child.tenant_id == world.tenant.pk


@pytest.mark.parametrize(
    ("parent", "kind", "message"),
    [
        ("office", K.UNIT, "A Unit union cannot be placed under a Province office."),
        ("office", K.COUNTY, "A County federation cannot be placed under a Province office."),
        ("city", K.CITY, "A City federation cannot be placed under a City federation."),
        ("unit", K.UNIT, "A Unit union cannot be placed under a Unit union."),
        # Units carry registration data: the tree form sends the admin to the unit page.
        ("county", K.UNIT, "Units are added on the Units page, with their registration data."),
    ],
)
def test_kinds_that_do_not_fit_are_refused_with_a_reason(world, parent, kind, message):
    before = Organisation.objects.count()
    with pytest.raises(services.DomainError) as excinfo:
        services.organisation_create(
            actor=world.actor(world.office_admin),
            parent=getattr(world, parent),
            name="错位",
            kind=kind,
        )
    assert _messages(excinfo) == [message]
    assert Organisation.objects.count() == before


@pytest.mark.parametrize("who", ["city_cadre", "agent", "auditor", "other_tenant_admin"])
def test_only_the_tenants_office_admins_change_the_tree(world, who):
    with pytest.raises(services.DomainError) as excinfo:
        services.organisation_create(
            actor=world.actor(getattr(world, who)),
            parent=world.county,
            name="越权单位",
            kind=K.UNIT,
        )
    assert _messages(excinfo) == ["You may not add organisations here."]
    assert not Organisation.objects.filter(name="越权单位").exists()


def test_adding_a_node_never_renumbers_the_others(world):
    """An actor's path is read once per request: a sibling added meanwhile must not shift it."""
    county_cadre = world.actor(world.county_cadre)
    reach_before = set(Organisation.objects.for_actor(county_cadre).values_list("pk", flat=True))
    paths_before = dict(Organisation.objects.values_list("pk", "path"))
    # Names that sort before every existing sibling, at each level.
    services.organisation_create(
        actor=world.actor(world.office_admin), parent=world.city, name="一县总工会", kind=K.COUNTY
    )
    services.organisation_create(
        actor=world.actor(world.office_admin), parent=world.county, name="一代办处", kind=K.AGENT
    )
    assert {
        pk: path
        for pk, path in Organisation.objects.values_list("pk", "path")
        if pk in paths_before
    } == paths_before
    reach_after = set(Organisation.objects.for_actor(county_cadre).values_list("pk", flat=True))
    assert reach_before < reach_after  # the new node below the county, nothing else
    assert {n.name for n in Organisation.objects.filter(pk__in=reach_after - reach_before)} == {
        "一代办处"
    }


def test_blank_name_is_refused(world):
    with pytest.raises(services.DomainError) as excinfo:
        services.organisation_create(
            actor=world.actor(world.office_admin), parent=world.county, name="   ", kind=K.AGENT
        )
    assert _messages(excinfo) == ["Enter a name."]


def test_organisation_update_renames_and_is_refused_outside_scope(world):
    node = services.organisation_update(
        actor=world.actor(world.office_admin),
        organisation=world.unit,
        name=" 甲县人民医院工会 ",
        code="U-1",
    )
    node.refresh_from_db()
    assert (node.name, node.code) == ("甲县人民医院工会", "U-1")
    with pytest.raises(services.DomainError):
        services.organisation_update(
            actor=world.actor(world.other_tenant_admin), organisation=world.unit, name="被改名"
        )


# --- staff_create ----------------------------------------------------------------------


def _create(
    world, who, organisation, *, username="new_user", roles=(Role.AGENT,), password="Zhigong2026ok"
):
    return services.staff_create(
        actor=world.actor(getattr(world, who)),
        organisation=organisation,
        username=username,
        display_name="新用户",
        password=password,
        roles=list(roles),
    )


def test_cadre_creates_agents_and_cadres_below_their_node(world):
    staff = _create(world, "county_cadre", world.unit, roles=(Role.AGENT, Role.CADRE))
    assert staff.organisation == world.unit
    assert staff.tenant_id == world.tenant.pk
    assert staff.roles == [Role.AGENT, Role.CADRE]
    assert staff.user.check_password("Zhigong2026ok")


@pytest.mark.parametrize(
    ("organisation", "roles", "message"),
    [
        ("county", (Role.AGENT,), "Cadres manage users of the organisations below their own."),
        ("unit", (Role.REVIEWER,), "Cadres may only grant the cadre and agent roles."),
        ("unit", (Role.OFFICE_ADMIN,), "Cadres may only grant the cadre and agent roles."),
        ("other_county_unit", (Role.AGENT,), "You may not manage users of this organisation."),
        ("city", (Role.AGENT,), "You may not manage users of this organisation."),
    ],
)
def test_cadre_is_refused_outside_strictly_below_their_node(world, organisation, roles, message):
    with pytest.raises(services.DomainError) as excinfo:
        _create(world, "county_cadre", getattr(world, organisation), roles=roles)
    assert _messages(excinfo) == [message]
    assert not User.objects.filter(username="new_user").exists()


@pytest.mark.parametrize("role", Role.values)
def test_office_admin_grants_any_role_anywhere_in_their_tenant(world, role):
    staff = _create(world, "office_admin", world.office, roles=(role,))
    assert staff.roles == [role]


def test_office_admin_cannot_create_users_in_another_tenant(world):
    with pytest.raises(services.DomainError) as excinfo:
        _create(world, "office_admin", world.other_unit)
    assert _messages(excinfo) == ["You may not manage users of this organisation."]


@pytest.mark.parametrize("who", ["agent", "reviewer", "auditor"])
def test_other_roles_manage_no_users(world, who):
    organisation = world.unit if who == "agent" else world.county
    with pytest.raises(services.DomainError) as excinfo:
        _create(world, who, organisation)
    assert _messages(excinfo) == ["You may not manage users."]


def test_a_role_is_required(world):
    with pytest.raises(services.DomainError) as excinfo:
        _create(world, "office_admin", world.unit, roles=())
    assert _messages(excinfo) == ["Choose at least one role."]


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1cd", "This password is too short. It must contain at least 10 characters."),
        ("password123", "This password is too common."),
        ("20262026202620", "This password is entirely numeric."),
        ("zhigongmima", "The password must contain both letters and digits."),
        ("new_user2026", "The password is too similar to the username."),
    ],
)
def test_weak_passwords_are_refused(world, password, message):
    with pytest.raises(ValidationError) as excinfo:
        _create(world, "office_admin", world.unit, password=password)
    assert message in _messages(excinfo)
    assert not User.objects.filter(username="new_user").exists()


def test_duplicate_user_name_is_refused_whatever_the_case(world):
    with pytest.raises(services.DomainError) as excinfo:
        _create(world, "office_admin", world.unit, username="AGENT")
    assert _messages(excinfo) == ["This user name is taken."]
    assert Staff.objects.filter(user__username__iexact="agent").count() == 1


# --- staff_update ------------------------------------------------------------------------


def test_staff_update_moves_and_deactivates(world):
    staff = Staff.objects.get(user=world.agent)
    services.staff_update(
        actor=world.actor(world.county_cadre),
        staff=staff,
        organisation=world.sibling_unit,
        roles=[Role.AGENT],
        display_name="调岗代办",
        is_active=False,
    )
    staff.refresh_from_db()
    staff.user.refresh_from_db()
    assert staff.organisation == world.sibling_unit
    assert staff.user.display_name == "调岗代办"
    assert staff.user.is_active is False


def test_cadre_cannot_move_a_user_out_of_their_subtree(world):
    staff = Staff.objects.get(user=world.agent)
    with pytest.raises(services.DomainError):
        services.staff_update(
            actor=world.actor(world.county_cadre),
            staff=staff,
            organisation=world.other_county_unit,
            roles=[Role.AGENT],
            display_name="agent",
            is_active=True,
        )
    staff.refresh_from_db()
    assert staff.organisation == world.unit


def test_nobody_deactivates_themselves(world):
    staff = Staff.objects.get(user=world.office_admin)
    with pytest.raises(services.DomainError) as excinfo:
        services.staff_update(
            actor=world.actor(world.office_admin),
            staff=staff,
            organisation=world.office,
            roles=[Role.OFFICE_ADMIN],
            display_name="x",
            is_active=False,
        )
    assert _messages(excinfo) == ["You cannot deactivate yourself."]


def test_refused_writes_leave_no_audit_event(world):
    before = AuditEvent.objects.count()
    with pytest.raises(services.DomainError):
        _create(world, "county_cadre", world.county)
    with pytest.raises(services.DomainError):
        services.organisation_create(
            actor=world.actor(world.agent), parent=world.unit, name="x", kind=K.UNIT
        )
    assert AuditEvent.objects.count() == before
