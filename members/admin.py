"""Units and members in the Django admin: scoped like the pages, checked and saved by services.

Adding goes through the pages (a unit is a node of the tree; a member needs a unit),
and nothing is deleted here (members carry policies and claims). Changes run the same
validation functions and services as the pages, so they are checked and audited alike.
ID numbers are masked for roles that do not see whole numbers (members.access), and a
unit's bank account for roles that do not pay (mutualaid.tenancy.access): for them the
field is a masked line, and saving keeps the stored account.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from members import services
from members.access import can_manage_members, display_id_number, may_see_full_id_number
from members.models import Member, MemberTransfer, Unit
from members.selectors import member_search_filter
from mutualaid.core.cleaning import mask_bank_account
from mutualaid.core.errors import bind_to_form
from mutualaid.tenancy.access import can_manage_units, may_see_bank_accounts
from mutualaid.tenancy.admin_base import ReadOnlyAdmin, ScopedAdmin
from mutualaid.tenancy.scoping import actor_for


class _ServiceCheckedForm(forms.ModelForm):
    """A model form whose values are judged by a service check, not by model validation
    (the services normalise first: a pasted ID with spaces is fine, its raw form is not)."""

    def _post_clean(self):
        pass  # the service check in clean() replaces the model's own validation


class UnitAdminForm(_ServiceCheckedForm):
    credit_code = forms.CharField(
        label=_("Unified social credit code"), max_length=40, required=False
    )
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    bank_account = forms.CharField(label=_("Bank account"), max_length=60, required=False)

    class Meta:
        model = Unit
        fields = services.UNIT_FIELDS

    def clean(self):
        data = super().clean()
        try:
            services.check_unit_fields(**{name: data.get(name) for name in services.UNIT_FIELDS})
        except ValidationError as error:
            bind_to_form(self, error)
        return data


class MemberAdminForm(_ServiceCheckedForm):
    name = forms.CharField(label=_("Full name"), max_length=100, required=False)
    id_number = forms.CharField(label=_("ID number"), max_length=60, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)

    class Meta:
        model = Member
        fields = ["name", "id_number", "phone", "category", "employment_status", "is_union_member"]

    def clean(self):
        data = super().clean()
        try:
            services.check_member_fields(
                name=data.get("name"),
                phone=data.get("phone"),
                category=data.get("category"),
                employment_status=data.get("employment_status"),
                id_number=data.get("id_number") if "id_number" in self.fields else None,
            )
        except ValidationError as error:
            bind_to_form(self, error)
        return data


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    form = UnitAdminForm
    list_display = ["name", "credit_code", "ownership", "industry", "union_member_count"]
    list_filter = ["ownership", "industry"]
    search_fields = ["organisation__name", "=credit_code"]
    list_select_related = ["organisation"]
    readonly_fields = ["organisation", "created_at", "updated_at"]
    fields = ["organisation", *services.UNIT_FIELDS, "created_at", "updated_at"]
    show_full_result_count = False

    @admin.display(description=_("name"), ordering="organisation__name")
    def name(self, obj):
        return obj.organisation.name

    @admin.display(description=_("Bank account"))
    def masked_bank_account(self, obj):
        return mask_bank_account(obj.bank_account)

    def _account_hidden(self, request) -> bool:
        return not may_see_bank_accounts(actor_for(request.user))

    def get_fields(self, request, obj=None):
        fields = list(self.fields)
        if self._account_hidden(request):
            fields[fields.index("bank_account")] = "masked_bank_account"
        return fields

    def get_readonly_fields(self, request, obj=None):
        readonly = list(self.readonly_fields)
        if self._account_hidden(request):
            readonly.append("masked_bank_account")
        return readonly

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if self._account_hidden(request):
            # ``exclude`` does not drop a declared field; shadowing it with None does.
            form = type("MaskedUnitAdminForm", (form,), {"bank_account": None})
        return form

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        actor = actor_for(request.user)
        if actor is None or not can_manage_units(actor):
            return False
        return obj is None or can_manage_units(actor, obj.organisation)

    def save_model(self, request, obj, form, change):
        # ``obj`` carries the form's raw values only if _post_clean ran; we never let it.
        unit = Unit.objects.select_related("organisation").get(pk=obj.pk)
        data = {name: form.cleaned_data.get(name) for name in services.UNIT_FIELDS}
        if "bank_account" not in form.cleaned_data:  # hidden from this user: kept
            data["bank_account"] = unit.bank_account
        services.unit_update(
            actor=actor_for(request.user),
            unit=unit,
            name=unit.organisation.name,
            code=unit.organisation.code,
            **data,
        )


def _shown_id_number(request):
    """A per-request column/field showing the ID number as this user may see it.

    Built per request (and kept on it) because the admin instance is shared between
    requests and the answer depends on who is asking."""
    shown = getattr(request, "_members_shown_id_number", None)
    if shown is None:
        actor = actor_for(request.user)

        def shown(obj):
            return display_id_number(obj, actor) if actor is not None else obj.masked_id_number

        shown.short_description = _("ID number")
        request._members_shown_id_number = shown
    return shown


@admin.register(Member)
class MemberAdmin(ScopedAdmin):
    form = MemberAdminForm
    list_filter = ["category", "employment_status", "sex"]
    search_fields = ["name"]  # see get_search_results
    list_select_related = ["organisation"]
    readonly_fields = ["unit", "sex", "birth_date", "created_at", "updated_at"]
    show_full_result_count = False

    @admin.display(description=_("unit"))
    def unit_name(self, obj):
        return obj.organisation.name

    def get_list_display(self, request):
        return [
            "name",
            _shown_id_number(request),
            "sex",
            "birth_date",
            "category",
            "employment_status",
            "unit_name",
        ]

    def get_search_results(self, request, queryset, search_term):
        # The pages' search: a whole ID number exactly, or the start of a name (on the index).
        if not search_term.strip():
            return queryset, False
        return queryset.filter(member_search_filter(search_term)), False

    def _masked_for(self, request, obj) -> bool:
        actor = actor_for(request.user)
        return obj is not None and (actor is None or not may_see_full_id_number(actor, obj))

    def get_fields(self, request, obj=None):
        fields = [
            "name",
            "id_number",
            "phone",
            "category",
            "employment_status",
            "is_union_member",
            "unit",
            "sex",
            "birth_date",
            "created_at",
            "updated_at",
        ]
        if self._masked_for(request, obj):
            fields[1] = _shown_id_number(request)
        return fields

    def get_readonly_fields(self, request, obj=None):
        readonly = list(self.readonly_fields)
        if self._masked_for(request, obj):
            readonly.append(_shown_id_number(request))
        return readonly

    def get_exclude(self, request, obj=None):
        return ["id_number"] if self._masked_for(request, obj) else None

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if self._masked_for(request, obj):
            # ``exclude`` does not drop a declared field; shadowing it with None does.
            form = type("MaskedMemberAdminForm", (form,), {"id_number": None})
        return form

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        actor = actor_for(request.user)
        if actor is None or not can_manage_members(actor):
            return False
        return obj is None or can_manage_members(actor, obj.unit)

    def save_model(self, request, obj, form, change):
        member = Member.objects.select_related("unit__organisation", "organisation").get(pk=obj.pk)
        data = {
            name: form.cleaned_data.get(name)
            for name in ("name", "phone", "category", "employment_status", "is_union_member")
        }
        if "id_number" in form.cleaned_data:
            data["id_number"] = form.cleaned_data["id_number"]
        services.member_update(actor=actor_for(request.user), member=member, **data)


@admin.register(MemberTransfer)
class MemberTransferAdmin(ReadOnlyAdmin):
    """History: written by the transfer service only."""

    list_display = ["member", "from_unit", "to_unit", "date", "actor"]
    list_select_related = ["member", "from_unit__organisation", "to_unit__organisation", "actor"]
    date_hierarchy = "date"
