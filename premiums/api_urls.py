"""The premiums API's URLs under /api/v1/ (the portal's root URLconf includes them)."""

from django.urls import path

from mutualaid.api.moved import moved
from premiums import api

ENROLMENT = "enrolments/<uuid:enrolment_id>/"

urlpatterns = [
    path(ENROLMENT + "invoice/", api.EnrolmentInvoice.as_view(), name="api-enrolment-invoice"),
    path("invoices/", api.InvoiceList.as_view(), name="api-invoice-list"),
    path(
        "invoices/<uuid:invoice_id>/",
        api.InvoiceDetail.as_view(),
        name="api-invoice-detail",
    ),
    path(
        "invoices/<uuid:invoice_id>/payments/",
        api.InvoicePayments.as_view(),
        name="api-invoice-payments",
    ),
    path("renewals/", api.RenewalList.as_view(), name="api-renewal-list"),
    # Before issue 18 (one release): the same without the trailing slash.
    moved(ENROLMENT + "invoice", "api-enrolment-invoice"),
    moved("invoices/<uuid:invoice_id>/payments", "api-invoice-payments"),
]
