from django.contrib import admin

from mutualaid.audit.models import AuditEvent
from mutualaid.audit.selectors import shown_picture
from mutualaid.tenancy.admin_base import ReadOnlyAdmin
from mutualaid.tenancy.scoping import actor_for


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """No add, change or delete: the log is append-only (the database enforces it too)."""

    list_display = ["at", "actor", "action", "object_repr", "organisation"]
    list_filter = ["action"]
    search_fields = ["object_repr", "object_id", "actor__username"]
    list_select_related = ["actor", "organisation"]
    date_hierarchy = "at"

    def get_object(self, request, object_id, from_field=None):
        event = super().get_object(request, object_id, from_field)
        if event is not None:  # shown, never saved; accounts masked as on the audit page
            actor = actor_for(request.user)
            event.before = shown_picture(event.before, actor)
            event.after = shown_picture(event.after, actor)
        return event
