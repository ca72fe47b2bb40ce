"""Pages of individual applications: the public form of a federation (no account,
rate-limited per client address) and the cadre's list, batch decisions and one
application. Thin: the access helper or scope first, then the service."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from individuals import access, selectors, services
from individuals.forms import ApplicationForm
from individuals.models import ApplicationStatus, IndividualApplication
from mutualaid.core.errors import bind_to_form
from mutualaid.core.limits import client_address, within_limit
from mutualaid.tenancy import context
from mutualaid.tenancy.access import staff_required
from mutualaid.tenancy.models import Organisation, Tenant

# --- The public form ---------------------------------------------------------------------


def _federation(tenant_slug: str, ref: str) -> Organisation:
    """The federation named by its id or its code in the tenant of ``tenant_slug``; 404
    otherwise. Sets the request's tenant (the page has no signed-in staff user)."""
    tenant = Tenant.objects.filter(slug=tenant_slug).first()
    if tenant is None:
        raise Http404
    context.activate(tenant.pk)
    nodes = Organisation.objects.filter(tenant_id=tenant.pk, kind__in=access.FEDERATION_KINDS)
    try:
        node = nodes.filter(pk=uuid.UUID(ref)).first()
    except ValueError:
        node = nodes.filter(code=ref).first() if ref else None
    if node is None:
        raise Http404
    return node


def _over_limit(request) -> bool:
    """Counts this address's applications in the shared cache: at most
    ``INDIVIDUAL_APPLY_RATE`` (count, seconds). A cache that does not answer lets the
    request through (the form is checked anyway; the unique pending key stops floods of
    one person)."""
    count, seconds = getattr(settings, "INDIVIDUAL_APPLY_RATE", (10, 3600))
    return not within_limit(f"individuals:apply:{client_address(request)}", count, seconds)


def apply(request, tenant_slug: str, federation: str):
    # A public page: shown without the staff chrome even to a signed-in user (whose tenant
    # may not be this one: the scope is now the form's tenant).
    request.actor = None
    node = _federation(tenant_slug, federation)
    versions = services.open_versions(node)
    form = ApplicationForm(request.POST or None, versions=versions)
    status = 200
    if request.method == "POST":
        if _over_limit(request):
            form.add_error(
                None, _("Too many applications from this connection: try again in an hour.")
            )
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            try:
                services.application_submit(
                    federation=node,
                    version_id=data["plan"],
                    name=data["name"],
                    id_number=data["id_number"],
                    phone=data["phone"],
                    occupation=data["occupation"],
                    platform=data["platform"],
                )
            except ValidationError as error:
                bind_to_form(form, error, lambda path: path if path in form.fields else None)
            else:
                return redirect(reverse("apply:form", args=[tenant_slug, federation]) + "?sent=1")
    return render(
        request,
        "individuals/apply.html",
        {
            "form": form,
            "federation": node,
            "versions": versions,
            "sent": request.method == "GET" and request.GET.get("sent") == "1",
        },
        status=status,
    )


# --- The cadre's pages -------------------------------------------------------------------


@staff_required(*access.READERS)
def application_list(request):
    actor = request.actor
    status = request.GET.get("status", ApplicationStatus.PENDING)
    if status not in ApplicationStatus.values:
        status = ApplicationStatus.PENDING
    page = selectors.application_page(actor=actor, status=status, after=request.GET.get("after"))
    return render(
        request,
        "individuals/application_list.html",
        {
            "page": page,
            "status": status,
            "statuses": ApplicationStatus.choices,
            "can_decide": actor.has_role(*access.DECIDERS) and status == ApplicationStatus.PENDING,
        },
    )


@staff_required(*access.DECIDERS)
def decide(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    ids = request.POST.getlist("ids")
    decision = request.POST.get("decision")
    try:
        if decision == "approve":
            enrolments = services.applications_approve(actor=request.actor, ids=ids)
            for enrolment in enrolments:
                messages.success(
                    request,
                    _(
                        "%(n)d applications approved: %(plan)s, cover from %(start)s "
                        "(enrolment of %(unit)s)."
                    )
                    % {
                        "n": enrolment.member_count,
                        "plan": enrolment.plan.display_name,
                        "start": (enrolment.coverage_start or enrolment.start_date).isoformat(),
                        "unit": enrolment.organisation.name,
                    },
                )
        elif decision == "refuse":
            n = services.applications_refuse(
                actor=request.actor, ids=ids, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("%(n)d applications refused.") % {"n": n})
        else:
            messages.error(request, _("Choose approve or refuse."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        messages.error(request, str(error))
    return redirect("individuals:list")


@staff_required(*access.READERS, reach=access.access_application)
def application_detail(request, application_id):
    application: IndividualApplication = access.access_application(request.actor, application_id)
    return render(
        request,
        "individuals/application_detail.html",
        {
            "application": application,
            "can_decide": application.status == ApplicationStatus.PENDING
            and access.can_decide(request.actor, application.organisation),
        },
    )
