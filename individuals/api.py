"""API for individual applications (issue 17.4): the federation's cadres read the list and
one application, and decide a batch. Serializers translate; the services decide. Lists
page by keyset (``?cursor=`` from ``next``). ID numbers are masked, as on the pages."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from individuals import access, selectors, services
from individuals.models import ApplicationStatus, IndividualApplication
from mutualaid.api.base import ScopedAPIView
from mutualaid.api.keyset import CURSOR, PAGE_SIZE, page_size, paged_response


class ApplicationSerializer(serializers.ModelSerializer):
    federation = serializers.UUIDField(source="organisation_id", read_only=True)
    federation_name = serializers.CharField(source="organisation.name", read_only=True)
    plan = serializers.UUIDField(source="plan_version.plan_id", read_only=True)
    plan_name = serializers.CharField(source="plan_version.plan.display_name", read_only=True)
    id_number = serializers.CharField(source="masked_id_number", read_only=True)

    class Meta:
        model = IndividualApplication
        fields = [
            "id",
            "federation",
            "federation_name",
            "plan",
            "plan_name",
            "plan_version",
            "name",
            "id_number",
            "phone",
            "occupation",
            "platform",
            "status",
            "reason",
            "created_at",
            "decided_at",
            "decided_by",
            "member",
            "enrolment",
        ]
        read_only_fields = fields


class ApplicationPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ApplicationSerializer(many=True)


class DecisionSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.UUIDField(), max_length=services.BATCH_MAX)
    decision = serializers.ChoiceField(choices=[("approve", "approve"), ("refuse", "refuse")])
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class DecisionResultSerializer(serializers.Serializer):
    decided = serializers.IntegerField()
    enrolments = serializers.ListField(child=serializers.UUIDField())


class ApplicationList(ScopedAPIView):
    role_map = {"GET": set(access.READERS)}
    serializer_class = ApplicationSerializer
    pagination_class = None

    @extend_schema(
        operation_id="individual_applications_list",
        responses=ApplicationPageSerializer,
        parameters=[
            OpenApiParameter(
                "status", OpenApiTypes.STR, description="pending (default), approved, refused"
            ),
            CURSOR,
            PAGE_SIZE,
        ],
    )
    def get(self, request):
        status = request.query_params.get("status", ApplicationStatus.PENDING)
        page = selectors.application_page(
            actor=self.actor,
            status=status if status in ApplicationStatus.values else ApplicationStatus.PENDING,
            after=request.query_params.get("cursor"),
            size=page_size(request),
        )
        return paged_response(request, page, ApplicationSerializer(page.rows, many=True).data)


class ApplicationDetail(ScopedAPIView):
    role_map = {"GET": set(access.READERS)}
    serializer_class = ApplicationSerializer

    def get(self, request, application_id):
        application = access.access_application(self.actor, application_id)
        return Response(ApplicationSerializer(application).data)


class ApplicationDecide(ScopedAPIView):
    """POST: approve or refuse a batch (a reason is needed to refuse). All or nothing."""

    role_map = {"POST": set(access.DECIDERS)}
    serializer_class = DecisionSerializer

    @extend_schema(request=DecisionSerializer, responses={200: DecisionResultSerializer})
    def post(self, request):
        incoming = DecisionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        if data["decision"] == "approve":
            enrolments = services.applications_approve(actor=self.actor, ids=data["ids"])
            result = {"decided": len(data["ids"]), "enrolments": [e.pk for e in enrolments]}
        else:
            n = services.applications_refuse(
                actor=self.actor, ids=data["ids"], reason=data["reason"]
            )
            result = {"decided": n, "enrolments": []}
        return Response(DecisionResultSerializer(result).data)
