"""Serializers of the claims API: output shapes, and input that only translates types.

Input serializers take raw text (dates, amounts, accounts, facts as strings or numbers)
and hand it to the services unchanged: the services clean and judge every value, so the
API answers with the pages' own messages under the same field names (one validation path).
Bank accounts are whole for finance and office admins only (``BankAccountField``, which
reads the actor from the serializer's context and masks without one).
"""

from __future__ import annotations

from rest_framework import serializers

from claims.models import (
    Claim,
    ClaimDecision,
    ClaimDocument,
    IncidentReport,
    PayoutBatch,
    PayoutLine,
)
from mutualaid.api.fields import BankAccountField
from plans.rules import FACTS


def _raw(max_length: int = 2000, **kwargs):
    """A raw value for the service (absent fields stay absent)."""
    return serializers.CharField(
        max_length=max_length, required=False, allow_blank=True, allow_null=True, **kwargs
    )


def _page(name: str, results: serializers.Serializer) -> type[serializers.Serializer]:
    return type(
        name,
        (serializers.Serializer,),
        {
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": results,
        },
    )


# --- Incident reports ------------------------------------------------------------------------


class ReportSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    unit = serializers.UUIDField(source="organisation_id", read_only=True)
    unit_name = serializers.CharField(source="organisation.name", read_only=True)
    plan_name = serializers.CharField(source="plan.name", read_only=True)
    claim = serializers.UUIDField(source="claim.id", read_only=True, default=None)
    claim_number = serializers.CharField(source="claim.number", read_only=True, default=None)

    class Meta:
        model = IncidentReport
        fields = [
            "id",
            "number",
            "member",
            "member_name",
            "unit",
            "unit_name",
            "plan",
            "plan_name",
            "event_kind",
            "cause",
            "event_date",
            "description",
            "reported_on",
            "deadline",
            "deadline_provisional",
            "late",
            "status",
            "reporter_name",
            "reporter_phone",
            "late_reason",
            "late_decided_by",
            "same_incident_as",
            "created_by",
            "by_member",
            "created_at",
            "claim",
            "claim_number",
        ]
        read_only_fields = fields


ReportPageSerializer = _page("ReportPage", ReportSerializer(many=True))


class ReportCreateSerializer(serializers.Serializer):
    member = serializers.UUIDField(help_text="A member of a unit the caller reaches.")
    plan = serializers.UUIDField(help_text="The plan the member is (or was) covered by.")
    event_kind = _raw(
        30, default="", help_text="illness, hospital_stay, accident, disability, death …"
    )
    cause = _raw(30)
    event_date = _raw(
        30, default="", help_text="The event date, or the date of diagnosis (2026-09-28)."
    )
    description = _raw(2000, default="")
    reporter_name = _raw(100)
    reporter_phone = _raw(30)
    same_incident_as = _raw(
        64,
        help_text="An earlier report of the same member for the same incident (its id): "
        "what was granted on it is deducted where the plan says so.",
    )


class ClaimReasonSerializer(serializers.Serializer):
    reason = _raw(2000, default="")


# --- Claims ----------------------------------------------------------------------------------


class ClaimSerializer(serializers.ModelSerializer):
    """A row of the queue: the claim with its member, unit, plan, report, and the deadline
    that matters in its state with its SLA colour."""

    member_name = serializers.CharField(source="member.name", read_only=True)
    unit = serializers.UUIDField(source="organisation_id", read_only=True)
    unit_name = serializers.CharField(source="organisation.name", read_only=True)
    plan_name = serializers.CharField(source="plan.name", read_only=True)
    report_number = serializers.CharField(source="report.number", read_only=True)
    report_status = serializers.CharField(source="report.status", read_only=True)
    late = serializers.BooleanField(source="report.late", read_only=True)
    due = serializers.SerializerMethodField()

    class Meta:
        model = Claim
        fields = [
            "id",
            "number",
            "status",
            "member",
            "member_name",
            "unit",
            "unit_name",
            "plan",
            "plan_name",
            "report",
            "report_number",
            "report_status",
            "late",
            "event_kind",
            "event_date",
            "cause",
            "expires_on",
            "submitted_at",
            "assessed_amount",
            "needs_four_eyes",
            "approved_amount",
            "approved_on",
            "payout_due",
            "near_limit",
            "paid_amount",
            "paid_on",
            "created_at",
            "due",
        ]
        read_only_fields = fields

    def get_due(self, obj) -> dict | None:
        """{"date", "label", "sla": "bad" | "warn" | "ok"} or null."""
        due = getattr(obj, "due", None)
        if due is None or due.date is None:
            return None
        return {"date": due.date.isoformat(), "label": due.label, "sla": due.sla}


