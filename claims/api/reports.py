"""Incident reports: the list of the caller's subtree, a report made (the claim is opened
with it), and the decision on a late one."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from claims import access, selectors
from claims.serializers import (
    ClaimReasonSerializer,
    ReportCreateSerializer,
    ReportPageSerializer,
    ReportSerializer,
    StepSerializer,
)
from claims.services import reports
from members.access import access_member
from mutualaid.api.base import ScopedAPIView
from mutualaid.api.keyset import CURSOR, PAGE_SIZE, page_size, paged_response
from plans.access import access_plan_filter

ANY_STAFF: set[str] = set()


class ReportListCreate(ScopedAPIView):
    """GET: the incident reports of the caller's subtree. POST: report one (agents, and
    office staff on behalf of a member); the claim is opened with it."""

    role_map = {"GET": ANY_STAFF, "POST": set(access.REPORTERS)}
    serializer_class = ReportSerializer
    pagination_class = None

    @extend_schema(
        operation_id="incident_reports_list",
        responses=ReportPageSerializer,
        parameters=[
            OpenApiParameter(
                "status", OpenApiTypes.STR, description="reported, late, accepted, refused"
            ),
            CURSOR,
            PAGE_SIZE,
        ],
    )
    def get(self, request):
        page = selectors.report_page(
            actor=self.actor,
            status_=request.query_params.get("status", ""),
            cursor=request.query_params.get("cursor"),
            size=page_size(request),
        )
        return paged_response(request, page, ReportSerializer(page.rows, many=True).data)

    @extend_schema(request=ReportCreateSerializer, responses={201: ReportSerializer})
    def post(self, request):
        incoming = ReportCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        member = access_member(self.actor, data.pop("member"))
        plan = access_plan_filter(self.actor, data.pop("plan"))
        report = reports.report_create(actor=self.actor, member=member, plan=plan, **data)
        return Response(
            ReportSerializer(access.access_report(self.actor, report.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class ReportDetail(ScopedAPIView):
    role_map = {"GET": ANY_STAFF}
    serializer_class = ReportSerializer

    def get(self, request, report_id):
        return Response(ReportSerializer(access.access_report(self.actor, report_id)).data)


class ReportLateDecision(ScopedAPIView):
    """GET: whether the report waits for this decision and the caller may take it.
    POST ``{"reason"}``: accept the late report (the application can go on) or refuse it
    (the claim is closed as rejected). A reason is required either way."""

    step = "accept_late"
    role_map = {"GET": ANY_STAFF, "POST": set(access.REPORT_ACTIONS[step].roles)}
    serializer_class = ReportSerializer

    @extend_schema(responses=StepSerializer)
    def get(self, request, report_id):
        report = access.access_report(self.actor, report_id)
        allowed = self.step in access.allowed_actions(self.actor, report)
        return Response({"status": report.status, "allowed": [self.step] if allowed else []})

    @extend_schema(request=ClaimReasonSerializer, responses=ReportSerializer)
    def post(self, request, report_id):
        report = access.access_report(self.actor, report_id)
        incoming = ClaimReasonSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        reports.report_decide_late(
            actor=self.actor,
            report=report,
            accept=self.step == "accept_late",
            reason=incoming.validated_data.get("reason") or "",
        )
        return Response(ReportSerializer(access.access_report(self.actor, report_id)).data)


class ReportAcceptLate(ReportLateDecision):
    step = "accept_late"


class ReportRefuseLate(ReportLateDecision):
    step = "refuse_late"
    role_map = {"GET": ANY_STAFF, "POST": set(access.REPORT_ACTIONS[step].roles)}
