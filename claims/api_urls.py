"""The claims API's URLs under /api/v1/ (the portal's root URLconf includes them)."""

from django.urls import path

from claims import api

REPORT = "incident-reports/<uuid:report_id>/"
CLAIM = "claims/<uuid:claim_id>/"
BATCH = "payout-batches/<uuid:batch_id>/"

urlpatterns = [
    path("incident-reports/", api.ReportListCreate.as_view(), name="api-incident-report-list"),
    path(REPORT, api.ReportDetail.as_view(), name="api-incident-report-detail"),
    path(
        REPORT + "accept-late",
        api.ReportAcceptLate.as_view(),
        name="api-incident-report-accept-late",
    ),
    path(
        REPORT + "refuse-late",
        api.ReportRefuseLate.as_view(),
        name="api-incident-report-refuse-late",
    ),
    path("claims/", api.ClaimList.as_view(), name="api-claim-list"),
    path(CLAIM, api.ClaimDetail.as_view(), name="api-claim-detail"),
    path(CLAIM + "documents/", api.ClaimDocuments.as_view(), name="api-claim-documents"),
    path(
        CLAIM + "documents/<uuid:document_id>/file",
        api.ClaimDocumentFile.as_view(),
        name="api-claim-document-file",
    ),
    path(CLAIM + "submit", api.ClaimSubmit.as_view(), name="api-claim-submit"),
    path(CLAIM + "decide", api.ClaimDecide.as_view(), name="api-claim-decide"),
    path(CLAIM + "notice.pdf", api.ClaimNotice.as_view(), name="api-claim-notice"),
    path("payout-batches/", api.BatchListBuild.as_view(), name="api-payout-batch-list"),
    path(BATCH, api.BatchDetail.as_view(), name="api-payout-batch-detail"),
    path(BATCH + "lines/", api.BatchLines.as_view(), name="api-payout-batch-lines"),
    path(BATCH + "approve", api.BatchApprove.as_view(), name="api-payout-batch-approve"),
    path(BATCH + "mark-paid", api.BatchMarkPaid.as_view(), name="api-payout-batch-mark-paid"),
    path(
        BATCH + "lines/<int:line_id>/mark-failed",
        api.LineMarkFailed.as_view(),
        name="api-payout-line-mark-failed",
    ),
    path(
        BATCH + "bank-file.xlsx",
        api.BatchBankFile.as_view(),
        name="api-payout-batch-bank-file-xlsx",
    ),
    path(
        BATCH + "bank-file.csv",
        api.BatchBankFileCsv.as_view(),
        name="api-payout-batch-bank-file-csv",
    ),
    path(BATCH + "notices.pdf", api.BatchNotices.as_view(), name="api-payout-batch-notices"),
]
