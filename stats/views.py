"""Statistics pages: dashboards per node, the blank-spot list, .xlsx downloads of every table,
fund statements (page, PDF, .xlsx) and the cities' monthly returns.

Thin: the node (or return, or plan) comes from an access helper first — 404 outside the
actor's subtree, for every method — then the selectors or a service.
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mutualaid.calendar.selectors import work_calendar_for
from mutualaid.core.errors import bind_to_form
from mutualaid.tenancy.access import staff_required
from mutualaid.tenancy.models import Organisation, OrganisationKind, Role
from stats import access, dashboards, documents, selectors, services, tables
from stats.forms import PrepareForm, ReturnSettingsForm, SendBackForm, SubmitForm
from stats.models import StatisticalReturn

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _post_only(request):
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


def _download(path, filename: str, content_type: str) -> FileResponse:
    handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    path.unlink()  # the open handle keeps the bytes until the response is sent
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _tabs(request, node: Organisation) -> list[dict]:
    actor = request.actor
    tabs = [
        {
            "key": "overview",
            "label": _("Overview"),
            "url": reverse("stats:dashboard", args=[node.pk]),
        },
        {"key": "claims", "label": _("Claims"), "url": reverse("stats:claims", args=[node.pk])},
        {
            "key": "coverage",
            "label": _("Coverage"),
            "url": reverse("stats:coverage", args=[node.pk]),
        },
        {
            "key": "blank_spots",
            "label": _("Blank spots"),
            "url": reverse("stats:blank_spots", args=[node.pk]),
        },
    ]
    if actor.has_role(*access.RETURN_READERS):
        tabs.append(
            {"key": "returns", "label": _("Monthly returns"), "url": reverse("stats:return_list")}
        )
    if actor.has_role(*access.FUND_READERS):
        tabs.append(
            {"key": "fund", "label": _("Fund statements"), "url": reverse("stats:fund_list")}
        )
    return tabs


def _node_context(request, node: Organisation) -> dict:
    """The path from the actor's node down to this one (the actor never climbs above theirs),
    and the node's children to drill into."""
    actor = request.actor
    chain = [n for n in node.ancestry() if n.depth >= actor.organisation.depth]
    children = []
    if node.kind != OrganisationKind.UNIT:
        children = list(
            Organisation.objects.filter(
                tenant_id=node.tenant_id, path__startswith=node.path, depth=node.depth + 1
            )
            .order_by("path")
            .only("id", "name", "path")[:200]
        )
    return {"node": node, "chain": chain, "children": children, "tabs": _tabs(request, node)}


# --- Dashboards ----------------------------------------------------------------------------------


@staff_required()
def index(request):
    return redirect("stats:dashboard", request.actor.organisation.pk)


def _dashboard(request, organisation_id, page: str):
    node = access.access_node(request.actor, organisation_id)
    board = dashboards.build(node=node, page=page, year_param=request.GET.get("year"))
    context = {
        **_node_context(request, node),
        "board": board,
        "page": page,
        "can_refresh": request.actor.has_role(*access.REFRESHERS),
        "year_choices": board.year_choices,
        "drill_view": {"overview": "stats:dashboard", "claims": "stats:claims"}.get(
            page, "stats:coverage"
        ),
    }
    return render(request, f"stats/dashboard_{page}.html", context)


@staff_required()
def dashboard(request, organisation_id):
    return _dashboard(request, organisation_id, "overview")


@staff_required()
def claims(request, organisation_id):
    return _dashboard(request, organisation_id, "claims")


@staff_required()
def coverage(request, organisation_id):
    return _dashboard(request, organisation_id, "coverage")


@staff_required()
def table_xlsx(request, organisation_id, table):
    node = access.access_node(request.actor, organisation_id)
    page = dashboards.TABLE_PAGES.get(table)
    if page is None:
        raise Http404
    board = dashboards.build(node=node, page=page, year_param=request.GET.get("year"))
    found = board.table(table)
    if found is None:
        raise Http404
    year = "" if page == "coverage" else f" {board.year}"
    title = f"{found.title} · {node.name}{year}"
    path = tables.write_xlsx(
        columns=found.columns, rows=found.rows, total=found.total, title=title, sheet=found.title
    )
    return _download(path, f"{found.title}-{node.name}{year.replace(' ', '-')}.xlsx", XLSX)


