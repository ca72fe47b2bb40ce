"""The append-only audit log: who did what, when, to which object, before and after.

Rows are written by services inside the same transaction as the change they
describe. A database trigger (see the migration) refuses UPDATE and DELETE, so no
code path, the admin included, can rewrite history.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mutualaid.tenancy.base import TenantForeignKey, TenantModel
from mutualaid.tenancy.scoping import ScopedQuerySet


class AuditEvent(TenantModel):
    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    # Indexed by audit_tenant_at_idx below, which leads with the tenant (a second index on
    # the tenant alone only slowed down writing events: 50,000 a renewal run).
    tenant = models.ForeignKey(
        "tenancy.Tenant", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # The node the event belongs to, for subtree scoping of the log itself.
    organisation = TenantForeignKey(
        "tenancy.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "organisation"

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "-at", "-id"], name="audit_tenant_at_idx"),
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only")
