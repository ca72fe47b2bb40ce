from django.contrib import admin

from mutualaid.audit.models import AuditEvent
from mutualaid.tenancy.admin_base import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """No add, change or delete: the log is append-only (the database enforces it too)."""

    list_display = ["at", "actor", "action", "object_repr", "organisation"]
    list_filter = ["action"]
    search_fields = ["object_repr", "object_id", "actor__username"]
    list_select_related = ["actor", "organisation"]
    date_hierarchy = "at"