@staff_required()
def blank_spots(request, organisation_id):
    node = access.access_node(request.actor, organisation_id)
    page = selectors.blank_spot_page(node=node, after=request.GET.get("after"))
    context = {
        **_node_context(request, node),
        "page": "blank_spots",
        "spots": page,
        "refresh": selectors.last_refresh(tenant_id=node.tenant_id),
        "total": selectors.coverage(node=node, breakdown=False).total,
    }
    return render(request, "stats/blank_spots.html", context)


@staff_required()
def blank_spots_xlsx(request, organisation_id):
    node = access.access_node(request.actor, organisation_id)
    refresh = selectors.last_refresh(tenant_id=node.tenant_id)
    day = refresh.as_of.isoformat() if refresh else ""
    title = _("Blank spots") + f" · {node.name} · {day}"
    path = tables.write_xlsx(
        columns=tables.blank_spot_columns(),
        rows=selectors.blank_spot_rows(node=node),
        title=title,
        sheet=_("Blank spots"),
    )
    return _download(
        path, _("Blank spots-%(node)s-%(day)s.xlsx") % {"node": node.name, "day": day}, XLSX
    )


@staff_required(*access.REFRESHERS)
def refresh(request):
    if refused := _post_only(request):
        return refused
    try:
        job = services.refresh_request(actor=request.actor)
    except PermissionDenied as error:
        raise PermissionDenied(str(error)) from None
    messages.info(
        request,
        _("The statistics are being rebuilt; the pages show the new figures when it is done."),
    )
    return redirect("jobs:status", job.pk)


# --- Fund statements ----------------------------------------------------------------------------


@staff_required(*access.FUND_READERS)
def fund_list(request):
    plans = list(access.fund_plans(actor=request.actor).order_by("code"))
    rows = [{"plan": plan, "years": selectors.fund_years(plan=plan)} for plan in plans]
    return render(
        request,
        "stats/fund_list.html",
        {
            "rows": rows,
            "tabs": _tabs(request, request.actor.organisation),
            "page": "fund",
            "node": request.actor.organisation,
        },
    )


def _statement(request, plan_id, year):
    plan = access.access_fund_plan(request.actor, plan_id)
    statement = documents.statement_for(plan=plan, year=year)
    if statement is None:
        raise Http404
    return plan, statement


@staff_required(*access.FUND_READERS)
def fund_statement(request, plan_id, year):
    plan, statement = _statement(request, plan_id, year)
    context = {
        **documents.statement_context(plan=plan, statement=statement),
        "tabs": _tabs(request, request.actor.organisation),
        "page": "fund",
        "node": request.actor.organisation,
    }
    return render(request, "stats/fund_statement.html", context)


@staff_required(*access.FUND_READERS)
def fund_statement_pdf(request, plan_id, year):
    plan, statement = _statement(request, plan_id, year)
    response = HttpResponse(
        documents.statement_pdf(plan=plan, statement=statement), content_type="application/pdf"
    )
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(documents.statement_filename(plan, year, 'pdf'))}"
    )
    return response


@staff_required(*access.FUND_READERS)
def fund_statement_xlsx(request, plan_id, year):
    plan, statement = _statement(request, plan_id, year)
    path = documents.statement_xlsx(plan=plan, statement=statement)
    return _download(path, documents.statement_filename(plan, year, "xlsx"), XLSX)


# --- Monthly returns ----------------------------------------------------------------------------


@staff_required(*access.RETURN_READERS)
def return_list(request):
    actor = request.actor
    returns = list(
        StatisticalReturn.objects.for_actor(actor)
        .select_related("organisation")
        .order_by("-year", "-month", "organisation__path")[:240]
    )
    can_prepare = (
        actor.has_role(*access.RETURN_FILERS) and actor.organisation.kind in services.FILING_KINDS
    )
    today = timezone.localdate()
    return render(
        request,
        "stats/return_list.html",
        {
            "returns": returns,
            "late": [r for r in returns if r.overdue],
            "tabs": _tabs(request, actor.organisation),
            "page": "returns",
            "node": actor.organisation,
            "can_prepare": can_prepare,
            "prepare_form": PrepareForm(
                initial={"month": "{:04d}-{:02d}".format(*services.previous_month(today))}
            ),
            "rule": services.settings_for(actor.tenant.pk),
            "can_configure": actor.has_role(Role.OFFICE_ADMIN) and actor.organisation.depth == 1,
        },
    )


