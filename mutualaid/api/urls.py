from django.urls import path

from claims import api as claims_api
from enrolment import api as enrolment_api
from members import api as members_api
from mutualaid.tenancy import api as tenancy_api
from plans import api as plans_api
from premiums import api as premiums_api
from stats import api as stats_api

PLAN = "plans/<uuid:plan_id>/"
VERSION = PLAN + "versions/<uuid:version_id>/"
ENROLMENT = "enrolments/<uuid:enrolment_id>/"
REPORT = "incident-reports/<uuid:report_id>/"
CLAIM = "claims/<uuid:claim_id>/"
BATCH = "payout-batches/<uuid:batch_id>/"

urlpatterns = [
    path(
        "organisations/", tenancy_api.OrganisationListCreate.as_view(), name="api-organisation-list"
    ),
    path(
        "organisations/<uuid:organisation_id>/",
        tenancy_api.OrganisationDetail.as_view(),
        name="api-organisation-detail",
    ),
    path("users/", tenancy_api.StaffListCreate.as_view(), name="api-user-list"),
    path("users/<uuid:user_id>/", tenancy_api.StaffDetail.as_view(), name="api-user-detail"),
    path("me/", tenancy_api.Me.as_view(), name="api-me"),
    path("units/", members_api.UnitListCreate.as_view(), name="api-unit-list"),
    path("units/<uuid:unit_id>/", members_api.UnitDetail.as_view(), name="api-unit-detail"),
    path("members/", members_api.MemberListCreate.as_view(), name="api-member-list"),
    path("members/<uuid:member_id>/", members_api.MemberDetail.as_view(), name="api-member-detail"),
    path(
        "members/<uuid:member_id>/transfers/",
        members_api.MemberTransfers.as_view(),
        name="api-member-transfers",
    ),
    path("plans/", plans_api.PlanListCreate.as_view(), name="api-plan-list"),
    path(PLAN, plans_api.PlanDetail.as_view(), name="api-plan-detail"),
    path(PLAN + "versions/", plans_api.VersionListCreate.as_view(), name="api-plan-version-list"),
    path(VERSION, plans_api.VersionDetail.as_view(), name="api-plan-version-detail"),
    path(VERSION + "publish", plans_api.VersionPublish.as_view(), name="api-plan-version-publish"),
    path(VERSION + "copy", plans_api.VersionCopy.as_view(), name="api-plan-version-copy"),
    path(VERSION + "assess", plans_api.VersionAssess.as_view(), name="api-plan-version-assess"),
    path(VERSION + "items/", plans_api.ItemListCreate.as_view(), name="api-plan-item-list"),
    path(
        VERSION + "items/<uuid:item_id>/",
        plans_api.ItemDetail.as_view(),
        name="api-plan-item-detail",
    ),
    path("enrolments/", enrolment_api.EnrolmentListCreate.as_view(), name="api-enrolment-list"),
    path(ENROLMENT, enrolment_api.EnrolmentDetail.as_view(), name="api-enrolment-detail"),
    path(ENROLMENT + "submit", enrolment_api.step_view("submit"), name="api-enrolment-submit"),
    path(ENROLMENT + "check", enrolment_api.step_view("check"), name="api-enrolment-check"),
    path(ENROLMENT + "accept", enrolment_api.step_view("accept"), name="api-enrolment-accept"),
    path(
        ENROLMENT + "send-back",
        enrolment_api.step_view("send_back"),
        name="api-enrolment-send-back",
    ),
    path(ENROLMENT + "cancel", enrolment_api.step_view("cancel"), name="api-enrolment-cancel"),
    path(ENROLMENT + "lines/", enrolment_api.EnrolmentLines.as_view(), name="api-enrolment-lines"),
    path(
        ENROLMENT + "lines/import",
        enrolment_api.EnrolmentLinesImport.as_view(),
        name="api-enrolment-lines-import",
    ),
    path(
        ENROLMENT + "lines/<uuid:member_id>/",
        enrolment_api.EnrolmentLineDetail.as_view(),
        name="api-enrolment-line-detail",
    ),
    path("policies/", enrolment_api.PolicyList.as_view(), name="api-policy-list"),
    path(
        "policies/<uuid:policy_id>/", enrolment_api.PolicyDetail.as_view(), name="api-policy-detail"
    ),
    # premiums app
    path(
        ENROLMENT + "invoice", premiums_api.EnrolmentInvoice.as_view(), name="api-enrolment-invoice"
    ),
    path("invoices/", premiums_api.InvoiceList.as_view(), name="api-invoice-list"),
    path(
        "invoices/<uuid:invoice_id>/",
        premiums_api.InvoiceDetail.as_view(),
        name="api-invoice-detail",
    ),
    path(
        "invoices/<uuid:invoice_id>/payments",
        premiums_api.InvoicePayments.as_view(),
        name="api-invoice-payments",
    ),
    path("renewals/", premiums_api.RenewalList.as_view(), name="api-renewal-list"),
    # claims app
    path(
        "incident-reports/", claims_api.ReportListCreate.as_view(), name="api-incident-report-list"
    ),
    path(REPORT, claims_api.ReportDetail.as_view(), name="api-incident-report-detail"),
    path(
        REPORT + "accept-late",
        claims_api.ReportAcceptLate.as_view(),
        name="api-incident-report-accept-late",
    ),
    path(
        REPORT + "refuse-late",
        claims_api.ReportRefuseLate.as_view(),
        name="api-incident-report-refuse-late",
    ),
    path("claims/", claims_api.ClaimList.as_view(), name="api-claim-list"),
    path(CLAIM, claims_api.ClaimDetail.as_view(), name="api-claim-detail"),
    path(CLAIM + "documents/", claims_api.ClaimDocuments.as_view(), name="api-claim-documents"),
    path(
        CLAIM + "documents/<uuid:document_id>/file",
        claims_api.ClaimDocumentFile.as_view(),
        name="api-claim-document-file",
    ),
    path(CLAIM + "submit", claims_api.ClaimSubmit.as_view(), name="api-claim-submit"),
    path(CLAIM + "decide", claims_api.ClaimDecide.as_view(), name="api-claim-decide"),
    path(CLAIM + "notice.pdf", claims_api.ClaimNotice.as_view(), name="api-claim-notice"),
    path("payout-batches/", claims_api.BatchListBuild.as_view(), name="api-payout-batch-list"),
    path(BATCH, claims_api.BatchDetail.as_view(), name="api-payout-batch-detail"),
    path(BATCH + "lines/", claims_api.BatchLines.as_view(), name="api-payout-batch-lines"),
    path(BATCH + "approve", claims_api.BatchApprove.as_view(), name="api-payout-batch-approve"),
    path(
        BATCH + "mark-paid", claims_api.BatchMarkPaid.as_view(), name="api-payout-batch-mark-paid"
    ),
    path(
        BATCH + "lines/<int:line_id>/mark-failed",
        claims_api.LineMarkFailed.as_view(),
        name="api-payout-line-mark-failed",
    ),
    path(
        BATCH + "bank-file.xlsx",
        claims_api.BatchBankFile.as_view(),
        name="api-payout-batch-bank-file-xlsx",
    ),
    path(
        BATCH + "bank-file.csv",
        claims_api.BatchBankFileCsv.as_view(),
        name="api-payout-batch-bank-file-csv",
    ),
    path(BATCH + "notices.pdf", claims_api.BatchNotices.as_view(), name="api-payout-batch-notices"),
    # stats app
    path(
        "stats/nodes/<uuid:organisation_id>/", stats_api.StatsNode.as_view(), name="api-stats-node"
    ),
    path("stats/returns/", stats_api.StatsReturns.as_view(), name="api-stats-returns"),
]
