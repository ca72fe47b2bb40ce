"""Claims and payout batches in the Django admin: read-only and scoped like the pages.

Every step of a claim (report, application, decision, batch, payment) needs its checks,
its audit event and often a second person, so it happens on the claim and batch pages
(or the API), never by editing a row here. The admin lets back-office power users find
and read rows across their subtree; documents are listed by name only (their bytes are
read through the scoped claim page), and a batch's lines are on the batch page, which
pages them (a batch may hold 10,000). The payee's account is masked for roles that do not
pay (mutualaid.tenancy.access).
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from claims.models import Claim, ClaimDecision, ClaimDocument, IncidentReport, PayoutBatch
from mutualaid.core.cleaning import mask_bank_account
from mutualaid.tenancy.access import may_see_bank_accounts
from mutualaid.tenancy.admin_base import ReadOnlyAdmin
from mutualaid.tenancy.scoping import actor_for


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DecisionInline(_ReadOnlyInline):
    model = ClaimDecision
    fields = ["at", "action", "from_status", "to_status", "amount", "actor", "reason"]


class DocumentInline(_ReadOnlyInline):
    model = ClaimDocument
    fields = ["kind", "original_name", "content_type", "size", "uploaded_by", "uploaded_at"]


@admin.register(IncidentReport)
class IncidentReportAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "member",
        "unit_name",
        "event_kind",
        "event_date",
        "deadline",
        "late",
        "status",
    ]
    list_filter = ["status", "late"]
    list_select_related = ["member", "organisation"]
    search_fields = ["=number"]
    show_full_result_count = False
    date_hierarchy = "event_date"
    raw_id_fields = ["member", "plan"]

    @admin.display(description=_("unit"))
    def unit_name(self, obj):
        return obj.organisation.name


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "member",
        "unit_name",
        "plan",
        "event_kind",
        "status",
        "assessed_amount",
        "approved_amount",
        "paid_amount",
        "payout_due",
    ]
    list_filter = ["status", "near_limit", "needs_four_eyes"]
    list_select_related = ["member", "organisation", "plan"]
    search_fields = ["=number"]
    show_full_result_count = False
    date_hierarchy = "event_date"
    exclude = ["policy", "report"]
    inlines = [DocumentInline, DecisionInline]

    @admin.display(description=_("unit"))
    def unit_name(self, obj):
        return obj.organisation.name

    @admin.display(description=_("account number"))
    def masked_bank_account(self, obj):
        return mask_bank_account(obj.bank_account)

    def _account_hidden(self, request) -> bool:
        return not may_see_bank_accounts(actor_for(request.user))

    def get_exclude(self, request, obj=None):
        exclude = list(self.exclude)
        return [*exclude, "bank_account"] if self._account_hidden(request) else exclude

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "masked_bank_account"] if self._account_hidden(request) else readonly


@admin.register(PayoutBatch)
class PayoutBatchAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "built_at",
        "built_by",
        "line_count",
        "total",
        "status",
        "approved_by",
    ]
    list_filter = ["status"]
    list_select_related = ["built_by", "approved_by"]
    search_fields = ["=number"]
    show_full_result_count = False
    date_hierarchy = "built_at"
