"""Unit and member pages: thin, scoped, keyset paged."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from members import selectors, services
from members.access import (
    MEMBER_MANAGERS,
    access_member,
    access_unit,
    access_unit_parent,
    can_manage_members,
    display_id_number,
    may_see_full_id_number,
)
from members.extensions import member_page_context
from members.forms import MemberForm, TransferForm, UnitForm
from mutualaid.core.errors import bind_to_form
from mutualaid.tenancy.access import (
    UNIT_MANAGERS,
    can_manage_units,
    may_see_bank_accounts,
    shown_bank_account,
    staff_required,
)

GET_POST = require_http_methods(["GET", "POST"])


def _unit_initial(unit) -> dict:
    return {
        "name": unit.organisation.name,
        "code": unit.organisation.code,
        "credit_code": unit.credit_code,
        "ownership": unit.ownership,
        "industry": unit.industry,
        "union_member_count": unit.union_member_count,
        "contact_name": unit.contact_name,
        "contact_phone": unit.contact_phone,
        "bank_name": unit.bank_name,
        "bank_account": unit.bank_account,
    }


# --- Units ----------------------------------------------------------------------------------


@staff_required()
def unit_list(request):
    actor = request.actor
    query = request.GET.get("q", "").strip()
    page = selectors.unit_page(actor=actor, query=query, after=request.GET.get("after"))
    return render(
        request,
        "members/unit_list.html",
        {
            "page": page,
            "q": query,
            "can_create": can_manage_units(actor),
        },
    )


@staff_required()
def unit_detail(request, unit_id):
    actor = request.actor
    unit = access_unit(actor, unit_id)
    count, capped = selectors.unit_member_count(unit=unit)
    return render(
        request,
        "members/unit_detail.html",
        {
            "unit": unit,
            "bank_account": shown_bank_account(unit.bank_account, actor),
            "chain": unit.organisation.ancestry(),
            "member_count": count,
            "member_count_capped": capped,
            "can_edit": can_manage_units(actor, unit.organisation),
            "can_add_members": can_manage_members(actor, unit),
        },
    )


@GET_POST
@staff_required(*UNIT_MANAGERS)
def unit_create(request):
    actor = request.actor
    initial = {}
    if request.method == "GET" and request.GET.get("parent"):
        initial["parent"] = access_unit_parent(actor, request.GET["parent"])
    form = UnitForm(
        request.POST or None, parents=selectors.unit_parent_choices(actor=actor), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(actor=actor, **form.cleaned_data)
        except ValidationError as error:
            bind_to_form(form, error)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": unit.organisation.name})
            return redirect("members:unit_detail", unit_id=unit.pk)
    return render(request, "members/unit_form.html", {"form": form})


@GET_POST
@staff_required(*UNIT_MANAGERS)
def unit_edit(request, unit_id):
    actor = request.actor
    unit = access_unit(actor, unit_id)
    form = UnitForm(
        request.POST or None,
        initial=_unit_initial(unit),
        # A cadre edits the registration without reading the account (SPEC §2 roles).
        account_on_file=None if may_see_bank_accounts(actor) else unit.bank_account,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(actor=actor, unit=unit, **form.cleaned_data)
        except ValidationError as error:
            bind_to_form(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("members:unit_detail", unit_id=unit.pk)
    return render(request, "members/unit_form.html", {"form": form, "unit": unit})


# --- Members --------------------------------------------------------------------------------


def _with_shown_ids(rows, actor):
    for member in rows:
        member.shown_id_number = display_id_number(member, actor)
    return rows


@staff_required()
def member_search(request):
    """Members across the actor's subtree: by a whole ID number, or the start of a name."""
    actor = request.actor
    query = request.GET.get("q", "").strip()
    page = selectors.member_page(actor=actor, query=query, after=request.GET.get("after"))
    _with_shown_ids(page.rows, actor)
    return render(request, "members/member_list.html", {"page": page, "q": query, "unit": None})


@staff_required()
def unit_members(request, unit_id):
    actor = request.actor
    unit = access_unit(actor, unit_id)
    query = request.GET.get("q", "").strip()
    page = selectors.member_page(
        actor=actor, unit=unit, query=query, after=request.GET.get("after")
    )
    _with_shown_ids(page.rows, actor)
    return render(
        request,
        "members/member_list.html",
        {
            "page": page,
            "q": query,
            "unit": unit,
            "can_add": can_manage_members(actor, unit),
        },
    )


@staff_required()
def member_detail(request, member_id):
    actor = request.actor
    member = access_member(actor, member_id)
    transfers = list(selectors.member_transfers(actor=actor, member=member))
    return render(
        request,
        "members/member_detail.html",
        {
            "member": member,
            "shown_id_number": display_id_number(member, actor),
            "transfers": transfers,
            "can_edit": can_manage_members(actor, member.unit),
            "can_transfer": actor.has_role(*MEMBER_MANAGERS),
            # The cover (enrolment) and whether an incident may be reported (claims).
            **member_page_context(actor=actor, member=member),
        },
    )


@GET_POST
@staff_required(*MEMBER_MANAGERS)
def member_create(request, unit_id):
    actor = request.actor
    unit = access_unit(actor, unit_id)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.member_create(actor=actor, unit=unit, **form.cleaned_data)
        except ValidationError as error:
            bind_to_form(form, error)
        else:
            messages.success(request, _("%(name)s was registered.") % {"name": member.name})
            if "save_and_add" in request.POST:
                return redirect("members:member_create", unit_id=unit.pk)
            return redirect("members:member_detail", member_id=member.pk)
    return render(request, "members/member_form.html", {"form": form, "unit": unit})


@GET_POST
@staff_required(*MEMBER_MANAGERS)
def member_edit(request, member_id):
    actor = request.actor
    member = access_member(actor, member_id)
    with_id = may_see_full_id_number(actor, member)
    initial = {
        "name": member.name,
        "phone": member.phone,
        "category": member.category,
        "employment_status": member.employment_status,
        "is_union_member": member.is_union_member,
    }
    if with_id:
        initial["id_number"] = member.id_number
    form = MemberForm(request.POST or None, initial=initial, with_id_number=with_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(actor=actor, member=member, **form.cleaned_data)
        except ValidationError as error:
            bind_to_form(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("members:member_detail", member_id=member.pk)
    return render(
        request,
        "members/member_form.html",
        {
            "form": form,
            "member": member,
            "unit": member.unit,
            "with_id": with_id,
            "shown_id_number": display_id_number(member, actor),
        },
    )


@GET_POST
@staff_required(*MEMBER_MANAGERS)
def member_transfer(request, member_id):
    actor = request.actor
    member = access_member(actor, member_id)
    units = selectors.unit_choices(actor=actor).exclude(pk=member.unit_id)
    form = TransferForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_transfer(actor=actor, member=member, **form.cleaned_data)
        except ValidationError as error:
            bind_to_form(form, error)
        else:
            messages.success(request, _("The transfer was recorded."))
            return redirect("members:member_detail", member_id=member.pk)
    return render(request, "members/transfer_form.html", {"form": form, "member": member})
