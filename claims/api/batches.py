"""Payout batches: the office's batches, one built now, its lines, approval by finance
(not the builder), lines marked paid or failed, and the bank files and notices."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.response import Response

from claims import access, bankfile, documents, selectors
from claims.api.claims import PDF, pdf_response
from claims.models import PayoutBatch
from claims.serializers import (
    BatchBuildSerializer,
    BatchDetailSerializer,
    BatchPageSerializer,
    BatchSerializer,
    ClaimReasonSerializer,
    MarkPaidResultSerializer,
    MarkPaidSerializer,
    PayoutLinePageSerializer,
    PayoutLineSerializer,
    StepSerializer,
)
from claims.services import payouts
from mutualaid.api.base import ScopedAPIView
from mutualaid.api.keyset import CURSOR, PAGE_SIZE, page_size, paged_response
from mutualaid.core.errors import DomainError

ANY_STAFF: set[str] = set()
BATCH_APPROVERS = set(access.BATCH_APPROVERS)
#: Bank files and notices name payees and accounts: finance and the office admin (as the
#: batch pages).
BATCH_FILE_USERS = set(access.BATCH_FILE_USERS)


def batch_detail_data(batch: PayoutBatch) -> dict:
    summary = selectors.batch_summary(batch=batch)
    return BatchDetailSerializer(batch, context={"summary": summary}).data


def _step(actor, batch: PayoutBatch, step: str) -> Response:
    """GET of a step: the batch's state and whether the caller may take the step now."""
    allowed = step in access.allowed_actions(actor, batch)
    return Response({"status": batch.status, "allowed": [step] if allowed else []})


class BatchListBuild(ScopedAPIView):
    """GET: the office's payout batches, newest first. POST: gather the approved, unpaid
    claims (all, or ``claims``) into a new batch, for another finance officer to approve."""

    role_map = {"GET": ANY_STAFF, "POST": set(access.BATCH_BUILDERS)}
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
        batch = payouts.batch_build(
            actor=self.actor,
            tenant_id=self.actor.tenant_id,
            claim_ids=incoming.validated_data.get("claims"),
        )
        if batch is None:
            raise DomainError(_("No approved claims are waiting for a payout batch."))
        batch = access.access_batch(self.actor, batch.pk)
        return Response(batch_detail_data(batch), status=status.HTTP_201_CREATED)


class BatchDetail(ScopedAPIView):
    role_map = {"GET": ANY_STAFF}
    serializer_class = BatchDetailSerializer

    def get(self, request, batch_id):
        return Response(batch_detail_data(access.access_batch(self.actor, batch_id)))


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
        batch = access.access_batch(self.actor, batch_id)
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
        return _step(self.actor, access.access_batch(self.actor, batch_id), "approve")

    @extend_schema(request=None, responses=BatchDetailSerializer)
    def post(self, request, batch_id):
        batch = access.access_batch(self.actor, batch_id)
        payouts.batch_approve(actor=self.actor, batch=batch)
        return Response(batch_detail_data(access.access_batch(self.actor, batch_id)))


class BatchMarkPaid(ScopedAPIView):
    """GET: whether lines wait for payment. POST ``{"paid_on", "lines"}``: mark the pending
    lines (all, or the given ids) paid and their claims paid. A retry pays nothing twice:
    ``paid`` counts only the lines marked by this request."""

    role_map = {"GET": ANY_STAFF, "POST": BATCH_APPROVERS}
    serializer_class = BatchDetailSerializer

    @extend_schema(responses=StepSerializer)
    def get(self, request, batch_id):
        return _step(self.actor, access.access_batch(self.actor, batch_id), "mark_paid")

    @extend_schema(request=MarkPaidSerializer, responses=MarkPaidResultSerializer)
    def post(self, request, batch_id):
        batch = access.access_batch(self.actor, batch_id)
        incoming = MarkPaidSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        paid = payouts.lines_mark_paid(
            actor=self.actor, batch=batch, paid_on=data.get("paid_on"), line_ids=data.get("lines")
        )
        batch = access.access_batch(self.actor, batch_id)
        return Response({"paid": paid, "batch": batch_detail_data(batch)})


class LineMarkFailed(ScopedAPIView):
    """GET: the line. POST ``{"reason"}``: the bank returned the transfer; the claim goes
    back to the approved queue for the next batch."""

    role_map = {"GET": ANY_STAFF, "POST": BATCH_APPROVERS}
    serializer_class = PayoutLineSerializer

    def get(self, request, batch_id, line_id):
        batch = access.access_batch(self.actor, batch_id)
        line = access.access_line(self.actor, batch, line_id)
        return Response(PayoutLineSerializer(line, context={"actor": self.actor}).data)

    @extend_schema(request=ClaimReasonSerializer, responses=PayoutLineSerializer)
    def post(self, request, batch_id, line_id):
        batch = access.access_batch(self.actor, batch_id)
        line = access.access_line(self.actor, batch, line_id)
        incoming = ClaimReasonSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        line = payouts.line_mark_failed(
            actor=self.actor, line=line, reason=incoming.validated_data.get("reason") or ""
        )
        line = access.access_line(self.actor, batch, line.pk)
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


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"


class BatchBankFile(ScopedAPIView):
    """The bank transfer file of an approved batch: the lines still to pay, as .xlsx
    (amounts as numbers) or .csv (UTF-8 with BOM). Finance and the office admin."""

    extension = "xlsx"
    role_map = {"GET": BATCH_FILE_USERS}
    serializer_class = BatchSerializer

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY})
    def get(self, request, batch_id):
        batch = access.access_batch(self.actor, batch_id)
        bankfile.check_sendable(batch)
        if self.extension == "csv":
            handle = _TemporaryFile.stream(lambda p: bankfile.write_csv(batch, p), ".csv")
            content_type = f"{CSV}; charset=utf-8"
        else:
            handle = _TemporaryFile.stream(lambda p: bankfile.write_xlsx(batch, p), ".xlsx")
            content_type = XLSX
        return FileResponse(
            handle,
            as_attachment=True,
            filename=bankfile.filename(batch, self.extension),
            content_type=content_type,
        )


@extend_schema_view(get=extend_schema(responses={(200, CSV): OpenApiTypes.BINARY}))
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
        batch = access.access_batch(self.actor, batch_id)
        if batch.line_count > documents.BATCH_NOTICES_DIRECT_LIMIT:
            raise DomainError(
                _("This batch has %(count)s claims: print its notices from the batch page.")
                % {"count": batch.line_count}
            )
        data = documents.batch_notices_pdf(batch, actor=self.actor)
        return pdf_response(data, documents.batch_notices_filename(batch))
