"""API for enrolments, their rosters and steps, and policies. Serializers translate; the
services decide (the pages' messages). Lists page by keyset (``?cursor=`` from ``next``).

ID numbers are masked unless the caller asks with ``?full_id_number=1`` and may see them.
Refused roster lines answer 400 with ``{field: [messages]}`` for one line, and with the
whole report (``errors``: row, column, code, message) for ``lines/import``.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from enrolment import access, selectors
from enrolment.models import Enrolment, EnrolmentKind, EnrolmentLine, Policy, ShareTranche
from enrolment.services import drafts, lines, workflow
from enrolment.services.common import RosterRejected
from members.access import access_member, access_unit, display_id_number
from members.api import FULL_ID, _reveal
from mutualaid.api.base import ScopedAPIView
from mutualaid.api.keyset import CURSOR, PAGE_SIZE
from mutualaid.api.keyset import page_size as _page_size
from mutualaid.api.keyset import paged_response as _paged
from plans.access import access_plan_filter

ANY_STAFF: set[str] = set()
DRAFTERS = set(access.DRAFTERS)


# --- Serializers: output ---------------------------------------------------------------------


class EnrolmentSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="organisation.name", read_only=True)
    plan_name = serializers.CharField(source="plan.display_name", read_only=True)
    allowed_steps = serializers.SerializerMethodField()
    #: ``status`` is the record (the workflow); ``state`` what it is today (enrolment.states).
    state = serializers.CharField(read_only=True)
    state_label = serializers.CharField(read_only=True)

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "unit",
            "unit_name",
            "plan",
            "plan_name",
            "plan_version",
            "kind",
            "previous",
            "status",
            "state",
            "state_label",
            "start_date",
            "end_date",
            "funding_mode",
            "administration_amount",
            "union_amount",
            "member_amount",
            "federation_amount",
            "note",
            "member_count",
            "share_count",
            "premium_total",
            "return_reason",
            "dropped",
            "payment_date",
            "coverage_start",
            "coverage_end",
            "created_at",
            "submitted_at",
            "checked_at",
            "accepted_at",
            "invoiced_at",
            "in_force_at",
            "returned_at",
            "cancelled_at",
            "allowed_steps",
        ]
        read_only_fields = fields

    def get_allowed_steps(self, obj) -> list[str]:
        return access.allowed_steps(self.context["actor"], obj)


class LineSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="member.name", read_only=True)
    id_number = serializers.SerializerMethodField()

    class Meta:
        model = EnrolmentLine
        fields = [
            "member",
            "name",
            "id_number",
            "shares",
            "tier",
            "category",
            "previous_shares",
            "premium",
            "status",
            "problem",
            "row_number",
            "created_at",
        ]
        read_only_fields = fields

    def get_id_number(self, obj) -> str:
        return display_id_number(
            obj.member, self.context["actor"], reveal=self.context.get("reveal", False)
        )


class PolicyTrancheSerializer(serializers.ModelSerializer):
    class Meta:
        model = ShareTranche
        fields = ["shares", "start", "waiting_end"]
        read_only_fields = fields


class PolicySerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    unit = serializers.UUIDField(source="unit_id", read_only=True)
    unit_name = serializers.CharField(source="organisation.name", read_only=True)
    plan_name = serializers.CharField(source="plan.display_name", read_only=True)
    tranches = PolicyTrancheSerializer(many=True, read_only=True)
    #: ``status`` is the record; ``state`` what the cover is today (enrolment.states).
    state = serializers.CharField(read_only=True)
    state_label = serializers.CharField(read_only=True)

    class Meta:
        model = Policy
        fields = [
            "id",
            "member",
            "member_name",
            "unit",
            "unit_name",
            "enrolment",
            "plan",
            "plan_name",
            "plan_version",
            "previous",
            "shares",
            "tier",
            "start",
            "end",
            "status",
            "state",
            "state_label",
            "ended_on",
            "end_reason",
            "tranches",
        ]
        read_only_fields = fields


class EnrolmentPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = EnrolmentSerializer(many=True)


class LinePageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = LineSerializer(many=True)


class PolicyPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = PolicySerializer(many=True)


# --- Serializers: input (types only; the services judge the values) ---------------------------


def _text(max_length: int):
    return serializers.CharField(
        max_length=max_length, required=False, allow_blank=True, default=""
    )


class EnrolmentCreateSerializer(serializers.Serializer):
    unit = serializers.UUIDField(required=False)
    plan = serializers.UUIDField(required=False)
    kind = serializers.ChoiceField(choices=EnrolmentKind.choices, default=EnrolmentKind.NEW)
    previous = serializers.UUIDField(required=False)
    start_date = serializers.DateField(required=False)
    funding_mode = _text(40)
    administration_amount = _text(20)
    union_amount = _text(20)
    member_amount = _text(20)
    federation_amount = _text(20)
    note = _text(2000)


class LineCreateSerializer(serializers.Serializer):
    member = serializers.UUIDField(required=False, help_text="A registered member of the unit.")
    name = _text(100)
    id_number = _text(60)
    phone = _text(40)
    category = _text(40)
    shares = serializers.CharField(
        max_length=10, required=False, allow_blank=True, default=None, allow_null=True
    )
    tier = _text(50)


class LineUpdateSerializer(serializers.Serializer):
    shares = serializers.CharField(
        max_length=10, required=False, allow_blank=True, default=None, allow_null=True
    )
    tier = _text(50)


class RowSerializer(serializers.Serializer):
    row = serializers.IntegerField(required=False, allow_null=True, default=None)
    name = serializers.CharField(required=False, allow_blank=True, default="")
    id_number = serializers.CharField(required=False, allow_blank=True, default="")
    shares = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)
    tier = serializers.CharField(required=False, allow_blank=True, default="")
    category = serializers.CharField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(required=False, allow_blank=True, default="")


class ImportSerializer(serializers.Serializer):
    rows = RowSerializer(many=True, max_length=100_000)
    only_valid = serializers.BooleanField(default=False)
    preview = serializers.BooleanField(default=False)


class ReasonSerializer(serializers.Serializer):
    reason = _text(1000)


# --- Enrolments ------------------------------------------------------------------------------


class EnrolmentListCreate(ScopedAPIView):
    role_map = {"GET": ANY_STAFF, "POST": DRAFTERS}
    serializer_class = EnrolmentSerializer
    pagination_class = None

    @extend_schema(
        operation_id="enrolments_list",
        responses=EnrolmentPageSerializer,
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, description="The stored status."),
            OpenApiParameter(
                "state",
                OpenApiTypes.STR,
                description="The state today: a status, or not_started / in_force / expired.",
            ),
            OpenApiParameter("unit", OpenApiTypes.UUID),
            OpenApiParameter("plan", OpenApiTypes.UUID),
            CURSOR,
            PAGE_SIZE,
        ],
    )
    def get(self, request):
        params = request.query_params
        unit = access_unit(self.actor, params["unit"]) if params.get("unit") else None
        plan = access_plan_filter(self.actor, params["plan"]) if params.get("plan") else None
        page = selectors.enrolment_page(
            actor=self.actor,
            status=params.get("status", ""),
            state=params.get("state", ""),
            unit=unit,
            plan=plan,
            after=params.get("cursor"),
            size=_page_size(request),
        )
        data = EnrolmentSerializer(page.rows, many=True, context={"actor": self.actor}).data
        return _paged(request, page, data)

    @extend_schema(request=EnrolmentCreateSerializer, responses={201: EnrolmentSerializer})
    def post(self, request):
        incoming = EnrolmentCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        previous = None
        if data.get("previous"):
            previous = access.access_enrolment(self.actor, data.pop("previous"))
            unit = previous.unit
        elif data.get("unit"):
            unit = access_unit(self.actor, data["unit"])
        else:
            raise serializers.ValidationError({"unit": ["This field is required."]})
        data.pop("unit", None)
        plan = access_plan_filter(self.actor, data.pop("plan")) if data.get("plan") else None
        data["funding_mode"] = data["funding_mode"] or "union"
        enrolment = drafts.enrolment_create(
            actor=self.actor, unit=unit, plan=plan, previous=previous, **data
        )
        enrolment = access.access_enrolment(self.actor, enrolment.pk)
        return Response(
            EnrolmentSerializer(enrolment, context={"actor": self.actor}).data,
            status=status.HTTP_201_CREATED,
        )


class EnrolmentDetail(ScopedAPIView):
    role_map = {"GET": ANY_STAFF}
    serializer_class = EnrolmentSerializer

    def get(self, request, enrolment_id):
        enrolment = access.access_enrolment(self.actor, enrolment_id)
        return Response(EnrolmentSerializer(enrolment, context={"actor": self.actor}).data)


class EnrolmentStep(ScopedAPIView):
    """GET: whether the caller may take this step now; POST: take it."""

    step = "submit"
    role_map = {"GET": ANY_STAFF, "POST": ANY_STAFF}
    serializer_class = EnrolmentSerializer

    @extend_schema(
        responses=inline_serializer(
            "StepCheck",
            fields={"status": serializers.CharField(), "allowed": serializers.BooleanField()},
        )
    )
    def get(self, request, enrolment_id):
        enrolment = access.access_enrolment(self.actor, enrolment_id)
        allowed = self.step in access.allowed_steps(self.actor, enrolment)
        return Response({"status": enrolment.status, "allowed": allowed})

    @extend_schema(request=ReasonSerializer, responses=EnrolmentSerializer)
    def post(self, request, enrolment_id):
        enrolment = access.access_enrolment(self.actor, enrolment_id)
        incoming = ReasonSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        workflow.enrolment_step(
            actor=self.actor,
            enrolment=enrolment,
            step=self.step,
            reason=incoming.validated_data["reason"],
        )
        enrolment = access.access_enrolment(self.actor, enrolment_id)
        return Response(EnrolmentSerializer(enrolment, context={"actor": self.actor}).data)


def step_view(step: str):
    roles = {
        "submit": DRAFTERS,
        "check": set(access.CHECKERS),
        "accept": set(access.ACCEPTORS),
        "send_back": set(access.CHECKERS) | set(access.ACCEPTORS),
        "cancel": DRAFTERS | set(access.ACCEPTORS),
    }[step]
    view_class = type(
        f"Enrolment{step.title().replace('_', '')}",
        (EnrolmentStep,),
        {"step": step, "role_map": {"GET": ANY_STAFF, "POST": roles}},
    )
    return view_class.as_view()


# --- Roster lines ------------------------------------------------------------------------------


class EnrolmentLines(ScopedAPIView):
    role_map = {"GET": ANY_STAFF, "POST": DRAFTERS}
    serializer_class = LineSerializer
    pagination_class = None

    @extend_schema(
        operation_id="enrolment_lines_list",
        responses=LinePageSerializer,
        parameters=[FULL_ID, CURSOR, PAGE_SIZE],
    )
    def get(self, request, enrolment_id):
        enrolment = access.access_enrolment(self.actor, enrolment_id)
        page = selectors.line_page(
            enrolment=enrolment, after=request.query_params.get("cursor"), size=_page_size(request)
        )
        context = {"actor": self.actor, "reveal": _reveal(request)}
        return _paged(request, page, LineSerializer(page.rows, many=True, context=context).data)

    @extend_schema(request=LineCreateSerializer, responses={201: LineSerializer})
    def post(self, request, enrolment_id):
        enrolment = access.access_enrolment(self.actor, enrolment_id)
        incoming = LineCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        member = access_member(self.actor, data.pop("member")) if data.get("member") else None
        data.pop("member", None)
        line = lines.line_add(actor=self.actor, enrolment=enrolment, member=member, **data)
        context = {"actor": self.actor, "reveal": _reveal(request)}
        return Response(LineSerializer(line, context=context).data, status=status.HTTP_201_CREATED)


class EnrolmentLineDetail(ScopedAPIView):
    role_map = {"GET": ANY_STAFF, "PATCH": DRAFTERS, "DELETE": DRAFTERS}
    serializer_class = LineSerializer

    @extend_schema(parameters=[FULL_ID])
    def get(self, request, enrolment_id, member_id):
        enrolment = access.access_enrolment(self.actor, enrolment_id)
        line = access.access_line(self.actor, enrolment, member_id)
        context = {"actor": self.actor, "reveal": _reveal(request)}
        return Response(LineSerializer(line, context=context).data)

    @extend_schema(request=LineUpdateSerializer, responses=LineSerializer)
    def patch(self, request, enrolment_id, member_id):
        enrolment = access.access_enrolment(self.actor, enrolment_id)
        line = access.access_line(self.actor, enrolment, member_id)
        incoming = LineUpdateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        line = lines.line_update(
            actor=self.actor, enrolment=enrolment, member=line.member, **incoming.validated_data
        )
        return Response(LineSerializer(line, context={"actor": self.actor}).data)

    def delete(self, request, enrolment_id, member_id):
        enrolment = access.access_enrolment(self.actor, enrolment_id)
        line = access.access_line(self.actor, enrolment, member_id)
        lines.line_remove(actor=self.actor, enrolment=enrolment, member=line.member)
        return Response(status=status.HTTP_204_NO_CONTENT)


class EnrolmentLinesImport(ScopedAPIView):
    """Parsed rows in, the report out: ``preview`` writes nothing; otherwise all rows or
    (``only_valid``) the valid ones, in one transaction. 400 with the report when refused."""

    role_map = {"GET": ANY_STAFF, "POST": DRAFTERS}
    serializer_class = ImportSerializer

    @extend_schema(
        operation_id="enrolment_lines_import_check",
        responses=inline_serializer("ImportCheck", fields={"editable": serializers.BooleanField()}),
    )
    def get(self, request, enrolment_id):
        enrolment = access.access_enrolment(self.actor, enrolment_id)
        editable = enrolment.is_editable and access.can_draft(self.actor, enrolment.organisation)
        return Response({"editable": editable})

    @extend_schema(
        request=ImportSerializer,
        responses=inline_serializer("ImportReport", fields={"errors": serializers.ListField()}),
    )
    def post(self, request, enrolment_id):
        enrolment = access.access_enrolment(self.actor, enrolment_id)
        incoming = ImportSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            report = lines.lines_import(
                actor=self.actor,
                enrolment=enrolment,
                rows=[dict(row) for row in data["rows"]],
                only_valid=data["only_valid"],
                preview=data["preview"],
            )
        except RosterRejected as refused:
            return Response(refused.report.as_dict(), status=status.HTTP_400_BAD_REQUEST)
        return Response(report.as_dict())


# --- Policies ----------------------------------------------------------------------------------


class PolicyList(ScopedAPIView):
    role_map = {"GET": ANY_STAFF}
    serializer_class = PolicySerializer
    pagination_class = None

    @extend_schema(
        operation_id="policies_list",
        responses=PolicyPageSerializer,
        parameters=[
            OpenApiParameter("member", OpenApiTypes.UUID, description="Only this member's cover."),
            CURSOR,
            PAGE_SIZE,
        ],
    )
    def get(self, request):
        params = request.query_params
        member = access_member(self.actor, params["member"]) if params.get("member") else None
        page = selectors.policy_page(
            actor=self.actor, member=member, after=params.get("cursor"), size=_page_size(request)
        )
        return _paged(request, page, PolicySerializer(page.rows, many=True).data)


class PolicyDetail(ScopedAPIView):
    role_map = {"GET": ANY_STAFF}
    serializer_class = PolicySerializer

    def get(self, request, policy_id):
        policy = access.access_policy(self.actor, policy_id)
        return Response(PolicySerializer(policy).data)
