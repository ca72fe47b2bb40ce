"""API for incident reports, claims (with document upload and review) and payout batches
(SPEC §8, §10, §12). Serializers translate; the services decide, and their messages come
back as ``400 {field: [messages]}`` exactly as the pages show them. Every object is found
through an access helper: another tenant's or a sibling unit's claim is a 404, like a
missing one. Lists page by keyset (``?cursor=`` from ``next``), with no COUNT(*).

Steps (submit, decide, approve a batch …) answer GET with what the caller may do now and
take POST to do it; a retried POST that finds the step done changes nothing (a batch
approved twice stays approved once; lines paid twice are paid once, in the database).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from claims import bankfile, documents, selectors, services
from claims.models import (
    EDITABLE_STATUSES,
    REVIEW_STATUSES,
    BatchStatus,
    ClaimStatus,
    PayoutBatch,
    ReportStatus,
)
from claims.serializers import (
    BatchBuildSerializer,
    BatchDetailSerializer,
    BatchPageSerializer,
    BatchSerializer,
    ClaimDetailSerializer,
    ClaimPageSerializer,
    ClaimReasonSerializer,
    ClaimSerializer,
    ClaimUpdateSerializer,
    DecideSerializer,
    DocumentSerializer,
    DocumentUploadSerializer,
    MarkPaidResultSerializer,
    MarkPaidSerializer,
    PayoutLinePageSerializer,
    PayoutLineSerializer,
    ReportCreateSerializer,
    ReportPageSerializer,
    ReportSerializer,
    StepSerializer,
)
from members.access import access_member
from members.api import FULL_ID, _reveal
from mutualaid.api.base import ScopedAPIView
from mutualaid.api.keyset import CURSOR, PAGE_SIZE, page_size, paged_response
from mutualaid.core.errors import DomainError
from mutualaid.tenancy.scoping import Actor
from plans.access import access_plan_filter

ANY_STAFF: set[str] = set()
REPORTERS = set(services.REPORTERS)
REVIEWERS = set(services.REVIEWERS)
UPLOADERS = REPORTERS | REVIEWERS
BATCH_BUILDERS = set(services.BATCH_BUILDERS)
BATCH_APPROVERS = set(services.BATCH_APPROVERS)
#: Bank files and notices name payees and accounts: finance and the office admin (as the
#: batch pages).
BATCH_FILE_USERS = BATCH_BUILDERS | BATCH_APPROVERS

PDF = {(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF")}


def _flag(request, name: str) -> bool:
    return request.query_params.get(name, "").lower() in ("1", "true", "yes")


# --- Incident reports -------------------------------------------------------------------------


class ReportListCreate(ScopedAPIView):
    """GET: the incident reports of the caller's subtree. POST: report one (agents, and
    office staff on behalf of a member); the claim is opened with it."""

    role_map = {"GET": ANY_STAFF, "POST": REPORTERS}
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
        report = services.report_create(actor=self.actor, member=member, plan=plan, **data)
        return Response(
            ReportSerializer(selectors.access_report(self.actor, report.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class ReportDetail(ScopedAPIView):
    role_map = {"GET": ANY_STAFF}
    serializer_class = ReportSerializer

    def get(self, request, report_id):
        return Response(ReportSerializer(selectors.access_report(self.actor, report_id)).data)


class ReportLateDecision(ScopedAPIView):
    """GET: whether the report waits for this decision and the caller may take it.
    POST ``{"reason"}``: accept the late report (the application can go on) or refuse it
    (the claim is closed as rejected). A reason is required either way."""

    accept = True
    role_map = {"GET": ANY_STAFF, "POST": REVIEWERS}
    serializer_class = ReportSerializer

    @extend_schema(responses=StepSerializer)
    def get(self, request, report_id):
        report = selectors.access_report(self.actor, report_id)
        may = (
            report.status == ReportStatus.LATE
            and self.actor.has_role(*REVIEWERS)
            and self.actor.reaches(report.organisation)
        )
        step = "accept_late" if self.accept else "refuse_late"
        return Response({"status": report.status, "allowed": [step] if may else []})

    @extend_schema(request=ClaimReasonSerializer, responses=ReportSerializer)
    def post(self, request, report_id):
        report = selectors.access_report(self.actor, report_id)
        incoming = ClaimReasonSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.report_decide_late(
            actor=self.actor,
            report=report,
            accept=self.accept,
            reason=incoming.validated_data.get("reason") or "",
        )
        return Response(ReportSerializer(selectors.access_report(self.actor, report_id)).data)


class ReportAcceptLate(ReportLateDecision):
    accept = True


class ReportRefuseLate(ReportLateDecision):
    accept = False


# --- Claims -----------------------------------------------------------------------------------


def allowed_steps(actor: Actor, claim) -> list[str]:
    """What the caller may do with the claim now (the services check again on the way in)."""
    steps: list[str] = []
    editable = claim.status in EDITABLE_STATUSES
    if editable and services.can_report(actor, claim.organisation):
        steps += ["update", "upload"]
        if claim.report.status not in (ReportStatus.LATE, ReportStatus.REFUSED):
            steps.append("submit")
    elif services.can_review(actor, claim) and claim.status not in (
        ClaimStatus.PAID,
        ClaimStatus.REJECTED,
        ClaimStatus.EXPIRED,
    ):
        steps.append("upload")
    if claim.status in REVIEW_STATUSES and services.can_review(actor, claim):
        if services.may_approve(actor, claim):
            steps.append("approve")
        steps += ["request_documents", "investigate", "reject"]
    if documents.has_notice(claim):
        steps.append("notice")
    return steps


def claim_detail_data(request, actor: Actor, claim_id) -> dict:
    """The claim with its assessment, decisions, documents and payout lines (five queries:
    the claim with its joins, then one per list)."""
    claim = selectors.access_claim(actor, claim_id)
    context = {
        "actor": actor,
        "reveal": _reveal(request),
        "decisions": selectors.claim_decisions(claim=claim),
        "documents": selectors.claim_documents(claim=claim),
        "payout_lines": selectors.claim_payout_lines(claim=claim),
        "allowed": allowed_steps(actor, claim),
    }
    selectors.with_deadlines([claim], tenant=claim.tenant, today=services.today())
    return ClaimDetailSerializer(claim, context=context).data


def _filters(request, actor: Actor) -> selectors.QueueFilters:
    params = request.query_params
    plan = access_plan_filter(actor, params["plan"]) if params.get("plan") else None
    dates = {}
    for name in ("submitted_from", "submitted_to"):
        if params.get(name):
            dates[name] = services.clean_date(params[name], field=name)
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
        rows = selectors.with_deadlines(page.rows, tenant=self.actor.tenant, today=services.today())
        return paged_response(request, page, ClaimSerializer(rows, many=True).data)


class ClaimDetail(ScopedAPIView):
    """GET: the claim with its assessment (items, reasons, explanation) and every decision.
    PATCH: the application's facts, condition and payee (while it is with the unit)."""

    role_map = {"GET": ANY_STAFF, "PATCH": REPORTERS}
    serializer_class = ClaimDetailSerializer

    @extend_schema(parameters=[FULL_ID])
    def get(self, request, claim_id):
        return Response(claim_detail_data(request, self.actor, claim_id))

    @extend_schema(
        request=ClaimUpdateSerializer, responses=ClaimDetailSerializer, parameters=[FULL_ID]
    )
    def patch(self, request, claim_id):
        claim = selectors.access_claim(self.actor, claim_id)
        incoming = ClaimUpdateSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        data = {name: value for name, value in incoming.validated_data.items()}
        services.claim_update(actor=self.actor, claim=claim, data=data)
        return Response(claim_detail_data(request, self.actor, claim_id))


