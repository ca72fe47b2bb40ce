"""Claims: the queue and search, one claim with its assessment and decisions, the
application (facts, payee), its documents, submission, the reviewer's decisions, and the
payout notice."""

from __future__ import annotations

import io

from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from claims import access, documents, selectors
from claims.serializers import (
    ClaimDetailSerializer,
    ClaimPageSerializer,
    ClaimSerializer,
    ClaimUpdateSerializer,
    DecideSerializer,
    DocumentSerializer,
    DocumentUploadSerializer,
    StepSerializer,
)
from claims.services import applications, review, steps
from members.api import FULL_ID, _reveal
from mutualaid.api.base import ScopedAPIView
from mutualaid.api.keyset import CURSOR, PAGE_SIZE, page_size, paged_response
from mutualaid.api.parsers import ObjectJSONParser
from mutualaid.core.cleaning import clean_date
from mutualaid.tenancy.scoping import Actor
from plans.access import access_plan_filter

ANY_STAFF: set[str] = set()
PDF = {(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF")}

#: The claim's actions this API offers, in the order ``allowed`` lists them (exclusions
#: and a corrected payee are recorded on the page).
API_STEPS = (
    "update",
    "upload",
    "submit",
    "approve",
    "request_documents",
    "investigate",
    "reject",
    "notice",
)


def _flag(request, name: str) -> bool:
    return request.query_params.get(name, "").lower() in ("1", "true", "yes")


def allowed_steps(actor: Actor, claim) -> list[str]:
    """What the caller may do with the claim now (the services check again on the way in)."""
    allowed = access.allowed_actions(actor, claim)
    return [step for step in API_STEPS if step in allowed]


def claim_detail_data(request, actor: Actor, claim_id) -> dict:
    """The claim with its assessment, decisions, documents and payout lines (five queries:
    the claim with its joins, then one per list)."""
    claim = access.access_claim(actor, claim_id)
    context = {
        "actor": actor,
        "reveal": _reveal(request),
        "decisions": selectors.claim_decisions(claim=claim),
        "documents": selectors.claim_documents(claim=claim),
        "payout_lines": selectors.claim_payout_lines(claim=claim),
        "allowed": allowed_steps(actor, claim),
    }
    selectors.with_deadlines([claim], tenant=claim.tenant, today=steps.today())
    return ClaimDetailSerializer(claim, context=context).data


def _filters(request, actor: Actor) -> selectors.QueueFilters:
    params = request.query_params
    plan = access_plan_filter(actor, params["plan"]) if params.get("plan") else None
    dates = {}
    for name in ("submitted_from", "submitted_to"):
        if params.get(name):
            dates[name] = clean_date(params[name], field=name)
    return selectors.QueueFilters(
        status=params.get("status", ""),
        plan=plan,
        event_kind=params.get("event_kind", ""),
        q=params.get("q", ""),
        near_limit=_flag(request, "near_limit"),
        **dates,
    )


class ClaimList(ScopedAPIView):
    """The reviewer queue and claim search: oldest submission first while the filter stays
    within submitted claims, else newest first. Reviewers see their work by default
    (``status=review``); everyone else every claim of their subtree."""

    role_map = {"GET": ANY_STAFF}
    serializer_class = ClaimSerializer
    pagination_class = None

    @extend_schema(
        operation_id="claims_list",
        responses=ClaimPageSerializer,
        parameters=[
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                description="A status, or a group: review, late, to_do, payout, all.",
            ),
            OpenApiParameter("plan", OpenApiTypes.UUID),
            OpenApiParameter("event_kind", OpenApiTypes.STR),
            OpenApiParameter("submitted_from", OpenApiTypes.DATE),
            OpenApiParameter("submitted_to", OpenApiTypes.DATE),
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                description="A claim or report number, a whole ID number, or a name's start.",
            ),
            OpenApiParameter(
                "near_limit",
                OpenApiTypes.BOOL,
                description="Approved claims near the payout limit.",
            ),
            CURSOR,
            PAGE_SIZE,
        ],
    )
    def get(self, request):
        page = selectors.claim_queue(
            actor=self.actor,
            filters=_filters(request, self.actor),
            cursor=request.query_params.get("cursor"),
            size=page_size(request),
        )
        rows = selectors.with_deadlines(page.rows, tenant=self.actor.tenant, today=steps.today())
        return paged_response(request, page, ClaimSerializer(rows, many=True).data)


class ClaimDetail(ScopedAPIView):
    """GET: the claim with its assessment (items, reasons, explanation) and every decision.
    PATCH: the application's facts, condition and payee (while it is with the unit)."""

    role_map = {"GET": ANY_STAFF, "PATCH": set(access.CLAIM_ACTIONS["update"].roles)}
    serializer_class = ClaimDetailSerializer

    @extend_schema(parameters=[FULL_ID])
    def get(self, request, claim_id):
        return Response(claim_detail_data(request, self.actor, claim_id))

    @extend_schema(
        request=ClaimUpdateSerializer, responses=ClaimDetailSerializer, parameters=[FULL_ID]
    )
    def patch(self, request, claim_id):
        claim = access.access_claim(self.actor, claim_id)
        incoming = ClaimUpdateSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        data = {name: value for name, value in incoming.validated_data.items()}
        applications.claim_update(actor=self.actor, claim=claim, data=data)
        return Response(claim_detail_data(request, self.actor, claim_id))


