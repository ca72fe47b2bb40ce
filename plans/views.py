"""Pages of the plan catalogue: thin views over selectors, services and the engine.

Everyone in scope reads plans; office admins (and a city's admins for its local
plans) change them. Write views check the role first (403), then reach the object
through the access helpers (404 for anything out of scope), then ask the service.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mutualaid.core.errors import NON_FIELD, bind_errors, bind_to_form
from mutualaid.tenancy.access import staff_required
from mutualaid.tenancy.models import Role
from plans import describe, selectors, services
from plans.access import access_item, access_plan, access_version
from plans.calculator import assess_version
from plans.forms.calculator import CalculatorForm
from plans.forms.items import FormulaChoiceForm, ItemForm
from plans.forms.params import PARAM_FORMS
from plans.forms.plan import CopyVersionForm, PlanForm, VersionForm
from plans.models import PlanVersion
from plans.rules import FORMULA_LABELS, REASON_LABELS, ReasonCode, fmt_money

ADMIN = Role.OFFICE_ADMIN


def _require_change(actor, plan) -> None:
    if not services.can_change_plan(actor, plan):
        raise PermissionDenied


def _card_url(version: PlanVersion) -> str:
    return reverse("plans:version_detail", args=[version.plan_id, version.pk])


def _refuse_if_frozen(request, version: PlanVersion):
    """A published version is not edited: say so on its card instead."""
    if version.is_editable:
        return None
    messages.error(
        request,
        _(
            "This version is published and cannot be changed. "
            "Copy it to a new version to change the terms."
        ),
    )
    return redirect(_card_url(version))


# --- plans -------------------------------------------------------------------------


@staff_required()
def plan_list(request):
    query = request.GET.get("q", "").strip()
    plans = selectors.plan_list(actor=request.actor, query=query)
    return render(
        request,
        "plans/plan_list.html",
        {
            "plans": plans,
            "q": query,
            "can_create": services.can_create_plans(request.actor),
        },
    )


@staff_required(ADMIN)
def plan_create(request):
    actor = request.actor
    if not services.can_create_plans(actor):
        raise PermissionDenied
    owners = selectors.plan_owner_choices(actor=actor)
    form = PlanForm(request.POST or None, owners=owners, initial={"organisation": owners.first()})
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(actor=actor, **form.cleaned_data)
        except ValidationError as error:
            bind_to_form(form, error)
        else:
            messages.success(request, _("The plan was created. Now add its first version."))
            return redirect("plans:version_create", plan_id=plan.pk)
    return render(request, "plans/plan_form.html", {"form": form})


@staff_required()
def plan_detail(request, plan_id):
    plan = access_plan(request.actor, plan_id)
    versions = list(selectors.version_list(plan=plan))
    in_force = selectors.version_in_force(plan=plan, on_date=timezone.localdate())
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "versions": versions,
            "in_force": in_force,
            "can_change": services.can_change_plan(request.actor, plan),
        },
    )


@staff_required(ADMIN)
def plan_edit(request, plan_id):
    plan = access_plan(request.actor, plan_id)
    _require_change(request.actor, plan)
    initial = {k: getattr(plan, k) for k in ("name", "short_name", "source", "notes")}
    form = PlanForm(request.POST or None, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(actor=request.actor, plan=plan, **form.cleaned_data)
        except ValidationError as error:
            bind_to_form(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("plans:plan_detail", plan_id=plan.pk)
    return render(request, "plans/plan_form.html", {"form": form, "plan": plan})


# --- versions ----------------------------------------------------------------------


def _version_form_page(request, *, plan, version=None):
    base = version.terms if version is not None else {}
    initial = (
        VersionForm.initial_from(version)
        if version is not None
        else {
            "term_months": 12,
            "waiting_days": 0,
            "report_days_default": 10,
            "claim_expiry_months": 12,
            "payout_limit_working_days": 30,
            "renewal_days": 0,
            "mid_term_addition": "prorate_monthly",
            "uniform_shares": True,
        }
    )
    items = [item.to_terms() for item in version.items.order_by("position")] if version else []
    form = VersionForm(request.POST or None, base_terms=base, initial=initial, items=items)
    if request.method == "POST" and form.is_valid():
        data = {
            "label": form.cleaned_data["label"],
            "valid_from": form.cleaned_data["valid_from"],
            "valid_to": form.cleaned_data["valid_to"],
            "terms": form.to_terms(),
            "individual_offer": form.individual_offer(),
        }
        try:
            if version is None:
                version = services.version_create(actor=request.actor, plan=plan, **data)
            else:
                version = services.version_update(actor=request.actor, version=version, **data)
        except services.TermsInvalid as error:
            bind_errors(form, error.errors, form.field_for)
        except ValidationError as error:
            bind_to_form(form, error, form.field_for)
        else:
            messages.success(request, _("Saved."))
            return redirect(_card_url(version))
    return render(
        request, "plans/version_form.html", {"form": form, "plan": plan, "version": version}
    )


@staff_required(ADMIN)
def version_create(request, plan_id):
    plan = access_plan(request.actor, plan_id)
    _require_change(request.actor, plan)
    return _version_form_page(request, plan=plan)


@staff_required(ADMIN)
def version_edit(request, plan_id, version_id):
    version = access_version(request.actor, plan_id, version_id)
    _require_change(request.actor, version.plan)
    if refused := _refuse_if_frozen(request, version):
        return refused
    return _version_form_page(request, plan=version.plan, version=version)


@staff_required()
def version_detail(request, plan_id, version_id):
    """The plan card: every term in plain Chinese, printable like the seed documents."""
    version = access_version(request.actor, plan_id, version_id)
    items = selectors.version_with_items(version=version)
    terms = version.engine_terms(items)
    can_change = services.can_change_plan(request.actor, version.plan)
    problems = {}
    if version.is_editable and can_change:
        problems = services.publication_problems(version)
    return render(
        request,
        "plans/version_detail.html",
        {
            "plan": version.plan,
            "version": version,
            "items": list(zip(items, describe.item_rows(terms), strict=True)),
            "summary": describe.terms_summary(terms),
            "can_change": can_change,
            "problems": problems,
            "today": timezone.localdate(),
        },
    )


@staff_required(ADMIN)
def version_copy(request, plan_id, version_id):
    version = access_version(request.actor, plan_id, version_id)
    _require_change(request.actor, version.plan)
    form = CopyVersionForm(request.POST or None, initial={"label": version.label})
    if request.method == "POST" and form.is_valid():
        try:
            new = services.version_copy(actor=request.actor, version=version, **form.cleaned_data)
        except ValidationError as error:
            bind_to_form(form, error)
        else:
            messages.success(
                request,
                _("A new draft was made from version %(number)s.") % {"number": version.number},
            )
            return redirect(_card_url(new))
    return render(
        request, "plans/version_copy.html", {"form": form, "version": version, "plan": version.plan}
    )


@staff_required(ADMIN)
def version_publish(request, plan_id, version_id):
    version = access_version(request.actor, plan_id, version_id)
    _require_change(request.actor, version.plan)
    if refused := _refuse_if_frozen(request, version):
        return refused
    problems = services.publication_problems(version)
    if request.method == "POST" and not problems:
        try:
            services.version_publish(actor=request.actor, version=version)
        except services.TermsInvalid as error:
            problems = error.errors
        except ValidationError as error:
            problems = (
                error.message_dict if hasattr(error, "error_dict") else {NON_FIELD: error.messages}
            )
        else:
            messages.success(
                request, _("Version %(number)s is published.") % {"number": version.number}
            )
            return redirect(_card_url(version))
    return render(
        request,
        "plans/version_publish.html",
        {"version": version, "plan": version.plan, "problems": problems},
    )


@staff_required(ADMIN)
def version_delete(request, plan_id, version_id):
    version = access_version(request.actor, plan_id, version_id)
    _require_change(request.actor, version.plan)
    if refused := _refuse_if_frozen(request, version):
        return refused
    if request.method == "POST":
        services.version_delete(actor=request.actor, version=version)
        messages.success(request, _("The draft was discarded."))
        return redirect("plans:plan_detail", plan_id=version.plan_id)
    return render(
        request,
        "plans/confirm_delete.html",
        {
            "plan": version.plan,
            "version": version,
            "what": f"{version.label} (v{version.number})",
            "cancel": _card_url(version),
        },
    )


# --- benefit items -----------------------------------------------------------------


def _item_page(request, *, version, item=None):
    terms = version.terms
    conditions = {
        c["code"]: c["name"]
        for c in terms.get("covered_conditions") or ()
        if isinstance(c, dict) and "code" in c
    }
    base_item = item.to_terms() if item is not None else {}
    formula = request.GET.get("formula") or (item.formula if item else "")
    if request.method == "POST":
        formula = request.POST.get("formula", formula)
    initial = ItemForm.initial_from(base_item) if item else {"waiting_applies": True}
    initial["formula"] = formula
    form = ItemForm(
        request.POST or None, conditions=conditions, base_item=base_item, initial=initial
    )
    params_cls = PARAM_FORMS.get(formula)
    params_initial = (
        params_cls.initial_from(item.params)
        if (params_cls and item and item.formula == formula)
        else {}
    )
    params_form = params_cls(request.POST or None, initial=params_initial) if params_cls else None
    if request.method == "POST":
        valid = form.is_valid()
        valid = (params_form.is_valid() if params_form else True) and valid
        if valid:
            data = form.to_item(params_form.to_params() if params_form else {})
            try:
                if item is None:
                    services.item_create(actor=request.actor, version=version, data=data)
                else:
                    services.item_update(actor=request.actor, item=item, data=data)
            except services.TermsInvalid as error:
                own = {k: v for k, v in error.errors.items() if k != "params"}
                bind_errors(form, own, form.field_for)
                if params_form is not None and "params" in error.errors:
                    bind_errors(params_form, {NON_FIELD: error.errors["params"]})
                elif "params" in error.errors:
                    bind_errors(form, {NON_FIELD: error.errors["params"]})
            except ValidationError as error:
                bind_to_form(form, error, form.field_for)
            else:
                messages.success(request, _("Saved."))
                return redirect(_card_url(version))
    return render(
        request,
        "plans/item_form.html",
        {
            "plan": version.plan,
            "version": version,
            "item": item,
            "form": form,
            "params_form": params_form,
            "formula": formula,
            "formula_label": FORMULA_LABELS.get(formula, ""),
            "formula_choice": FormulaChoiceForm(initial={"formula": formula or None}),
        },
    )


@staff_required(ADMIN)
def item_create(request, plan_id, version_id):
    version = access_version(request.actor, plan_id, version_id)
    _require_change(request.actor, version.plan)
    if refused := _refuse_if_frozen(request, version):
        return refused
    return _item_page(request, version=version)


@staff_required(ADMIN)
def item_edit(request, plan_id, version_id, item_id):
    item = access_item(request.actor, plan_id, version_id, item_id)
    _require_change(request.actor, item.version.plan)
    if refused := _refuse_if_frozen(request, item.version):
        return refused
    return _item_page(request, version=item.version, item=item)


@staff_required(ADMIN)
def item_delete(request, plan_id, version_id, item_id):
    item = access_item(request.actor, plan_id, version_id, item_id)
    version = item.version
    _require_change(request.actor, version.plan)
    if refused := _refuse_if_frozen(request, version):
        return refused
    error = None
    if request.method == "POST":
        try:
            services.item_delete(actor=request.actor, item=item)
        except ValidationError as exc:
            error = exc
        else:
            messages.success(request, _("The benefit item was removed."))
            return redirect(_card_url(version))
    return render(
        request,
        "plans/confirm_delete.html",
        {
            "plan": version.plan,
            "version": version,
            "what": item.name,
            "cancel": _card_url(version),
            "error": error,
        },
    )


# --- calculator --------------------------------------------------------------------


@staff_required()
def calculator(request):
    """Pick a version, enter shares, dates and facts, see the assessment. Nothing is stored."""
    actor = request.actor
    versions = selectors.calculator_versions(actor=actor)
    assessment = policy = None
    if request.method == "POST":
        form = CalculatorForm(request.POST, versions=versions)
        if form.is_valid():
            try:
                assessment, policy = assess_version(
                    version=form.cleaned_data["version"],
                    calc=form.to_input(),
                    four_eyes_threshold=actor.tenant.four_eyes_threshold,
                )
            except ValidationError as error:
                bind_to_form(form, error)
    else:
        initial = {"shares": 1}
        initial.update({k: v for k, v in request.GET.items() if v})
        form = CalculatorForm(initial=initial, versions=versions)
    context = {
        "form": form,
        "assessment": assessment,
        "policy": policy,
        "total": fmt_money(assessment.total) if assessment else "",
        "lines": [
            (line, [REASON_LABELS[ReasonCode(r)] for r in line.reasons], fmt_money(line.amount))
            for line in (assessment.lines if assessment else ())
        ],
        "reasons": [
            REASON_LABELS[ReasonCode(r)] for r in (assessment.reasons if assessment else ())
        ],
    }
    template = (
        "plans/_calculator.html" if getattr(request, "htmx", False) else "plans/calculator.html"
    )
    return render(request, template, context)
