"""The claims API's URLs under /api/v1/ (the portal's root URLconf includes them)."""

from django.urls import path

from claims.api import batches, claims, reports

REPORT = "incident-reports/<uuid:report_id>/"
CLAIM = "claims/<uuid:claim_id>/"
BATCH = "payout-batches/<uuid:batch_id>/"

urlpatterns = [
    path("incident-reports/", reports.ReportListCreate.as_view(), name="api-incident-report-list"),
    path(REPORT, reports.ReportDetail.as_view(), name="api-incident-report-detail"),
    path(
        REPORT + "accept-late",
        reports.ReportAcceptLate.as_view(),
        name="api-incident-report-accept-late",
    ),
    path(
        REPORT + "refuse-late",
        reports.ReportRefuseLate.as_view(),
        name="api-incident-report-refuse-late",
    ),
    path("claims/", claims.ClaimList.as_view(), name="api-claim-list"),
    path(CLAIM, claims.ClaimDetail.as_view(), name="api-claim-detail"),
    path(CLAIM + "documents/", claims.ClaimDocuments.as_view(), name="api-claim-documents"),
    path(
        CLAIM + "documents/<uuid:document_id>/file",
        claims.ClaimDocumentFile.as_view(),
        name="api-claim-document-file",
    ),
    path(CLAIM + "submit", claims.ClaimSubmit.as_view(), name="api-claim-submit"),
    path(CLAIM + "decide", claims.ClaimDecide.as_view(), name="api-claim-decide"),
    path(CLAIM + "notice.pdf", claims.ClaimNotice.as_view(), name="api-claim-notice"),
    path("payout-batches/", batches.BatchListBuild.as_view(), name="api-payout-batch-list"),
    path(BATCH, batches.BatchDetail.as_view(), name="api-payout-batch-detail"),
    path(BATCH + "lines/", batches.BatchLines.as_view(), name="api-payout-batch-lines"),
    path(BATCH + "approve", batches.BatchApprove.as_view(), name="api-payout-batch-approve"),
    path(BATCH + "mark-paid", batches.BatchMarkPaid.as_view(), name="api-payout-batch-mark-paid"),
    path(
        BATCH + "lines/<int:line_id>/mark-failed",
        batches.LineMarkFailed.as_view(),
        name="api-payout-line-mark-failed",
    ),
    path(
        BATCH + "bank-file.xlsx",
        batches.BatchBankFile.as_view(),
        name="api-payout-batch-bank-file-xlsx",
    ),
    path(
        BATCH + "bank-file.csv",
        batches.BatchBankFileCsv.as_view(),
        name="api-payout-batch-bank-file-csv",
    ),
    path(BATCH + "notices.pdf", batches.BatchNotices.as_view(), name="api-payout-batch-notices"),
]
