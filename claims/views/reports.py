"""Reporting an incident (报案): the member is found by name or ID number within the
actor's subtree, the member's plans are offered, and after saving the claim page shows
the computed deadline and whether the report is late.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from claims import access
from claims.forms import ReportForm
from claims.selectors import report_list
from claims.services import reports
from enrolment.models import Policy, PolicyStatus
from members.access import access_member
from members.selectors import member_page
from mutualaid.tenancy.access import staff_required
from plans.models import Plan
from plans.terms import terms_of


def _member_policies(actor, member) -> list[Policy]:
    visible = Plan.objects.for_actor(actor).values("pk")
    return list(
        Policy.objects.filter(member_id=member.pk, tenant_id=member.tenant_id, plan_id__in=visible)
        .exclude(status=PolicyStatus.CANCELLED)
        .select_related("plan", "plan_version")
        .order_by("-start", "id")
    )


@staff_required(*access.REPORTERS)
def report_create(request):
    """Report an incident for a member of the actor's subtree."""
    actor = request.actor
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    query = request.GET.get("q", "").strip()
    results = member_page(actor=actor, query=query, size=10).rows if query else []
    if request.htmx and request.method == "GET" and "q" in request.GET:
        return render(request, "claims/_member_results.html", {"results": results, "q": query})
    member_id = request.POST.get("member") or request.GET.get("member")
    member = access_member(actor, member_id) if member_id else None
    if member is not None and not access.can_report(actor, member.organisation):
        raise PermissionDenied
    policies = _member_policies(actor, member) if member is not None else []
    plans = list({p.plan_id: p.plan for p in policies}.values())
    # The kinds some cover of the member pays for (the service checks the event date).
    kinds = (
        {kind for p in policies for kind in reports.kinds_covered(terms_of(p.plan_version))}
        if member is not None
        else None
    )
    earlier = (
        list(report_list(actor=actor).filter(member_id=member.pk).order_by("-created_at")[:50])
        if member is not None
        else []
    )
    form = ReportForm(request.POST or None, plans=plans, kinds=kinds, earlier=earlier)
    status = 200
    if request.method == "POST":
        status = 400
        if member is None:
            form.is_valid()
            form.add_error(None, _("Choose the member first."))
        else:
            report = form.report(
                reports.report_create,
                plans=plans,
                not_a_plan=_("Choose one of the member's plans."),
                actor=actor,
                member=member,
            )
            if report is not None:
                _report_message(request, report)
                return redirect("claims:claim_detail", report.claim.pk)
    return render(
        request,
        "claims/report_form.html",
        {
            "form": form,
            "member": member,
            "policies": policies,
            "results": results,
            "q": query,
        },
        status=status,
    )


def _report_message(request, report) -> None:
    params = {"number": report.number, "deadline": report.deadline.isoformat()}
    if report.late:
        messages.warning(
            request,
            _(
                "Report %(number)s was saved, but it is late: the deadline was %(deadline)s. "
                "A reviewer must accept the late report before the claim can be submitted."
            )
            % params,
        )
    else:
        messages.success(
            request,
            _("Report %(number)s was saved (deadline %(deadline)s). Now fill in the application.")
            % params,
        )