class ClaimDocuments(ScopedAPIView):
    """GET: the claim's documents. POST (multipart: ``kind``, ``file``): upload one; the
    type is recognised by content (PDF, JPEG, PNG), never by the file's name."""

    role_map = {"GET": ANY_STAFF, "POST": UPLOADERS}
    serializer_class = DocumentSerializer
    pagination_class = None
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(responses=DocumentSerializer(many=True))
    def get(self, request, claim_id):
        claim = selectors.access_claim(self.actor, claim_id)
        return Response(DocumentSerializer(selectors.claim_documents(claim=claim), many=True).data)

    @extend_schema(
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentSerializer},
    )
    def post(self, request, claim_id):
        claim = selectors.access_claim(self.actor, claim_id)
        # The service checks kind and file (required, size, type by content): its messages.
        document = services.document_add(
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

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, claim_id, document_id):
        claim = selectors.access_claim(self.actor, claim_id)
        document = selectors.access_document(self.actor, claim, document_id)
        path = services.document_path(document)
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

    role_map = {"GET": ANY_STAFF, "POST": REPORTERS}
    serializer_class = ClaimDetailSerializer

    @extend_schema(responses=StepSerializer)
    def get(self, request, claim_id):
        claim = selectors.access_claim(self.actor, claim_id)
        steps = [s for s in allowed_steps(self.actor, claim) if s == "submit"]
        return Response({"status": claim.status, "allowed": steps})

    @extend_schema(request=None, responses=ClaimDetailSerializer)
    def post(self, request, claim_id):
        claim = selectors.access_claim(self.actor, claim_id)
        services.claim_submit(actor=self.actor, claim=claim)
        return Response(claim_detail_data(request, self.actor, claim_id))


