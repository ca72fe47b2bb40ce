"""Writes to tenants, the organisation tree and staff: atomic, validated, audited."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils.translation import gettext as _

from mutualaid.audit.services import record, snapshot
from mutualaid.calendar.services import seed_years_from_package
from mutualaid.core.errors import DomainError
from mutualaid.tenancy.models import Organisation, OrganisationKind, Role, Staff, Tenant, User
from mutualaid.tenancy.scoping import Actor

# Which kinds of node may hang below which (a unit is a leaf).
ALLOWED_CHILDREN: dict[str, set[str]] = {
    OrganisationKind.OFFICE: {
        OrganisationKind.CITY,
        OrganisationKind.INDUSTRY,
        OrganisationKind.AGENT,
    },
    OrganisationKind.CITY: {
        OrganisationKind.COUNTY,
        OrganisationKind.INDUSTRY,
        OrganisationKind.AGENT,
        OrganisationKind.UNIT,
    },
    OrganisationKind.COUNTY: {
        OrganisationKind.INDUSTRY,
        OrganisationKind.AGENT,
        OrganisationKind.UNIT,
    },
    OrganisationKind.INDUSTRY: {OrganisationKind.AGENT, OrganisationKind.UNIT},
    OrganisationKind.AGENT: {OrganisationKind.UNIT},
    OrganisationKind.UNIT: set(),
}

# Roles a cadre may hand out to users below their node; office admins may hand out any.
CADRE_GRANTABLE_ROLES = {Role.CADRE, Role.AGENT}

ORG_FIELDS = ["name", "kind", "code"]
STAFF_FIELDS = ["organisation", "roles"]


def tenant_create(*, name: str, slug: str, office_name: str) -> tuple[Tenant, Organisation]:
    """A new province office: the tenant, the root node of its tree, and its work calendar
    seeded from the holiday package (operators only)."""
    with transaction.atomic():
        tenant = Tenant.objects.create(name=name, slug=slug)
        root = Organisation.objects.add_root(
            {"tenant": tenant, "name": office_name, "kind": OrganisationKind.OFFICE}
        )
        record(
            actor=None, action="tenant.create", obj=tenant, organisation=root, after={"name": name}
        )
        seed_years_from_package(tenant=tenant, organisation=root)
    return tenant, root


def can_manage_tree(actor: Actor) -> bool:
    return actor.has_role(Role.OFFICE_ADMIN)


def can_manage_users(actor: Actor) -> bool:
    return actor.has_role(Role.OFFICE_ADMIN, Role.CADRE)


def organisation_create(
    *, actor: Actor, parent: Organisation, name: str, kind: str, code: str = ""
) -> Organisation:
    if not can_manage_tree(actor) or not actor.reaches(parent):
        raise DomainError(_("You may not add organisations here."))
    if kind not in ALLOWED_CHILDREN.get(parent.kind, set()):
        raise DomainError(
            _("A %(child)s cannot be placed under a %(parent)s.")
            % {
                "child": OrganisationKind(kind).label,
                "parent": OrganisationKind(parent.kind).label,
            },
            field="kind",
        )
    if kind == OrganisationKind.UNIT:
        # A unit carries registration data (credit code, headcount, bank account): it is
        # made on the unit page, so no unit node exists without its Unit row.
        raise DomainError(
            _("Units are added on the Units page, with their registration data."), field="kind"
        )
    name = name.strip()
    if not name:
        raise DomainError(_("Enter a name."), field="name")
    with transaction.atomic():
        # Lock the parent so two admins adding children at once get distinct paths.
        parent = Organisation.objects.select_for_update().get(pk=parent.pk)
        child = Organisation.objects.add_child(
            parent,
            {"tenant_id": parent.tenant_id, "name": name, "kind": kind, "code": code.strip()},
        )
        record(
            actor=actor,
            action="organisation.create",
            obj=child,
            organisation=child,
            after=snapshot(child, ORG_FIELDS),
        )
    return child


def organisation_update(
    *, actor: Actor, organisation: Organisation, name: str, code: str = ""
) -> Organisation:
    if not can_manage_tree(actor) or not actor.reaches(organisation):
        raise DomainError(_("You may not change this organisation."))
    name = name.strip()
    if not name:
        raise DomainError(_("Enter a name."), field="name")
    with transaction.atomic():
        before = snapshot(organisation, ORG_FIELDS)
        organisation.name = name
        organisation.code = code.strip()
        organisation.save(update_fields=["name", "code"])
        record(
            actor=actor,
            action="organisation.update",
            obj=organisation,
            organisation=organisation,
            before=before,
            after=snapshot(organisation, ORG_FIELDS),
        )
    return organisation


def _check_staff_grant(*, actor: Actor, organisation: Organisation, roles: list[str]) -> None:
    if not roles:
        raise DomainError(_("Choose at least one role."), field="roles")
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise DomainError(
            _("Unknown role: %(roles)s") % {"roles": ", ".join(sorted(unknown))}, field="roles"
        )
    if not actor.reaches(organisation):
        raise DomainError(_("You may not manage users of this organisation."), field="organisation")
    if actor.has_role(Role.OFFICE_ADMIN):
        return
    if actor.has_role(Role.CADRE):
        if organisation.pk == actor.organisation.pk:
            raise DomainError(
                _("Cadres manage users of the organisations below their own."), field="organisation"
            )
        if not set(roles) <= CADRE_GRANTABLE_ROLES:
            raise DomainError(_("Cadres may only grant the cadre and agent roles."), field="roles")
        return
    raise DomainError(_("You may not manage users."))


def staff_create(
    *,
    actor: Actor,
    organisation: Organisation,
    username: str,
    display_name: str,
    password: str,
    roles: list[str],
    email: str = "",
    phone: str = "",
) -> Staff:
    _check_staff_grant(actor=actor, organisation=organisation, roles=roles)
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(_("This user name is taken."), field="username")
    user = User(
        username=username,
        display_name=display_name.strip(),
        email=email.strip(),
        phone=phone.strip(),
    )
    validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save()
        staff = Staff.objects.create(
            user=user,
            tenant_id=organisation.tenant_id,
            organisation=organisation,
            roles=sorted(set(roles)),
        )
        record(
            actor=actor,
            action="staff.create",
            obj=user,
            organisation=organisation,
            after={"username": username, **snapshot(staff, STAFF_FIELDS)},
        )
    return staff


def staff_update(
    *,
    actor: Actor,
    staff: Staff,
    organisation: Organisation,
    roles: list[str],
    display_name: str,
    is_active: bool,
) -> Staff:
    # The actor must be allowed both where the user is and where they are going.
    _check_staff_grant(actor=actor, organisation=staff.organisation, roles=staff.roles)
    _check_staff_grant(actor=actor, organisation=organisation, roles=roles)
    if staff.user_id == actor.user.pk and not is_active:
        raise DomainError(_("You cannot deactivate yourself."), field="is_active")
    with transaction.atomic():
        before = {
            **snapshot(staff, STAFF_FIELDS),
            "is_active": staff.user.is_active,
            "display_name": staff.user.display_name,
        }
        previous_organisation = staff.organisation
        staff.organisation = organisation
        staff.roles = sorted(set(roles))
        staff.save(update_fields=["organisation", "roles"])
        staff.user.display_name = display_name.strip()
        staff.user.is_active = is_active
        staff.user.save(update_fields=["display_name", "is_active"])
        record(
            actor=actor,
            action="staff.update",
            obj=staff.user,
            organisation=organisation,
            before=before,
            after={
                **snapshot(staff, STAFF_FIELDS),
                "is_active": is_active,
                "display_name": display_name,
            },
        )
        if previous_organisation.pk != organisation.pk:
            # Auditors of the subtree the user left see the move too.
            record(
                actor=actor,
                action="staff.move_out",
                obj=staff.user,
                organisation=previous_organisation,
                before=before,
                after={"organisation": str(organisation.pk)},
            )
    return staff
