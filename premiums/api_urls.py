"""The premiums API's URLs under /api/v1/ (the portal's root URLconf includes them)."""

from django.urls import path

from premiums import api

ENROLMENT = "enrolments/<uuid:enrolment_id>/"

urlpatterns = [
    path(ENROLMENT + "invoice", api.EnrolmentInvoice.as_view(), name="api-enrolment-invoice"),
    path("invoices/", api.InvoiceList.as_view(), name="api-invoice-list"),
    path(
        "invoices/<uuid:invoice_id>/",
        api.InvoiceDetail.as_view(),
        name="api-invoice-detail",
    ),
    path(
        "invoices/<uuid:invoice_id>/payments",
        api.InvoicePayments.as_view(),
        name="api-invoice-payments",
    ),
    path("renewals/", api.RenewalList.as_view(), name="api-renewal-list"),
]
