"""Premiums pages: the invoice queue, an invoice and its payments, receipts, certificates,
renewals."""

from django.urls import path
from django.views.generic import RedirectView

from premiums import views

app_name = "premiums"
INVOICE = "invoices/<uuid:invoice_id>/"

urlpatterns = [
    # /premiums/ is where people type; the invoice queue is the section's front page.
    path("", RedirectView.as_view(pattern_name="premiums:invoice_list"), name="index"),
    path("invoices/", views.invoice_list, name="invoice_list"),
    path("to-invoice/", views.to_invoice, name="to_invoice"),
    path("enrolments/<uuid:enrolment_id>/invoice/", views.invoice_issue, name="invoice_issue"),
    path("enrolments/<uuid:enrolment_id>/certificate/", views.certificate, name="certificate"),
    path(INVOICE, views.invoice_detail, name="invoice_detail"),
    path(INVOICE + "payments/", views.payment_create, name="payment_create"),
    path(INVOICE + "refunds/", views.refund_create, name="refund_create"),
    path(INVOICE + "activate/", views.invoice_activate, name="invoice_activate"),
    path("payments/<uuid:payment_id>/receipt/", views.receipt, name="receipt"),
    path("renewals/", views.renewal_list, name="renewal_list"),
    path("renewals/<uuid:renewal_id>/submit/", views.renewal_submit, name="renewal_submit"),
]
