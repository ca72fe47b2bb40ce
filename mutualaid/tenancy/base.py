"""The base of every table that holds one tenant's data.

- ``TenantModel``: the ``tenant`` key, the scoped manager (whose queries an entry point
  without a tenant refuses, ``context.guard``), and membership in the set of tables that
  get row-level security (``rls.ensure``).
- ``tenant_key()``: the unique (id, tenant) a child's composite key points at.
- ``TenantForeignKey``: a reference from one tenant table to another that the database
  checks as ONE composite key (column, tenant_id) → parent (id, tenant_id): the parent
  exists and belongs to the same tenant. Django cannot declare composite keys, so the
  field itself has no single-column constraint (``db_constraint=False``) and
  ``rls.ensure`` creates the composite one after every migrate.
- ``TenantForeignKey(..., implied_by="other")``: no composite key of its own, because the
  row's check constraint makes this column equal to ``other``, a tenant key whose parent's
  own tenant key points at the same parent row (``Member.organisation`` = ``Member.unit``,
  and the unit's key is its organisation's): one deferred check fewer per written row.
  ``rls.check_tenant_keys`` proves the chain from the models, so the claim cannot rot.
"""

from __future__ import annotations

from django.db import models

from mutualaid.tenancy import context
from mutualaid.tenancy.scoping import ScopedQuerySet


class TenantManagerMixin:
    """Refuses to build a query where an entry point set no tenant (tests and DEBUG)."""

    def get_queryset(self):
        context.guard(self.model)
        return super().get_queryset()


def tenant_manager(queryset_class):
    """The manager of a tenant model with its own queryset class."""
    return type(
        f"TenantManager{queryset_class.__name__}",
        (TenantManagerMixin, models.Manager.from_queryset(queryset_class)),
        {},
    )()


class TenantForeignKey(models.ForeignKey):
    """A key to another tenant table, checked with the tenant (see module docstring)."""

    def __init__(self, to, on_delete, *, implied_by: str | None = None, **kwargs):
        kwargs["db_constraint"] = False
        #: The field whose composite key (with a check constraint) implies this one's.
        self.implied_by = implied_by
        super().__init__(to, on_delete, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("db_constraint", None)
        if self.implied_by:
            kwargs["implied_by"] = self.implied_by
        return name, path, args, kwargs


class TenantOneToOneField(models.OneToOneField):
    """A one-to-one reference between tenant tables, checked with the tenant."""

    def __init__(self, to, on_delete, **kwargs):
        kwargs["db_constraint"] = False
        super().__init__(to, on_delete, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("db_constraint", None)
        return name, path, args, kwargs


def tenant_key(field: str = "id") -> models.UniqueConstraint:
    """The unique (id, tenant) that children's composite keys reference."""
    return models.UniqueConstraint(fields=[field, "tenant"], name="%(app_label)s_%(class)s_tkey")


class TenantModel(models.Model):
    """Abstract: a row of one tenant. Subclasses keep their own ``tenant`` field when they
    need another related name or index; the manager comes from ``ScopedQuerySet``."""

    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()

    #: Row-level security and composite keys apply (``rls.ensure``).
    tenant_table = True

    class Meta:
        abstract = True
