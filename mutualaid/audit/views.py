"""The audit log page for auditors and office admins: filtered, keyset-paged, scoped."""

from django.shortcuts import render

from mutualaid.audit import selectors
from mutualaid.audit.sentences import describe
from mutualaid.tenancy.access import staff_required
from mutualaid.tenancy.models import Role


@staff_required(Role.OFFICE_ADMIN, Role.AUDITOR)
def event_list(request):
    filters = selectors.AuditFilters.from_querydict(request.GET)
    page = selectors.event_page(
        actor=request.actor, filters=filters, after=request.GET.get("after")
    )
    for event in page.rows:  # shown, never saved (the log is append-only)
        event.before = selectors.shown_picture(event.before, request.actor)
        event.after = selectors.shown_picture(event.after, request.actor)
    describe(page.rows)
    return render(
        request,
        "audit/event_list.html",
        {
            "page": page,
            "filters": filters,
            "families": selectors.action_family_choices(),
        },
    )
