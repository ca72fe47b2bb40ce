"""Monthly returns in the Django admin: read-only and scoped like the pages (the steps happen
on the return's page, through the services). The summaries are derived data: not in the admin."""

from django.contrib import admin

from mutualaid.tenancy.admin_base import ReadOnlyAdmin
from stats.models import StatisticalReturn


@admin.register(StatisticalReturn)
class StatisticalReturnAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "year", "month", "status", "due_on", "overdue", "submitted_at"]
    list_filter = ["status", "overdue", "year"]
    list_select_related = ["organisation"]
    search_fields = ["organisation__name"]
    show_full_result_count = False
    readonly_fields = [
        "organisation",
        "year",
        "month",
        "status",
        "figures",
        "filled_at",
        "due_on",
        "due_provisional",
        "overdue",
        "remarks",
        "submitted_at",
        "submitted_by",
        "submitted_late",
        "decided_at",
        "decided_by",
        "return_reason",
    ]
    exclude = ["tenant", "reminded_on"]
