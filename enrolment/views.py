"""Enrolment pages: thin views over selectors and services.

Every view reaches its enrolment (or policy) through the access helpers first, so an
id outside the actor's subtree answers 404 whatever the method; only then does a
POST-only view answer 405 to a GET. Steps are buttons posting to one URL each; the
services decide whether the actor and the state allow them.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enrolment import access, selectors
from enrolment.forms import (
    EnrolmentForm,
    FollowUpForm,
    LineEditForm,
    LineForm,
    PolicyEndForm,
    ReasonForm,
)
from enrolment.models import EnrolmentKind, EnrolmentStatus, FundingMode
from enrolment.rules import LineError
from enrolment.services import cover, drafts, lines, workflow
from enrolment.services.common import RosterRejected
from enrolment.states import ENROLMENT_STATE_CHOICES
from members.access import access_unit, display_id_number
from members.models import Member
from members.selectors import unit_choices
from mutualaid.core.errors import bind_to_form
from mutualaid.tenancy.access import staff_required
from plans.access import access_plan_filter
from plans.models import Plan
from plans.terms import terms_of

DRAFTERS = access.DRAFTERS

STEP_LABELS = {
    "submit": gettext_lazy("Submit"),
    "check": gettext_lazy("Check and confirm"),
    "accept": gettext_lazy("Accept"),
    "send_back": gettext_lazy("Send back"),
    "cancel": gettext_lazy("Cancel the enrolment"),
}
STEP_DONE = {
    "submit": gettext_lazy("The enrolment was submitted."),
    "check": gettext_lazy("The enrolment was checked."),
    "accept": gettext_lazy("The enrolment was accepted."),
    "send_back": gettext_lazy("The enrolment was sent back to the unit."),
    "cancel": gettext_lazy("The enrolment was cancelled."),
}


def _post_only(request):
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


def _detail_url(enrolment) -> str:
    return reverse("enrolments:detail", args=[enrolment.pk])


def _tiers(enrolment) -> list[tuple[str, str]]:
    terms = terms_of(enrolment.plan_version)
    return [(code, f"{tier.name} (¥{tier.premium})") for code, tier in terms.tiers.items()]


# --- List, create, detail ------------------------------------------------------------------


@staff_required()
def enrolment_list(request):
    actor = request.actor
    # The filter offers the states the list shows (an enrolment in force whose cover has
    # ended is "expired"), so it filters by the state, not the stored status.
    status = request.GET.get("status", "")
    unit = access_unit(actor, request.GET["unit"]) if request.GET.get("unit") else None
    plan = access_plan_filter(actor, request.GET["plan"]) if request.GET.get("plan") else None
    page = selectors.enrolment_page(
        actor=actor, state=status, unit=unit, plan=plan, after=request.GET.get("after")
    )
    keep = {
        k: v
        for k, v in (("status", status), ("unit", unit and unit.pk), ("plan", plan and plan.pk))
        if v
    }
    return render(
        request,
        "enrolment/enrolment_list.html",
        {
            "page": page,
            "status": status,
            "unit": unit,
            "plan": plan,
            "statuses": ENROLMENT_STATE_CHOICES,
            "plans": Plan.objects.for_actor(actor).order_by("code"),
            "keep": keep,
            "can_create": access.can_draft(actor),
        },
    )


@staff_required(*DRAFTERS)
def enrolment_create(request):
    actor = request.actor
    initial = {"start_date": None, "funding_mode": FundingMode.UNION}
    if request.method == "GET" and request.GET.get("unit"):
        initial["unit"] = access_unit(actor, request.GET["unit"])
    form = EnrolmentForm(
        request.POST or None,
        units=unit_choices(actor=actor),
        plans=Plan.objects.for_actor(actor).order_by("code"),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            enrolment = drafts.enrolment_create(actor=actor, **data)
        except ValidationError as error:
            bind_to_form(form, error)
        except PermissionDenied as error:
            form.add_error("unit", str(error))
        else:
            messages.success(request, _("The enrolment was created. Add its members now."))
            return redirect(_detail_url(enrolment))
    return render(request, "enrolment/enrolment_form.html", {"form": form})


def _detail_context(request, enrolment, **extra):
    actor = request.actor
    page = selectors.line_page(enrolment=enrolment, after=request.GET.get("after"))
    for line in page.rows:
        line.shown_id_number = display_id_number(line.member, actor)
    steps = access.allowed_steps(actor, enrolment)
    editable = enrolment.is_editable and access.can_draft(actor, enrolment.organisation)
    return {
        "enrolment": enrolment,
        "page": page,
        "history": list(selectors.enrolment_history(enrolment=enrolment)),
        "buttons": [(s, STEP_LABELS[s]) for s in steps if s not in ("send_back", "cancel")],
        "can_send_back": "send_back" in steps,
        "can_cancel": "cancel" in steps,
        "editable": editable,
        "can_follow_up": enrolment.status == EnrolmentStatus.IN_FORCE
        and access.can_draft(actor, enrolment.organisation),
        "send_back_form": extra.pop("send_back_form", None) or ReasonForm(prefix="send_back"),
        "cancel_form": extra.pop("cancel_form", None) or ReasonForm(prefix="cancel"),
        **extra,
    }


@staff_required()
def enrolment_detail(request, enrolment_id):
    enrolment = access.access_enrolment(request.actor, enrolment_id)
    return render(request, "enrolment/enrolment_detail.html", _detail_context(request, enrolment))


@staff_required(*DRAFTERS)
def enrolment_edit(request, enrolment_id):
    actor = request.actor
    enrolment = access.access_enrolment(actor, enrolment_id)
    if not enrolment.is_editable:
        messages.error(request, _("Only a draft or a sent-back enrolment can be changed."))
        return redirect(_detail_url(enrolment))
    initial = {
        "funding_mode": enrolment.funding_mode,
        "note": enrolment.note,
        **enrolment.party_amounts(),
    }
    form = FollowUpForm(request.POST or None, initial=initial, with_start=False)
    if request.method == "POST" and form.is_valid():
        try:
            drafts.enrolment_update(actor=actor, enrolment=enrolment, **form.cleaned_data)
        except ValidationError as error:
            bind_to_form(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(_detail_url(enrolment))
    return render(
        request,
        "enrolment/follow_up_form.html",
        {"form": form, "enrolment": enrolment, "kind": "edit"},
    )


@staff_required(*DRAFTERS)
def enrolment_follow_up(request, enrolment_id, kind):
    """Prepare the renewal of an enrolment in force, or a mid-term addition to it."""
    actor = request.actor
    previous = access.access_enrolment(actor, enrolment_id)
    with_start = kind == EnrolmentKind.ADDITION
    initial = {"funding_mode": previous.funding_mode}
    form = FollowUpForm(request.POST or None, initial=initial, with_start=with_start)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            enrolment = drafts.enrolment_create(
                actor=actor, unit=previous.unit, kind=kind, previous=previous, **data
            )
        except ValidationError as error:
            bind_to_form(form, error)
        else:
            if kind == EnrolmentKind.RENEWAL:
                messages.success(
                    request,
                    _("The renewal was prepared with %(n)d members.")
                    % {"n": enrolment.member_count},
                )
            return redirect(_detail_url(enrolment))
    return render(
        request,
        "enrolment/follow_up_form.html",
        {"form": form, "enrolment": previous, "kind": kind},
    )


def enrolment_renew(request, enrolment_id):
    return enrolment_follow_up(request, enrolment_id, EnrolmentKind.RENEWAL)


def enrolment_add_members(request, enrolment_id):
    return enrolment_follow_up(request, enrolment_id, EnrolmentKind.ADDITION)


def _step_view(step: str):
    @staff_required()
    def view(request, enrolment_id):
        actor = request.actor
        enrolment = access.access_enrolment(actor, enrolment_id)
        if refused := _post_only(request):
            return refused
        reason = ""
        form = None
        if step in ("send_back", "cancel"):
            form = ReasonForm(request.POST, prefix=step)
            form.is_valid()
            reason = form.cleaned_data.get("reason", "")
        try:
            workflow.enrolment_step(actor=actor, enrolment=enrolment, step=step, reason=reason)
        except PermissionDenied:
            raise
        except ValidationError as error:
            if form is not None and "reason" in getattr(error, "error_dict", {}):
                bind_to_form(form, error)
                context = _detail_context(request, enrolment, **{f"{step}_form": form})
                return render(request, "enrolment/enrolment_detail.html", context, status=400)
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, STEP_DONE[step])
        return redirect(_detail_url(enrolment))

    view.__name__ = f"enrolment_{step}"
    return view


enrolment_submit = _step_view("submit")
enrolment_check = _step_view("check")
enrolment_accept = _step_view("accept")
enrolment_send_back = _step_view("send_back")
enrolment_cancel = _step_view("cancel")


# --- Roster lines --------------------------------------------------------------------------


def _line_data(form) -> dict:
    data = dict(form.cleaned_data)
    data.setdefault("shares", None)
    data.setdefault("tier", "")
    return data


@staff_required(*DRAFTERS)
def line_add(request, enrolment_id):
    """One member by name and ID number (registered now if new), with the instant check."""
    actor = request.actor
    enrolment = access.access_enrolment(actor, enrolment_id)
    if not enrolment.is_editable:
        messages.error(request, _("Only a draft or a sent-back enrolment can be changed."))
        return redirect(_detail_url(enrolment))
    form = LineForm(request.POST or None, tiers=_tiers(enrolment))
    if request.method == "POST" and form.is_valid():
        try:
            line = lines.line_add(actor=actor, enrolment=enrolment, **_line_data(form))
        except ValidationError as error:
            bind_to_form(form, error)
        else:
            messages.success(
                request, _("%(name)s was added to the roster.") % {"name": line.member.name}
            )
            if "save_and_add" in request.POST:
                return redirect("enrolments:line_add", enrolment_id=enrolment.pk)
            return redirect(_detail_url(enrolment))
    return render(request, "enrolment/line_form.html", {"form": form, "enrolment": enrolment})


@staff_required(*DRAFTERS)
def line_check(request, enrolment_id):
    """htmx: the same rules as adding, on the values typed so far; nothing is written."""
    actor = request.actor
    enrolment = access.access_enrolment(actor, enrolment_id)
    if refused := _post_only(request):
        return refused
    form = LineForm(request.POST, tiers=_tiers(enrolment))
    form.is_valid()
    errors = []
    ready = bool(form.cleaned_data.get("id_number")) and bool(
        form.cleaned_data.get("shares") or form.cleaned_data.get("tier")
    )
    if ready:
        try:
            errors = lines.line_check(actor=actor, enrolment=enrolment, **_line_data(form))
        except ValidationError as error:
            errors = [LineError("non_field_errors", "invalid", m) for m in error.messages]
    return render(
        request,
        "enrolment/_line_check.html",
        {"errors": errors, "ready": ready, "labels": {n: f.label for n, f in form.fields.items()}},
    )


@staff_required(*DRAFTERS)
def line_edit(request, enrolment_id, member_id):
    actor = request.actor
    enrolment = access.access_enrolment(actor, enrolment_id)
    line = access.access_line(actor, enrolment, member_id)
    if not enrolment.is_editable:
        messages.error(request, _("Only a draft or a sent-back enrolment can be changed."))
        return redirect(_detail_url(enrolment))
    form = LineEditForm(
        request.POST or None,
        tiers=_tiers(enrolment),
        initial={"shares": line.shares, "tier": line.tier},
    )
    if request.method == "POST" and form.is_valid():
        try:
            lines.line_update(
                actor=actor, enrolment=enrolment, member=line.member, **_line_data(form)
            )
        except ValidationError as error:
            bind_to_form(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(_detail_url(enrolment))
    return render(
        request,
        "enrolment/line_edit.html",
        {
            "form": form,
            "enrolment": enrolment,
            "line": line,
            "shown_id_number": display_id_number(line.member, actor),
        },
    )


@staff_required(*DRAFTERS)
def line_remove(request, enrolment_id, member_id):
    actor = request.actor
    enrolment = access.access_enrolment(actor, enrolment_id)
    line = access.access_line(actor, enrolment, member_id)
    if refused := _post_only(request):
        return refused
    try:
        lines.line_remove(actor=actor, enrolment=enrolment, member=line.member)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("%(name)s was taken off the roster.") % {"name": line.member.name}
        )
    return redirect(_detail_url(enrolment))


@staff_required(*DRAFTERS)
def choose_members(request, enrolment_id):
    """Pick registered members of the unit (keyset paged checkboxes) and add them at once."""
    actor = request.actor
    enrolment = access.access_enrolment(actor, enrolment_id)
    if not enrolment.is_editable:
        messages.error(request, _("Only a draft or a sent-back enrolment can be changed."))
        return redirect(_detail_url(enrolment))
    tiers = _tiers(enrolment)
    form = LineEditForm(request.POST or None, tiers=tiers)
    errors_by_member = {}
    if request.method == "POST" and form.is_valid():
        chosen = request.POST.getlist("member")
        members = list(
            Member.objects.filter(organisation_id=enrolment.organisation_id, pk__in=_uuids(chosen))
        )
        if not members:
            form.add_error(None, _("Tick at least one member."))
        else:
            try:
                report = lines.lines_add_members(
                    actor=actor, enrolment=enrolment, members=members, **_line_data(form)
                )
            except RosterRejected as refused:
                for error in refused.report.errors:
                    errors_by_member.setdefault(members[error.index].pk, []).append(error.message)
                form.add_error(
                    None,
                    _("Nothing was added: %(n)d of the chosen members cannot join (see below).")
                    % {"n": refused.report.invalid},
                )
            except ValidationError as error:
                bind_to_form(form, error)
            else:
                messages.success(
                    request,
                    _("%(n)d members were added to the roster.") % {"n": report.lines_written},
                )
                return redirect(_detail_url(enrolment))
    query = request.GET.get("q", "").strip()
    page = selectors.unit_members_to_choose(
        enrolment=enrolment, query=query, after=request.GET.get("after")
    )
    for member in page.rows:
        member.shown_id_number = display_id_number(member, actor)
        member.problems = errors_by_member.get(member.pk, [])
    return render(
        request,
        "enrolment/choose_members.html",
        {
            "form": form,
            "enrolment": enrolment,
            "page": page,
            "q": query,
            "chosen": set(request.POST.getlist("member")),
        },
    )


def _uuids(values):
    import uuid

    out = []
    for value in values:
        try:
            out.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return out


# --- Policies ------------------------------------------------------------------------------


@staff_required()
def policy_detail(request, policy_id):
    actor = request.actor
    policy = access.access_policy(actor, policy_id)
    form = None
    if access.can_end_policy(actor, policy) and policy.status == "in_force":
        form = PolicyEndForm()
    return render(
        request,
        "enrolment/policy_detail.html",
        {
            "policy": policy,
            "tranches": list(policy.tranches.order_by("start", "id")),
            "shown_id_number": display_id_number(policy.member, actor),
            "form": form,
        },
    )


@staff_required(*access.POLICY_ENDERS)
def policy_end(request, policy_id):
    actor = request.actor
    policy = access.access_policy(actor, policy_id)
    form = PolicyEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cover.policy_end(actor=actor, policy=policy, **form.cleaned_data)
        except ValidationError as error:
            bind_to_form(form, error)
        else:
            messages.success(request, _("The cover was ended."))
            return redirect("enrolments:policy_detail", policy_id=policy.pk)
    return render(
        request,
        "enrolment/policy_end.html",
        {
            "form": form,
            "policy": policy,
            "shown_id_number": display_id_number(policy.member, actor),
        },
    )


def member_cover_context(actor, member) -> dict:
    """For the member page's cover section (members.views): every policy with its tranches."""
    return {"cover": selectors.member_cover(actor=actor, member=member)}
