"""Factories for tenant data. Trees are built through the same treebeard calls the services use."""

from __future__ import annotations

import itertools

from mutualaid.tenancy.models import Organisation, OrganisationKind, Staff, Tenant, User

PASSWORD = "Test-pass-2026"
_seq = itertools.count(1)


def make_tenant(name: str | None = None) -> tuple[Tenant, Organisation]:
    n = next(_seq)
    tenant = Tenant.objects.create(name=name or f"测试办事处{n}", slug=f"t{n}")
    root = Organisation.objects.add_root({"tenant": tenant, "name": tenant.name, "kind": OrganisationKind.OFFICE})
    return tenant, root


def make_node(parent: Organisation, kind: str, name: str | None = None) -> Organisation:
    parent = Organisation.objects.get(pk=parent.pk)  # fresh numchild/path for treebeard
    return Organisation.objects.add_child(
        parent, {"tenant_id": parent.tenant_id, "name": name or f"{kind}-{next(_seq)}", "kind": kind}
    )


def make_staff(organisation: Organisation, *roles: str, username: str | None = None) -> User:
    user = User(username=username or f"user{next(_seq)}", display_name=username or "测试用户")
    user.set_password(PASSWORD)
    user.save()
    Staff.objects.create(user=user, tenant_id=organisation.tenant_id, organisation=organisation, roles=list(roles))
    return user
