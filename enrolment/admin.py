"""Enrolments, rosters and policies in the Django admin: scoped like the pages.

Steps happen on the enrolment pages (they need their forms and checks), so enrolments
and policies are read-only here. Roster lines may be added, changed and removed by
those who may edit the roster: every change runs the enrolment rules and the services,
so the admin refuses what the form, the API and the upload refuse, with the same words.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from enrolment import access
from enrolment.forms import add_line_errors
from enrolment.models import Enrolment, EnrolmentLine, Policy, ShareTranche, StatusChange
from enrolment.services import lines
from mutualaid.core.errors import bind_to_form
from mutualaid.tenancy.admin_base import ReadOnlyAdmin, ScopedAdmin
from mutualaid.tenancy.scoping import actor_for


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    fields = ["at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
    list_display = [
        "unit_name",
        "plan",
        "kind",
        "status",
        "state_today",
        "start_date",
        "member_count",
        "premium_total",
    ]
    list_filter = ["status", "kind"]
    list_select_related = ["organisation", "plan"]
    search_fields = ["organisation__name"]
    show_full_result_count = False
    date_hierarchy = "start_date"
    inlines = [StatusChangeInline]

    @admin.display(description=_("unit"))
    def unit_name(self, obj):
        return obj.organisation.name

    @admin.display(description=_("state today"))
    def state_today(self, obj):
        return obj.state_label


class LineAdminForm(forms.ModelForm):
    shares = forms.CharField(label=_("Shares"), max_length=10, required=False)

    class Meta:
        model = EnrolmentLine
        fields = ["enrolment", "member", "shares", "tier"]

    actor = None

    def _post_clean(self):
        pass  # the enrolment rules in clean() replace the model's own validation

    def clean(self):
        data = super().clean()
        adding = self.instance.pk is None
        enrolment = data.get("enrolment") if adding else self.instance.enrolment
        member = data.get("member") if adding else self.instance.member
        if enrolment is None or member is None or self.actor is None:
            return data
        check = lines.line_check if adding else lines.line_update_check
        try:
            errors = check(
                actor=self.actor,
                enrolment=enrolment,
                member=member,
                shares=data.get("shares"),
                tier=data.get("tier") or "",
            )
        except ValidationError as error:
            bind_to_form(self, error)
        else:
            add_line_errors(self, errors)
        return data


@admin.register(EnrolmentLine)
class EnrolmentLineAdmin(ScopedAdmin):
    form = LineAdminForm
    list_display = ["member", "enrolment", "shares", "tier", "premium", "status"]
    list_filter = ["status"]
    list_select_related = ["member", "enrolment__organisation", "enrolment__plan"]
    raw_id_fields = ["enrolment", "member"]
    show_full_result_count = False
    actions = None  # a bulk delete would skip the service

    def get_readonly_fields(self, request, obj=None):
        return ["enrolment", "member"] if obj is not None else []

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type("ScopedLineAdminForm", (form,), {"actor": actor_for(request.user)})

    def _may_edit(self, request, obj) -> bool:
        actor = actor_for(request.user)
        if actor is None or not access.can_draft(actor):
            return False
        return obj is None or (
            obj.enrolment.is_editable and access.can_draft(actor, obj.enrolment.organisation)
        )

    def has_add_permission(self, request):
        return self._may_edit(request, None)

    def has_change_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def save_model(self, request, obj, form, change):
        actor = actor_for(request.user)
        data = form.cleaned_data
        if change:
            line = lines.line_update(
                actor=actor,
                enrolment=obj.enrolment,
                member=obj.member,
                shares=data.get("shares"),
                tier=data.get("tier") or "",
            )
        else:
            line = lines.line_add(
                actor=actor,
                enrolment=data["enrolment"],
                member=data["member"],
                shares=data.get("shares"),
                tier=data.get("tier") or "",
            )
        for model_field in line._meta.concrete_fields:  # the admin logs and redirects with obj
            setattr(obj, model_field.attname, getattr(line, model_field.attname))

    def delete_model(self, request, obj):
        lines.line_remove(actor=actor_for(request.user), enrolment=obj.enrolment, member=obj.member)


class TrancheInline(admin.TabularInline):
    model = ShareTranche
    fields = ["shares", "start", "waiting_end"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Policy)
class PolicyAdmin(ReadOnlyAdmin):
    list_display = ["member", "plan", "start", "end", "shares", "status", "state_today", "ended_on"]
    list_filter = ["status"]
    list_select_related = ["member", "plan"]
    show_full_result_count = False
    date_hierarchy = "start"
    inlines = [TrancheInline]

    @admin.display(description=_("state today"))
    def state_today(self, obj):
        return obj.state_label
