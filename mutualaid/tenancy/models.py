"""Tenants (province offices), their organisation trees, and the staff who work in them.

The organisation tree uses a materialised path (django-treebeard's ``MP_Node``):
"everything below node N" is ``path LIKE 'N.path%'`` on an index, never recursion
in Python. Each tenant's office is a root of the forest.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from mutualaid.tenancy.base import TenantForeignKey, TenantManagerMixin, TenantModel, tenant_key
from mutualaid.tenancy.scoping import Actor, ScopedQuerySet


class Role(models.TextChoices):
    OFFICE_ADMIN = "office_admin", _("Office administrator")
    REVIEWER = "reviewer", _("Claim reviewer")
    FINANCE = "finance", _("Finance")
    CADRE = "cadre", _("Federation cadre")
    AGENT = "agent", _("Agent")
    AUDITOR = "auditor", _("Auditor")


class Tenant(models.Model):
    """A province office (办事处): its own tree, catalogue, users and money."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("code"), max_length=50, unique=True)
    four_eyes_threshold = models.DecimalField(
        _("four-eyes threshold (yuan)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("10000.00"),
        help_text=_("Claims above this amount need a second approver."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")

    def __str__(self) -> str:
        return self.name


class OrganisationKind(models.TextChoices):
    OFFICE = "office", _("Province office")
    CITY = "city", _("City federation")
    COUNTY = "county", _("County federation")
    INDUSTRY = "industry", _("Industry union")
    AGENT = "agent", _("Agent office")
    UNIT = "unit", _("Unit union")


class OrganisationQuerySet(MP_NodeQuerySet):
    def in_subtree_of(self, node: Organisation) -> OrganisationQuerySet:
        """The node and everything below it, on the path index."""
        return self.filter(tenant_id=node.tenant_id, path__startswith=node.path)

    def for_actor(self, actor: Actor | None) -> OrganisationQuerySet:
        if actor is None:
            return self.none()
        return self.in_subtree_of(actor.organisation)


class OrganisationManager(TenantManagerMixin, MP_NodeManager.from_queryset(OrganisationQuerySet)):
    def get_queryset(self) -> OrganisationQuerySet:
        return OrganisationQuerySet(self.model, using=self._db).order_by("path")


class Organisation(MP_Node, TenantModel):
    """A node of a tenant's union hierarchy: office → city → county/industry → agent/unit."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="organisations")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=OrganisationKind.choices)
    code = models.CharField(_("code"), max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # treebeard's own manager keeps its ordering; ours adds scoped helpers.
    objects = OrganisationManager()
    # No node_order_by: a sorted tree renumbers the paths of every later sibling (and
    # their subtrees) on insert, so an actor's path read at the start of a request could
    # name a sibling's subtree by the end of it. New nodes append; paths never change.
    steplen = 4

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["path"]
        indexes = [
            # text_pattern_ops lets PostgreSQL use the index for LIKE 'prefix%' under any collation.
            models.Index(
                fields=["tenant", "path"],
                name="org_tenant_path_idx",
                opclasses=["", "text_pattern_ops"],
            ),
        ]
        constraints = [tenant_key()]

    def __str__(self) -> str:
        return self.name

    def ancestry(self) -> list[Organisation]:
        """Root-first chain of nodes down to this one (one query)."""
        prefixes = [self.path[: i * self.steplen] for i in range(1, self.depth + 1)]
        return list(Organisation.objects.filter(path__in=prefixes).order_by("depth"))

    def path_label(self) -> str:
        return " / ".join(node.name for node in self.ancestry())

    def is_within(self, other: Organisation) -> bool:
        return self.tenant_id == other.tenant_id and self.path.startswith(other.path)


class User(AbstractUser):
    """A person who logs in. Staff membership (node and roles) is in ``Staff``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # An integration's account: no password (it cannot sign in), only API tokens that an
    # office admin of its node manages (mutualaid/api/tokens.py).
    is_service_account = models.BooleanField(_("service account"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username


class Staff(TenantModel):
    """A user's place in a tenant: one node, one or more roles."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="staff", primary_key=True
    )
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="staff")
    organisation = TenantForeignKey(Organisation, on_delete=models.PROTECT, related_name="staff")
    roles = ArrayField(
        models.CharField(max_length=20, choices=Role.choices), verbose_name=_("roles")
    )

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "organisation"

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        constraints = [
            models.CheckConstraint(condition=~models.Q(roles=[]), name="staff_has_a_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"

    def role_labels(self) -> list[str]:
        return [Role(role).label for role in Role.values if role in self.roles]
