"""The claims API's URLs under /api/v1/ (the portal's root URLconf includes them)."""

from django.urls import path

from claims.api import batches, claims, reports
from mutualaid.api.moved import moved

REPORT = "incident-reports/<uuid:report_id>/"
CLAIM = "claims/<uuid:claim_id>/"
BATCH = "payout-batches/<uuid:batch_id>/"

urlpatterns = [
    path("incident-reports/", reports.ReportListCreate.as_view(), name="api-incident-report-list"),
    path(REPORT, reports.ReportDetail.as_view(), name="api-incident-report-detail"),
    path(
        REPORT + "accept-late/",
        reports.ReportAcceptLate.as_view(),
        name="api-incident-report-accept-late",
    ),
    path(
        REPORT + "refuse-late/",
        reports.ReportRefuseLate.as_view(),
        name="api-incident-report-refuse-late",
    ),
    path("claims/", claims.ClaimList.as_view(), name="api-claim-list"),
    path(CLAIM, claims.ClaimDetail.as_view(), name="api-claim-detail"),
    path(CLAIM + "documents/", claims.ClaimDocuments.as_view(), name="api-claim-documents"),
    path(
        CLAIM + "documents/<uuid:document_id>/file/",
        claims.ClaimDocumentFile.as_view(),
        name="api-claim-document-file",
    ),
    path(CLAIM + "submit/", claims.ClaimSubmit.as_view(), name="api-claim-submit"),
    path(CLAIM + "decide/", claims.ClaimDecide.as_view(), name="api-claim-decide"),
    path(CLAIM + "notice/", claims.ClaimNotice.as_view(), name="api-claim-notice"),
    path("payout-batches/", batches.BatchListBuild.as_view(), name="api-payout-batch-list"),
    path(BATCH, batches.BatchDetail.as_view(), name="api-payout-batch-detail"),
    path(BATCH + "lines/", batches.BatchLines.as_view(), name="api-payout-batch-lines"),
    path(BATCH + "approve/", batches.BatchApprove.as_view(), name="api-payout-batch-approve"),
    path(BATCH + "mark-paid/", batches.BatchMarkPaid.as_view(), name="api-payout-batch-mark-paid"),
    path(
        BATCH + "lines/<int:line_id>/mark-failed/",
        batches.LineMarkFailed.as_view(),
        name="api-payout-line-mark-failed",
    ),
    path(
        BATCH + "bank-file/xlsx/",
        batches.BatchBankFile.as_view(),
        name="api-payout-batch-bank-file-xlsx",
    ),
    path(
        BATCH + "bank-file/csv/",
        batches.BatchBankFileCsv.as_view(),
        name="api-payout-batch-bank-file-csv",
    ),
    path(BATCH + "notices/", batches.BatchNotices.as_view(), name="api-payout-batch-notices"),
    # Before issue 18 (one release): without the trailing slash, files with an extension.
    moved(REPORT + "accept-late", "api-incident-report-accept-late"),
    moved(REPORT + "refuse-late", "api-incident-report-refuse-late"),
    moved(CLAIM + "documents/<uuid:document_id>/file", "api-claim-document-file"),
    moved(CLAIM + "submit", "api-claim-submit"),
    moved(CLAIM + "decide", "api-claim-decide"),
    moved(CLAIM + "notice.pdf", "api-claim-notice"),
    moved(BATCH + "approve", "api-payout-batch-approve"),
    moved(BATCH + "mark-paid", "api-payout-batch-mark-paid"),
    moved(BATCH + "lines/<int:line_id>/mark-failed", "api-payout-line-mark-failed"),
    moved(BATCH + "bank-file.xlsx", "api-payout-batch-bank-file-xlsx"),
    moved(BATCH + "bank-file.csv", "api-payout-batch-bank-file-csv"),
    moved(BATCH + "notices.pdf", "api-payout-batch-notices"),
]