class ClaimDecide(ScopedAPIView):
    """GET: the decisions the caller may take now. POST ``{"action", "amount", "reason"}``:
    approve (as assessed, or another amount with a reason), request documents, send to
    investigation, or reject (with a reason). Four-eyes above the tenant's threshold; the
    filer never approves."""

    role_map = {"GET": ANY_STAFF, "POST": REVIEWERS}
    serializer_class = ClaimDetailSerializer

    @extend_schema(responses=StepSerializer)
    def get(self, request, claim_id):
        claim = selectors.access_claim(self.actor, claim_id)
        steps = [s for s in allowed_steps(self.actor, claim) if s in services.REVIEW_ACTIONS]
        return Response({"status": claim.status, "allowed": steps})

    @extend_schema(request=DecideSerializer, responses=ClaimDetailSerializer)
    def post(self, request, claim_id):
        claim = selectors.access_claim(self.actor, claim_id)
        incoming = DecideSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        services.claim_decide(
            actor=self.actor,
            claim=claim,
            action=data["action"],
            amount=data.get("amount"),
            reason=data.get("reason") or "",
        )
        return Response(claim_detail_data(request, self.actor, claim_id))


def _pdf_response(data: bytes, filename: str) -> FileResponse:
    import io

    return FileResponse(
        io.BytesIO(data), as_attachment=True, filename=filename, content_type="application/pdf"
    )


class ClaimNotice(ScopedAPIView):
    """The payout notice (给付通知书) of an approved, batched or paid claim, as PDF."""

    role_map = {"GET": ANY_STAFF}
    serializer_class = ClaimDetailSerializer

    @extend_schema(responses=PDF)
    def get(self, request, claim_id):
        claim = selectors.access_claim(self.actor, claim_id)
        if not documents.has_notice(claim):
            raise DomainError(_("A payout notice is printed once the claim is approved."))
        data = documents.notice_pdf(claim, actor=self.actor)
        return _pdf_response(data, documents.notice_filename(claim))


# --- Payout batches ---------------------------------------------------------------------------


def batch_detail_data(batch: PayoutBatch) -> dict:
    summary = selectors.batch_summary(batch=batch)
    return BatchDetailSerializer(batch, context={"summary": summary}).data


