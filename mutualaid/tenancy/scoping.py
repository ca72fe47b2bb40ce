"""The one scoping mechanism: who is acting, and which rows they may reach.

Every read of tenant data goes through ``ScopedQuerySet.for_actor`` (or an access
helper built on it). Pages, the API, the admin, exports and tasks all use it, so a
user reaches their node's subtree and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from mutualaid.tenancy.models import Organisation, Tenant, User


@dataclass(frozen=True)
class Actor:
    """A staff user acting at one node of one tenant, with their roles."""

    user: User
    tenant: Tenant
    organisation: Organisation
    roles: frozenset[str]

    @property
    def tenant_id(self):
        return self.tenant.pk

    @property
    def path(self) -> str:
        return self.organisation.path

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def reaches(self, organisation: Organisation) -> bool:
        """True when ``organisation`` is this actor's node or below it."""
        return organisation.tenant_id == self.tenant.pk and organisation.path.startswith(self.path)


def actor_for(user) -> Actor | None:
    """The actor for a logged-in staff user, or None (anonymous, or no staff membership)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    staff = getattr(user, "_staff_cache", None)
    if staff is None:
        from mutualaid.tenancy import context
        from mutualaid.tenancy.models import Staff

        scope = context.current()
        if scope is not None and scope.tenant_id is None and not scope.bypass:
            return None  # the entry point found no staff tenant for this user

        staff = (
            Staff.objects.select_related("tenant", "organisation").filter(user_id=user.pk).first()
        )
        if staff is None:
            return None
        user._staff_cache = staff
    return Actor(
        user=user,
        tenant=staff.tenant,
        organisation=staff.organisation,
        roles=frozenset(staff.roles),
    )


class ScopedQuerySet(models.QuerySet):
    """A queryset of tenant rows that knows how to narrow itself to an actor's reach.

    A model using it names the relation to its owning organisation in
    ``scope_org_field`` (e.g. ``"organisation"`` or ``"unit__organisation"``), or
    sets it to ``None`` for rows that every user of the tenant may read.
    """

    def as_manager(cls):
        # Tenant models' managers refuse queries where an entry point set no tenant.
        from mutualaid.tenancy.base import tenant_manager

        manager = tenant_manager(cls)
        manager._built_with_as_manager = True
        return manager

    as_manager.queryset_only = True
    as_manager = classmethod(as_manager)

    def for_tenant(self, tenant) -> ScopedQuerySet:
        return self.filter(tenant=tenant)

    def for_actor(self, actor: Actor | None) -> ScopedQuerySet:
        if actor is None:
            return self.none()
        qs = self.filter(tenant_id=actor.tenant.pk)
        field = getattr(self.model, "scope_org_field", "organisation")
        if field:
            qs = qs.filter(**{f"{field}__path__startswith": actor.path})
        return qs