ClaimPageSerializer = _page("ClaimPage", ClaimSerializer(many=True))


class DecisionSerializer(serializers.ModelSerializer):
    actor_name = serializers.CharField(source="actor.display_name", read_only=True, default=None)

    class Meta:
        model = ClaimDecision
        fields = [
            "action",
            "from_status",
            "to_status",
            "amount",
            "reason",
            "actor",
            "actor_name",
            "at",
        ]
        read_only_fields = fields


class DocumentSerializer(serializers.ModelSerializer):
    uploaded_by_name = serializers.CharField(
        source="uploaded_by.display_name", read_only=True, default=None
    )

    class Meta:
        model = ClaimDocument
        fields = [
            "id",
            "kind",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_by_name",
            "by_member",
            "uploaded_at",
        ]
        read_only_fields = fields


class ClaimLineSerializer(serializers.ModelSerializer):
    """The claim's payout lines (a failed one, then the line that paid it)."""

    batch_number = serializers.CharField(source="batch.number", read_only=True)

    class Meta:
        model = PayoutLine
        fields = ["id", "batch", "batch_number", "amount", "status", "failure_reason", "paid_on"]
        read_only_fields = fields


class ClaimDetailSerializer(ClaimSerializer):
    """The claim as the reviewer sees it: the facts, the payee, the engine's assessment
    (items, reasons, explanation), and every decision, document and payout line."""

    member_id_number = serializers.SerializerMethodField()
    filed_by_name = serializers.CharField(
        source="filed_by.display_name", read_only=True, default=None
    )
    decisions = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()
    payout_lines = serializers.SerializerMethodField()
    allowed = serializers.SerializerMethodField()
    bank_account = BankAccountField()

    class Meta(ClaimSerializer.Meta):
        fields = [
            *ClaimSerializer.Meta.fields,
            "member_id_number",
            "policy",
            "condition",
            "facts",
            "exclusions",
            "payee_name",
            "payee_relation",
            "bank_name",
            "bank_account",
            "assessment",
            "assessed_at",
            "adjustment_reason",
            "decision_reason",
            "first_approver",
            "second_approver",
            "payout_due_provisional",
            "filed_by",
            "filed_by_name",
            "updated_at",
            "decisions",
            "documents",
            "payout_lines",
            "allowed",
        ]
        read_only_fields = fields

    def get_member_id_number(self, obj) -> str:
        from members.access import display_id_number

        return display_id_number(
            obj.member, self.context["actor"], reveal=self.context.get("reveal", False)
        )

    def get_decisions(self, obj) -> list[dict]:
        return DecisionSerializer(self.context["decisions"], many=True).data

    def get_documents(self, obj) -> list[dict]:
        return DocumentSerializer(self.context["documents"], many=True).data

    def get_payout_lines(self, obj) -> list[dict]:
        return ClaimLineSerializer(self.context["payout_lines"], many=True).data

    def get_allowed(self, obj) -> list[str]:
        """The steps the caller may take now: update, upload, submit, approve,
        request_documents, investigate, reject, notice."""
        return self.context["allowed"]


