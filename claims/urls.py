from django.urls import path

from claims import views

app_name = "claims"
CLAIM = "<uuid:claim_id>/"
BATCH = "batches/<uuid:batch_id>/"

urlpatterns = [
    path("", views.claim_list, name="claim_list"),
    path("report/", views.report_create, name="report_create"),
    path(CLAIM, views.claim_detail, name="claim_detail"),
    path(CLAIM + "application/", views.claim_application, name="claim_application"),
    path(CLAIM + "documents/", views.document_add, name="document_add"),
    path(
        CLAIM + "documents/<uuid:document_id>/", views.document_download, name="document_download"
    ),
    path(CLAIM + "submit/", views.claim_submit, name="claim_submit"),
    path(CLAIM + "decide/", views.claim_decide, name="claim_decide"),
    path(CLAIM + "reassess/", views.claim_reassess, name="claim_reassess"),
    path(CLAIM + "late-report/", views.report_late_decide, name="report_late_decide"),
    path(CLAIM + "payee/", views.claim_payee, name="claim_payee"),
    path(CLAIM + "notice/", views.claim_notice, name="claim_notice"),
    path("batches/", views.batch_list, name="batch_list"),
    path("batches/build/", views.batch_build, name="batch_build"),
    path(BATCH, views.batch_detail, name="batch_detail"),
    path(BATCH + "approve/", views.batch_approve, name="batch_approve"),
    path(BATCH + "paid/", views.batch_paid, name="batch_paid"),
    path(BATCH + "lines/<int:line_id>/failed/", views.line_failed, name="line_failed"),
    path(BATCH + "bank-file.xlsx", views.batch_bank_xlsx, name="batch_bank_xlsx"),
    path(BATCH + "bank-file.csv", views.batch_bank_csv, name="batch_bank_csv"),
    path(BATCH + "notices.pdf", views.batch_notices, name="batch_notices"),
]