class BatchListBuild(ScopedAPIView):
    """GET: the office's payout batches, newest first. POST: gather the approved, unpaid
    claims (all, or ``claims``) into a new batch, for another finance officer to approve."""

    role_map = {"GET": ANY_STAFF, "POST": BATCH_BUILDERS}
    serializer_class = BatchSerializer
    pagination_class = None

    @extend_schema(
        operation_id="payout_batches_list",
        responses=BatchPageSerializer,
        parameters=[CURSOR, PAGE_SIZE],
    )
    def get(self, request):
        page = selectors.batch_page(
            actor=self.actor, cursor=request.query_params.get("cursor"), size=page_size(request)
        )
        return paged_response(request, page, BatchSerializer(page.rows, many=True).data)

    @extend_schema(request=BatchBuildSerializer, responses={201: BatchDetailSerializer})
    def post(self, request):
        incoming = BatchBuildSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        batch = services.batch_build(
            actor=self.actor,
            tenant_id=self.actor.tenant_id,
            claim_ids=incoming.validated_data.get("claims"),
        )
        if batch is None:
            raise DomainError(_("No approved claims are waiting for a payout batch."))
        batch = selectors.access_batch(self.actor, batch.pk)
        return Response(batch_detail_data(batch), status=status.HTTP_201_CREATED)


class BatchDetail(ScopedAPIView):
    role_map = {"GET": ANY_STAFF}
    serializer_class = BatchDetailSerializer

    def get(self, request, batch_id):
        return Response(batch_detail_data(selectors.access_batch(self.actor, batch_id)))


class BatchLines(ScopedAPIView):
    """The batch's lines in order, with claim, member and unit (keyset-paged)."""

    role_map = {"GET": ANY_STAFF}
    serializer_class = PayoutLineSerializer
    pagination_class = None

    @extend_schema(
        operation_id="payout_batch_lines_list",
        responses=PayoutLinePageSerializer,
        parameters=[CURSOR, PAGE_SIZE],
    )
    def get(self, request, batch_id):
        batch = selectors.access_batch(self.actor, batch_id)
        page = selectors.batch_lines_page(
            batch=batch,
            cursor=request.query_params.get("cursor"),
            size=page_size(request, default=selectors.LINE_PAGE_SIZE),
        )
        return paged_response(
            request,
            page,
            PayoutLineSerializer(page.rows, many=True, context={"actor": self.actor}).data,
        )


class BatchApprove(ScopedAPIView):
    """GET: whether the caller may approve. POST: approve a batch someone else built
    (approving twice changes nothing)."""

    role_map = {"GET": ANY_STAFF, "POST": BATCH_APPROVERS}
    serializer_class = BatchDetailSerializer

    @extend_schema(responses=StepSerializer)
    def get(self, request, batch_id):
        batch = selectors.access_batch(self.actor, batch_id)
        may = (
            batch.status == BatchStatus.BUILT
            and self.actor.has_role(*BATCH_APPROVERS)
            and batch.built_by_id != self.actor.user.pk
        )
        return Response({"status": batch.status, "allowed": ["approve"] if may else []})

    @extend_schema(request=None, responses=BatchDetailSerializer)
    def post(self, request, batch_id):
        batch = selectors.access_batch(self.actor, batch_id)
        services.batch_approve(actor=self.actor, batch=batch)
        return Response(batch_detail_data(selectors.access_batch(self.actor, batch_id)))


class BatchMarkPaid(ScopedAPIView):
    """GET: whether lines wait for payment. POST ``{"paid_on", "lines"}``: mark the pending
    lines (all, or the given ids) paid and their claims paid. A retry pays nothing twice:
    ``paid`` counts only the lines marked by this request."""

    role_map = {"GET": ANY_STAFF, "POST": BATCH_APPROVERS}
    serializer_class = BatchDetailSerializer

    @extend_schema(responses=StepSerializer)
    def get(self, request, batch_id):
        batch = selectors.access_batch(self.actor, batch_id)
        may = batch.status == BatchStatus.APPROVED and self.actor.has_role(*BATCH_APPROVERS)
        return Response({"status": batch.status, "allowed": ["mark_paid"] if may else []})

    @extend_schema(request=MarkPaidSerializer, responses=MarkPaidResultSerializer)
    def post(self, request, batch_id):
        batch = selectors.access_batch(self.actor, batch_id)
        incoming = MarkPaidSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        paid = services.lines_mark_paid(
            actor=self.actor, batch=batch, paid_on=data.get("paid_on"), line_ids=data.get("lines")
        )
        batch = selectors.access_batch(self.actor, batch_id)
        return Response({"paid": paid, "batch": batch_detail_data(batch)})


