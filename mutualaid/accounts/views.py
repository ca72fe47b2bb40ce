"""Organisation tree and user pages: thin views over ``accounts.services``; every object
through an access helper (404 outside the actor's subtree)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from mutualaid.accounts import services
from mutualaid.accounts.forms import OrganisationForm, StaffForm
from mutualaid.core.errors import bind_to_form
from mutualaid.core.paging import keyset_page
from mutualaid.tenancy import selectors
from mutualaid.tenancy.access import (
    access_organisation,
    access_staff,
    can_manage_units,
    staff_required,
)
from mutualaid.tenancy.models import OrganisationKind, Role

LIST_PAGE_SIZE = 100


@staff_required()
def organisation_list(request):
    query = request.GET.get("q", "").strip()
    page = keyset_page(
        selectors.organisation_tree(actor=request.actor, query=query),
        order=("path",),
        after=request.GET.get("after"),
        size=LIST_PAGE_SIZE,
    )
    return render(
        request,
        "tenancy/organisation_list.html",
        {
            "nodes": page.rows,
            "page": page,
            "q": query,
            "can_manage": services.can_manage_tree(request.actor),
        },
    )


@staff_required()
def organisation_detail(request, organisation_id):
    node = access_organisation(request.actor, organisation_id)
    context = {
        "node": node,
        "chain": node.ancestry(),
        "children": selectors.organisation_children(actor=request.actor, node=node),
        "staff": selectors.staff_list(actor=request.actor, organisation=node),
        "can_manage": services.can_manage_tree(request.actor),
        "can_add_child": bool(
            services.ALLOWED_CHILDREN.get(node.kind, set()) - {OrganisationKind.UNIT}
        ),
        "can_add_unit": OrganisationKind.UNIT in services.ALLOWED_CHILDREN.get(node.kind, set())
        and can_manage_units(request.actor, node),
    }
    return render(request, "tenancy/organisation_detail.html", context)


@staff_required(Role.OFFICE_ADMIN)
def organisation_create(request, organisation_id):
    parent = access_organisation(request.actor, organisation_id)
    allowed = services.ALLOWED_CHILDREN.get(parent.kind, set()) - {OrganisationKind.UNIT}
    form = OrganisationForm(request.POST or None, allowed_kinds=allowed)
    if request.method == "POST" and form.is_valid():
        try:
            child = services.organisation_create(
                actor=request.actor, parent=parent, **form.cleaned_data
            )
        except ValidationError as error:
            bind_to_form(form, error)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": child.name})
            return redirect("tenancy:organisation_detail", organisation_id=child.pk)
    return render(request, "tenancy/organisation_form.html", {"form": form, "parent": parent})


@staff_required(Role.OFFICE_ADMIN)
def organisation_edit(request, organisation_id):
    node = access_organisation(request.actor, organisation_id)
    form = OrganisationForm(
        request.POST or None, editing=True, initial={"name": node.name, "code": node.code}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                actor=request.actor, organisation=node, **form.cleaned_data
            )
        except ValidationError as error:
            bind_to_form(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("tenancy:organisation_detail", organisation_id=node.pk)
    return render(request, "tenancy/organisation_form.html", {"form": form, "node": node})


def _grantable(actor):
    return None if actor.has_role(Role.OFFICE_ADMIN) else services.CADRE_GRANTABLE_ROLES


def _manageable_nodes(actor):
    nodes = selectors.organisation_tree(actor=actor)
    if not actor.has_role(Role.OFFICE_ADMIN):
        nodes = nodes.exclude(pk=actor.organisation.pk)
    return nodes


@staff_required(Role.OFFICE_ADMIN, Role.CADRE)
def staff_list(request):
    query = request.GET.get("q", "").strip()
    page = keyset_page(
        selectors.staff_list(actor=request.actor, query=query),
        order=("organisation__path", "user__username"),
        after=request.GET.get("after"),
        size=LIST_PAGE_SIZE,
    )
    return render(request, "tenancy/staff_list.html", {"rows": page.rows, "page": page, "q": query})


@staff_required(Role.OFFICE_ADMIN, Role.CADRE)
def staff_create(request):
    actor = request.actor
    form = StaffForm(
        request.POST or None,
        organisations=_manageable_nodes(actor),
        grantable_roles=_grantable(actor),
    )
    if request.method == "POST" and form.is_valid():
        try:
            staff = services.staff_create(actor=actor, **form.cleaned_data)
        except ValidationError as error:
            bind_to_form(form, error)
        else:
            messages.success(request, _("User %(name)s was created.") % {"name": staff.user})
            return redirect("tenancy:staff_list")
    return render(request, "tenancy/staff_form.html", {"form": form})


@staff_required(Role.OFFICE_ADMIN, Role.CADRE)
def staff_edit(request, user_id):
    actor = request.actor
    staff = access_staff(actor, user_id)
    initial = {
        "display_name": staff.user.display_name,
        "organisation": staff.organisation,
        "roles": staff.roles,
        "is_active": staff.user.is_active,
    }
    form = StaffForm(
        request.POST or None,
        organisations=_manageable_nodes(actor),
        editing=True,
        grantable_roles=_grantable(actor),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_update(actor=actor, staff=staff, **form.cleaned_data)
        except ValidationError as error:
            bind_to_form(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("tenancy:staff_list")
    return render(request, "tenancy/staff_form.html", {"form": form, "staff": staff})