class ClaimDocuments(ScopedAPIView):
    """GET: the claim's documents. POST (multipart: ``kind``, ``file``): upload one; the
    type is recognised by content (PDF, JPEG, PNG), never by the file's name."""

    role_map = {"GET": ANY_STAFF, "POST": set(access.CLAIM_ACTIONS["upload"].roles)}
    serializer_class = DocumentSerializer
    pagination_class = None
    parser_classes = [MultiPartParser, FormParser, ObjectJSONParser]

    @extend_schema(responses=DocumentSerializer(many=True))
    def get(self, request, claim_id):
        claim = access.access_claim(self.actor, claim_id)
        return Response(DocumentSerializer(selectors.claim_documents(claim=claim), many=True).data)

    @extend_schema(
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentSerializer},
    )
    def post(self, request, claim_id):
        claim = access.access_claim(self.actor, claim_id)
        # The service checks kind and file (required, size, type by content): its messages.
        document = applications.document_add(
            actor=self.actor,
            claim=claim,
            kind=request.data.get("kind", ""),
            upload=request.FILES.get("file"),
        )
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


class ClaimDocumentFile(ScopedAPIView):
    """The document's bytes, read from private storage (never served by the web server)."""

    role_map = {"GET": ANY_STAFF}
    serializer_class = DocumentSerializer

    @extend_schema(responses={(200, kind): OpenApiTypes.BINARY for kind in applications.EXTENSIONS})
    def get(self, request, claim_id, document_id):
        claim = access.access_claim(self.actor, claim_id)
        document = access.access_document(self.actor, claim, document_id)
        path = applications.document_path(document)
        if not path.is_file():
            raise Http404
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=document.original_name,
            content_type=document.content_type,
        )


class ClaimSubmit(ScopedAPIView):
    """GET: whether the caller may submit now. POST: send the application to the office; it
    is assessed on the way in and joins the reviewer queue."""

    role_map = {"GET": ANY_STAFF, "POST": set(access.CLAIM_ACTIONS["submit"].roles)}
    serializer_class = ClaimDetailSerializer

    @extend_schema(responses=StepSerializer)
    def get(self, request, claim_id):
        claim = access.access_claim(self.actor, claim_id)
        steps_now = [s for s in allowed_steps(self.actor, claim) if s == "submit"]
        return Response({"status": claim.status, "allowed": steps_now})

    @extend_schema(request=None, responses=ClaimDetailSerializer)
    def post(self, request, claim_id):
        claim = access.access_claim(self.actor, claim_id)
        applications.claim_submit(actor=self.actor, claim=claim)
        return Response(claim_detail_data(request, self.actor, claim_id))


class ClaimDecide(ScopedAPIView):
    """GET: the decisions the caller may take now. POST ``{"action", "amount", "reason"}``:
    approve (as assessed, or another amount with a reason), request documents, send to
    investigation, or reject (with a reason). Four-eyes above the tenant's threshold; the
    filer never approves."""

    role_map = {"GET": ANY_STAFF, "POST": set(access.REVIEWERS)}
    serializer_class = ClaimDetailSerializer

    @extend_schema(responses=StepSerializer)
    def get(self, request, claim_id):
        claim = access.access_claim(self.actor, claim_id)
        steps_now = [s for s in allowed_steps(self.actor, claim) if s in access.REVIEW_ACTIONS]
        return Response({"status": claim.status, "allowed": steps_now})

    @extend_schema(request=DecideSerializer, responses=ClaimDetailSerializer)
    def post(self, request, claim_id):
        claim = access.access_claim(self.actor, claim_id)
        incoming = DecideSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        review.claim_decide(
            actor=self.actor,
            claim=claim,
            action=data["action"],
            amount=data.get("amount"),
            reason=data.get("reason") or "",
        )
        return Response(claim_detail_data(request, self.actor, claim_id))


def pdf_response(data: bytes, filename: str) -> FileResponse:
    return FileResponse(
        io.BytesIO(data), as_attachment=True, filename=filename, content_type="application/pdf"
    )


class ClaimNotice(ScopedAPIView):
    """The payout notice (给付通知书) of an approved, batched or paid claim, as PDF."""

    role_map = {"GET": ANY_STAFF}
    serializer_class = ClaimDetailSerializer

    @extend_schema(responses=PDF)
    def get(self, request, claim_id):
        claim = access.access_claim(self.actor, claim_id)
        access.require_action(self.actor, claim, "notice")
        data = documents.notice_pdf(claim, actor=self.actor)
        return pdf_response(data, documents.notice_filename(claim))