ClaimUpdateSerializer = type(
    "ClaimUpdateSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "Facts and payee as raw values; the fields sent change, the others stay.",
        "condition": _raw(60),
        "payee_name": _raw(100),
        "payee_relation": _raw(10, help_text="self, spouse, child, parent, other"),
        "bank_name": _raw(100),
        "bank_account": _raw(60),
        # The formula facts (self_paid, hospital_days …): amounts in yuan or whole numbers.
        **{
            name: _raw(30, help_text=f"{label} ({unit})")
            for name, (label, unit, _kind) in FACTS.items()
        },
    },
)


class DocumentUploadSerializer(serializers.Serializer):
    kind = serializers.CharField(
        help_text="id_card, diagnosis, hospital, receipts, disability, death, bank, other"
    )
    file = serializers.FileField(help_text="PDF, JPEG or PNG (checked by content).")


class DecideSerializer(serializers.Serializer):
    action = serializers.CharField(
        max_length=30, help_text="approve, request_documents, investigate, reject"
    )
    amount = _raw(30, help_text="Approve another amount than assessed (with a reason).")
    reason = _raw(2000, default="")


class StepSerializer(serializers.Serializer):
    status = serializers.CharField()
    allowed = serializers.ListField(child=serializers.CharField())


# --- Payout batches --------------------------------------------------------------------------


class BatchSerializer(serializers.ModelSerializer):
    built_by_name = serializers.CharField(
        source="built_by.display_name", read_only=True, default=None
    )
    approved_by_name = serializers.CharField(
        source="approved_by.display_name", read_only=True, default=None
    )

    class Meta:
        model = PayoutBatch
        fields = [
            "id",
            "number",
            "status",
            "line_count",
            "total",
            "built_by",
            "built_by_name",
            "built_at",
            "approved_by",
            "approved_by_name",
            "approved_at",
        ]
        read_only_fields = fields


BatchPageSerializer = _page("PayoutBatchPage", BatchSerializer(many=True))


class BatchSummarySerializer(serializers.Serializer):
    pending = serializers.IntegerField()
    paid = serializers.IntegerField()
    failed = serializers.IntegerField()
    paid_total = serializers.DecimalField(max_digits=14, decimal_places=2)


class BatchDetailSerializer(BatchSerializer):
    summary = serializers.SerializerMethodField()

    class Meta(BatchSerializer.Meta):
        fields = [*BatchSerializer.Meta.fields, "summary"]
        read_only_fields = fields

    def get_summary(self, obj) -> dict:
        return BatchSummarySerializer(self.context["summary"]).data


class PayoutLineSerializer(serializers.ModelSerializer):
    claim_number = serializers.CharField(source="claim.number", read_only=True)
    member_name = serializers.CharField(source="claim.member.name", read_only=True)
    unit_name = serializers.CharField(source="claim.organisation.name", read_only=True)
    bank_account = BankAccountField()

    class Meta:
        model = PayoutLine
        fields = [
            "id",
            "batch",
            "claim",
            "claim_number",
            "member_name",
            "unit_name",
            "amount",
            "payee_name",
            "bank_name",
            "bank_account",
            "status",
            "failure_reason",
            "paid_on",
            "marked_at",
        ]
        read_only_fields = fields


PayoutLinePageSerializer = _page("PayoutLinePage", PayoutLineSerializer(many=True))


class BatchBuildSerializer(serializers.Serializer):
    claims = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        allow_null=True,
        default=None,
        max_length=100_000,
        help_text="Only these approved claims; leave out to gather every approved claim.",
    )


class MarkPaidSerializer(serializers.Serializer):
    paid_on = _raw(30, help_text="The day the bank paid (2026-09-28).")
    lines = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_null=True,
        default=None,
        max_length=100_000,
        help_text="Only these lines; leave out to mark every pending line of the batch.",
    )


class MarkPaidResultSerializer(serializers.Serializer):
    paid = serializers.IntegerField(help_text="Lines marked paid by this request.")
    batch = BatchDetailSerializer()