@staff_required(*access.RETURN_FILERS)
def return_prepare(request):
    if refused := _post_only(request):
        return refused
    form = PrepareForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("month", [])))
        return redirect("stats:return_list")
    year, month = form.cleaned_data["month"]
    try:
        ret = services.return_prepare(
            actor=request.actor, organisation=request.actor.organisation, year=year, month=month
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("stats:return_list")
    return redirect("stats:return_detail", ret.pk)


def _return_page(request, ret, *, submit_form=None, send_back_form=None, status=200):
    actor = request.actor
    files = services._files(actor, ret)
    reviews = services._reviews(actor, ret)
    return render(
        request,
        "stats/return_detail.html",
        {
            "ret": ret,
            "lines": documents.return_lines(ret.figures),
            "coverage_lines": documents.return_coverage_lines(ret.figures),
            "can_edit": files and ret.is_open,
            "can_review": reviews and ret.status == "submitted",
            "submit_form": submit_form or SubmitForm(initial={"remarks": ret.remarks}),
            "send_back_form": send_back_form or SendBackForm(),
            "tabs": _tabs(request, actor.organisation),
            "page": "returns",
            "node": actor.organisation,
        },
        status=status,
    )


@staff_required(*access.RETURN_READERS)
def return_detail(request, return_id):
    ret = access.access_return(request.actor, return_id)
    return _return_page(request, ret)


@staff_required(*access.RETURN_READERS)
def return_xlsx(request, return_id):
    ret = access.access_return(request.actor, return_id)
    path = documents.return_xlsx(ret)
    return _download(
        path,
        _("Monthly return-%(node)s-%(period)s.xlsx")
        % {"node": ret.organisation.name, "period": ret.period_label},
        XLSX,
    )


@staff_required(*access.RETURN_FILERS)
def return_refill(request, return_id):
    ret = access.access_return(request.actor, return_id)
    if refused := _post_only(request):
        return refused
    try:
        services.return_refill(actor=request.actor, ret=ret)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("The figures were filled again from the latest statistics."))
    return redirect("stats:return_detail", ret.pk)


@staff_required(*access.RETURN_FILERS)
def return_submit(request, return_id):
    ret = access.access_return(request.actor, return_id)
    if refused := _post_only(request):
        return refused
    form = SubmitForm(request.POST)
    if form.is_valid():
        try:
            services.return_submit(
                actor=request.actor,
                ret=ret,
                remarks=form.cleaned_data["remarks"],
                reviewed=form.cleaned_data["reviewed"],
            )
        except ValidationError as error:
            bind_to_form(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The return was submitted to the office."))
            return redirect("stats:return_detail", ret.pk)
    return _return_page(request, ret, submit_form=form, status=400)


@staff_required(*access.RETURN_REVIEWERS)
def return_accept(request, return_id):
    ret = access.access_return(request.actor, return_id)
    if refused := _post_only(request):
        return refused
    try:
        services.return_accept(actor=request.actor, ret=ret)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("The return was accepted."))
    return redirect("stats:return_detail", ret.pk)


@staff_required(*access.RETURN_REVIEWERS)
def return_send_back(request, return_id):
    ret = access.access_return(request.actor, return_id)
    if refused := _post_only(request):
        return refused
    form = SendBackForm(request.POST)
    if form.is_valid():
        try:
            services.return_send_back(
                actor=request.actor, ret=ret, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            bind_to_form(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The return was sent back to the city."))
            return redirect("stats:return_detail", ret.pk)
    return _return_page(request, ret, send_back_form=form, status=400)


@staff_required(Role.OFFICE_ADMIN)
def return_settings(request):
    actor = request.actor
    current = services.settings_for(actor.tenant.pk)
    form = ReturnSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.return_settings_update(actor=actor, **form.cleaned_data)
        except ValidationError as error:
            bind_to_form(form, error)
        except PermissionDenied as error:
            raise PermissionDenied(str(error)) from None
        else:
            messages.success(request, _("The rules for monthly returns were saved."))
            return redirect("stats:return_list")
    today = timezone.localdate()
    example = services.due_date(
        calendar=work_calendar_for(actor.tenant),
        year=today.year,
        month=today.month,
        working_day=current.due_working_day,
    )
    return render(
        request,
        "stats/return_settings.html",
        {
            "form": form,
            "example": example,
            "tabs": _tabs(request, actor.organisation),
            "page": "returns",
            "node": actor.organisation,
        },
        status=400 if request.method == "POST" else 200,
    )