class LineMarkFailed(ScopedAPIView):
    """GET: the line. POST ``{"reason"}``: the bank returned the transfer; the claim goes
    back to the approved queue for the next batch."""

    role_map = {"GET": ANY_STAFF, "POST": BATCH_APPROVERS}
    serializer_class = PayoutLineSerializer

    def get(self, request, batch_id, line_id):
        batch = selectors.access_batch(self.actor, batch_id)
        line = selectors.access_line(self.actor, batch, line_id)
        return Response(PayoutLineSerializer(line, context={"actor": self.actor}).data)

    @extend_schema(request=ClaimReasonSerializer, responses=PayoutLineSerializer)
    def post(self, request, batch_id, line_id):
        batch = selectors.access_batch(self.actor, batch_id)
        line = selectors.access_line(self.actor, batch, line_id)
        incoming = ClaimReasonSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        line = services.line_mark_failed(
            actor=self.actor, line=line, reason=incoming.validated_data.get("reason") or ""
        )
        line = selectors.access_line(self.actor, batch, line.pk)
        return Response(PayoutLineSerializer(line, context={"actor": self.actor}).data)


class _TemporaryFile:
    """A file written to a temporary path, opened, then unlinked: the open handle streams
    it to the client and the disk space goes back when the response closes it."""

    @staticmethod
    def stream(write, suffix: str):
        directory = Path(tempfile.mkdtemp(prefix="bankfile-"))
        path = directory / f"file{suffix}"
        try:
            write(path)
            handle = path.open("rb")
        finally:
            path.unlink(missing_ok=True)
            directory.rmdir()
        return handle


class BatchBankFile(ScopedAPIView):
    """The bank transfer file of an approved batch: the lines still to pay, as .xlsx
    (amounts as numbers) or .csv (UTF-8 with BOM). Finance and the office admin."""

    extension = "xlsx"
    role_map = {"GET": BATCH_FILE_USERS}
    serializer_class = BatchSerializer

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, batch_id):
        batch = selectors.access_batch(self.actor, batch_id)
        bankfile.check_sendable(batch)
        if self.extension == "csv":
            handle = _TemporaryFile.stream(lambda p: bankfile.write_csv(batch, p), ".csv")
            content_type = "text/csv; charset=utf-8"
        else:
            handle = _TemporaryFile.stream(lambda p: bankfile.write_xlsx(batch, p), ".xlsx")
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return FileResponse(
            handle,
            as_attachment=True,
            filename=bankfile.filename(batch, self.extension),
            content_type=content_type,
        )


class BatchBankFileCsv(BatchBankFile):
    extension = "csv"


class BatchNotices(ScopedAPIView):
    """Every payout notice of the batch in one PDF (up to
    ``documents.BATCH_NOTICES_DIRECT_LIMIT`` claims; bigger batches print on the batch page,
    by a background job with a progress bar)."""

    role_map = {"GET": BATCH_FILE_USERS}
    serializer_class = BatchSerializer

    @extend_schema(responses=PDF)
    def get(self, request, batch_id):
        batch = selectors.access_batch(self.actor, batch_id)
        if batch.line_count > documents.BATCH_NOTICES_DIRECT_LIMIT:
            raise DomainError(
                _("This batch has %(count)s claims: print its notices from the batch page.")
                % {"count": batch.line_count}
            )
        data = documents.batch_notices_pdf(batch, actor=self.actor)
        return _pdf_response(data, documents.batch_notices_filename(batch))


__all__ = [
    "BatchApprove",
    "BatchBankFile",
    "BatchBankFileCsv",
    "BatchDetail",
    "BatchLines",
    "BatchListBuild",
    "BatchMarkPaid",
    "BatchNotices",
    "ClaimDecide",
    "ClaimDetail",
    "ClaimDocumentFile",
    "ClaimDocuments",
    "ClaimList",
    "ClaimNotice",
    "ClaimSubmit",
    "LineMarkFailed",
    "ReportAcceptLate",
    "ReportDetail",
    "ReportListCreate",
    "ReportRefuseLate",
]
