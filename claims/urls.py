"""Claims pages: reports, the reviewer's queue, a claim and its steps, payout batches."""

from django.urls import path

from claims.views import batches, claim, queue, reports, review

app_name = "claims"
CLAIM = "<uuid:claim_id>/"
BATCH = "batches/<uuid:batch_id>/"

urlpatterns = [
    path("", queue.claim_list, name="claim_list"),
    path("report/", reports.report_create, name="report_create"),
    path(CLAIM, claim.claim_detail, name="claim_detail"),
    path(CLAIM + "application/", claim.claim_application, name="claim_application"),
    path(CLAIM + "documents/", claim.document_add, name="document_add"),
    path(
        CLAIM + "documents/<uuid:document_id>/", claim.document_download, name="document_download"
    ),
    path(CLAIM + "submit/", claim.claim_submit, name="claim_submit"),
    path(CLAIM + "decide/", review.claim_decide, name="claim_decide"),
    path(CLAIM + "reassess/", review.claim_reassess, name="claim_reassess"),
    path(CLAIM + "late-report/", review.report_late_decide, name="report_late_decide"),
    path(CLAIM + "payee/", review.claim_payee, name="claim_payee"),
    path(CLAIM + "notice/", claim.claim_notice, name="claim_notice"),
    path("batches/", batches.batch_list, name="batch_list"),
    path("batches/build/", batches.batch_build, name="batch_build"),
    path(BATCH, batches.batch_detail, name="batch_detail"),
    path(BATCH + "approve/", batches.batch_approve, name="batch_approve"),
    path(BATCH + "paid/", batches.batch_paid, name="batch_paid"),
    path(BATCH + "lines/<int:line_id>/failed/", batches.line_failed, name="line_failed"),
    path(BATCH + "bank-file.xlsx", batches.batch_bank_xlsx, name="batch_bank_xlsx"),
    path(BATCH + "bank-file.csv", batches.batch_bank_csv, name="batch_bank_csv"),
    path(BATCH + "notices.pdf", batches.batch_notices, name="batch_notices"),
]
