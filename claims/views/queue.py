"""The claims list: the reviewer queue (office reviewers) and everyone else's claims of
their subtree (an agent's "my unit's claims", a cadre's read-only view), keyset-paged
with its filters; htmx swaps the table alone.
"""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone

from claims import access, selectors
from claims.forms import QueueFilterForm, status_choices
from mutualaid.tenancy.access import staff_required
from plans.models import Plan
from plans.rules import EVENT_KINDS


def _queue_filters(request, actor):
    form = QueueFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    plan = None
    if data.get("plan"):
        from plans.access import access_plan_filter

        plan = access_plan_filter(actor, data["plan"])
    status = data.get("status") or ""
    known = {value for value, _label in status_choices()}
    if status not in known:
        status = ""
    event_kind = data.get("event_kind") or ""
    filters = selectors.QueueFilters(
        status=status,
        plan=plan,
        event_kind=event_kind if event_kind in EVENT_KINDS else "",
        submitted_from=data.get("submitted_from"),
        submitted_to=data.get("submitted_to"),
        q=data.get("q") or "",
        near_limit=bool(data.get("near_limit")),
    )
    return form, filters


@staff_required()
def claim_list(request):
    """The reviewer queue and the unit's claims: one selector, scoped."""
    actor = request.actor
    form, filters = _queue_filters(request, actor)
    page = selectors.claim_queue(actor=actor, filters=filters, cursor=request.GET.get("after"))
    selectors.with_deadlines(page.rows, tenant=actor.tenant, today=timezone.localdate())
    for row in page.rows:
        row.event_label = EVENT_KINDS.get(row.event_kind, row.event_kind)
    status = filters.status or selectors.default_status(actor)
    keep = {k: v for k, v in request.GET.items() if k != "after" and v}
    is_reviewer = actor.has_role(*access.REVIEWERS)
    context = {
        "page": page,
        "form": form,
        "filters": filters,
        "status": status,
        "statuses": status_choices(),
        "event_kinds": list(EVENT_KINDS.items()),
        "plans": Plan.objects.for_actor(actor).order_by("code"),
        "keep": keep,
        "is_reviewer": is_reviewer,
        "can_report": actor.has_role(*access.REPORTERS),
        "late_count": selectors.late_report_count(actor=actor) if is_reviewer else 0,
        "queue_mode": status in (selectors.StatusGroup.REVIEW, selectors.StatusGroup.LATE),
    }
    template = "claims/_queue.html" if request.htmx else "claims/claim_list.html"
    return render(request, template, context)
