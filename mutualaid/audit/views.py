from django.shortcuts import render

from mutualaid.audit import selectors
from mutualaid.tenancy.access import staff_required
from mutualaid.tenancy.models import Role


@staff_required(Role.OFFICE_ADMIN, Role.AUDITOR)
def event_list(request):
    filters = selectors.AuditFilters.from_querydict(request.GET)
    page = selectors.event_page(
        actor=request.actor, filters=filters, after=request.GET.get("after")
    )
    return render(
        request,
        "audit/event_list.html",
        {
            "page": page,
            "filters": filters,
        },
    )
