"""Premium pages: finance's queue and invoices, payments, receipts, certificates, and the
agents' "due for renewal" list. Thin: access helper first (404 outside the subtree, for
any method), then the service; POST-only views answer 405 to a GET after that."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from enrolment import access as enrolment_access
from enrolment import selectors as enrolment_selectors
from enrolment.models import FUNDING_PARTIES, EnrolmentStatus
from enrolment.services.workflow import enrolment_submit
from mutualaid.core.errors import bind_to_form
from mutualaid.jobs.services import job_create, job_enqueue
from mutualaid.jobs.tasks import run_job
from mutualaid.tenancy.access import staff_required
from plans.access import access_plan_filter
from plans.models import Plan
from premiums import access, documents, jobs, selectors, services
from premiums.forms import PaymentForm, QueueFilterForm, RefundForm
from premiums.models import PARTY_OF_FIELD, InvoiceStatus, PaymentKind
from premiums.selectors import OPEN, RenewalState


def _post_only(request):
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


def _pdf(data: bytes, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


# --- Queue -------------------------------------------------------------------------------------


@staff_required()
def invoice_list(request):
    actor = request.actor
    form = QueueFilterForm(request.GET or None)
    filters = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "status": data["status"] or "",
            "issued_from": data["issued_from"],
            "issued_to": data["issued_to"],
            "number": data["number"] or "",
        }
        if data["plan"]:
            filters["plan"] = access_plan_filter(actor, data["plan"])
    elif request.GET:
        filters = {"status": request.GET.get("status", "")}
    page = selectors.invoice_page(actor=actor, after=request.GET.get("after"), **filters)
    keep = {k: v for k, v in request.GET.items() if k != "after" and v}
    return render(
        request,
        "premiums/invoice_list.html",
        {
            "page": page,
            "form": form,
            "status": filters.get("status", ""),
            "statuses": [(OPEN, _("Needs action")), *InvoiceStatus.choices],
            "plans": Plan.objects.for_actor(actor).order_by("code"),
            "plan": filters.get("plan"),
            "keep": keep,
            "can_issue": actor.has_role(*access.ISSUERS),
        },
    )


@staff_required(*access.ISSUERS)
def to_invoice(request):
    """Accepted enrolments waiting for their invoice (the daily job invoices them too)."""
    page = enrolment_selectors.enrolment_page(
        actor=request.actor, status=EnrolmentStatus.ACCEPTED, after=request.GET.get("after")
    )
    return render(request, "premiums/to_invoice.html", {"page": page})


@staff_required(*access.ISSUERS)
def invoice_issue(request, enrolment_id):
    enrolment = enrolment_access.access_enrolment(request.actor, enrolment_id)
    if refused := _post_only(request):
        return refused
    try:
        invoice = services.invoice_issue(actor=request.actor, enrolment=enrolment)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("premiums:to_invoice")
    messages.success(request, _("Invoice %(number)s was issued.") % {"number": invoice.number})
    return redirect("premiums:invoice_detail", invoice.pk)


# --- Invoice, payments -------------------------------------------------------------------------


def _detail(request, invoice, *, payment_form=None, refund_form=None, status=200):
    actor = request.actor
    enrolment = invoice.enrolment
    payments = selectors.invoice_payments(invoice=invoice)
    cashier = access.can_record_payment(actor, invoice.organisation)
    parties = [PARTY_OF_FIELD[f] for f in FUNDING_PARTIES[enrolment.funding_mode]]
    return render(
        request,
        "premiums/invoice_detail.html",
        {
            "invoice": invoice,
            "enrolment": enrolment,
            "items": list(invoice.items.order_by("position", "id")),
            "shares": list(invoice.shares.select_related("payer_organisation").order_by("id")),
            "payments": payments,
            "cashier": cashier,
            "payment_form": payment_form or PaymentForm(prefix="pay", parties=parties),
            "refund_form": refund_form or RefundForm(prefix="refund"),
            "show_refund": cashier and (invoice.overpaid_by > 0 or refund_form is not None),
            "can_retry": cashier
            and invoice.activation_problem
            and enrolment.status == EnrolmentStatus.INVOICED,
            "certificate": enrolment.status == EnrolmentStatus.IN_FORCE,
            "certificate_direct": enrolment.member_count <= documents.CERTIFICATE_DIRECT_LIMIT,
        },
        status=status,
    )


@staff_required()
def invoice_detail(request, invoice_id):
    invoice = access.access_invoice(request.actor, invoice_id)
    return _detail(request, invoice)


@staff_required(*access.CASHIERS)
def payment_create(request, invoice_id):
    invoice = access.access_invoice(request.actor, invoice_id)
    if refused := _post_only(request):
        return refused
    form = PaymentForm(request.POST, prefix="pay")
    if form.is_valid():
        try:
            result = services.payment_record(
                actor=request.actor, invoice=invoice, **form.cleaned_data
            )
        except ValidationError as error:
            bind_to_form(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            invoice = result.invoice
            if result.brought_into_force:
                messages.success(
                    request,
                    _(
                        "Payment recorded: the invoice is paid and the cover is in force "
                        "from %(start)s."
                    )
                    % {"start": invoice.enrolment.coverage_start.isoformat()},
                )
            elif result.activation_problem:
                messages.error(
                    request,
                    _(
                        "Payment recorded and the invoice is paid, "
                        "but the cover could not start: %(why)s"
                    )
                    % {"why": result.activation_problem},
                )
            elif invoice.status == InvoiceStatus.PARTIALLY_PAID:
                messages.warning(
                    request,
                    _(
                        "Payment recorded. ¥%(due)s is still due: "
                        "the cover starts when it is paid in full."
                    )
                    % {"due": invoice.outstanding},
                )
            elif invoice.status == InvoiceStatus.OVERPAID:
                messages.warning(
                    request,
                    _(
                        "Payment recorded. ¥%(excess)s was received too much: "
                        "record the refund when it is paid back."
                    )
                    % {"excess": invoice.overpaid_by},
                )
            else:
                messages.success(request, _("Payment recorded."))
            return redirect("premiums:invoice_detail", invoice.pk)
    return _detail(request, invoice, payment_form=form, status=400)


@staff_required(*access.CASHIERS)
def refund_create(request, invoice_id):
    invoice = access.access_invoice(request.actor, invoice_id)
    if refused := _post_only(request):
        return refused
    form = RefundForm(request.POST, prefix="refund")
    if form.is_valid():
        try:
            services.refund_record(actor=request.actor, invoice=invoice, **form.cleaned_data)
        except ValidationError as error:
            bind_to_form(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Refund recorded."))
            return redirect("premiums:invoice_detail", invoice.pk)
    return _detail(request, invoice, refund_form=form, status=400)


@staff_required(*access.CASHIERS)
def invoice_activate(request, invoice_id):
    invoice = access.access_invoice(request.actor, invoice_id)
    if refused := _post_only(request):
        return refused
    try:
        services.invoice_activate(actor=request.actor, invoice=invoice)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("The cover is in force."))
    return redirect("premiums:invoice_detail", invoice.pk)


@staff_required()
def receipt(request, payment_id):
    payment = access.access_payment(request.actor, payment_id)
    if payment.kind != PaymentKind.PAYMENT:
        raise Http404
    return _pdf(documents.receipt_pdf(payment), documents.receipt_filename(payment))


@staff_required()
def certificate(request, enrolment_id):
    """The unit's enrolment certificate: a download for ordinary units, a job with a
    progress bar for big ones (POST starts it)."""
    actor = request.actor
    enrolment = enrolment_access.access_enrolment(actor, enrolment_id)
    in_force = enrolment.status == EnrolmentStatus.IN_FORCE
    if (
        in_force
        and request.method == "GET"
        and enrolment.member_count <= documents.CERTIFICATE_DIRECT_LIMIT
    ):
        return _pdf(documents.certificate_pdf(enrolment), documents.certificate_filename(enrolment))
    job = None
    if request.method == "POST" and in_force:
        with transaction.atomic():
            job = job_create(
                actor=actor,
                kind=jobs.CERTIFICATE,
                title=_("Enrolment certificate: %(unit)s, %(plan)s")
                % {"unit": enrolment.organisation.name, "plan": enrolment.plan.display_name},
                organisation=enrolment.organisation,
                params={"enrolment": str(enrolment.pk)},
                total=3,
            )
            job_enqueue(job, run_job)
    elif request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    return render(
        request,
        "premiums/certificate.html",
        {"enrolment": enrolment, "in_force": in_force, "job": job},
        status=200 if in_force else 409,
    )


# --- Renewals ----------------------------------------------------------------------------------


@staff_required()
def renewal_list(request):
    state = request.GET.get("state", RenewalState.DUE)
    page = selectors.renewal_page(actor=request.actor, state=state, after=request.GET.get("after"))
    today = timezone.localdate()
    for row in page.rows:
        row.late = row.deadline < today
        row.can_submit = (
            row.enrolment is not None
            and row.enrolment.status in (EnrolmentStatus.DRAFT, EnrolmentStatus.RETURNED)
            and enrolment_access.can_draft(request.actor, row.organisation)
        )
    states = [
        (RenewalState.DUE, _("To submit")),
        (RenewalState.IN_PROGRESS, _("Submitted")),
        (RenewalState.RENEWED, _("Renewed")),
        (RenewalState.CANCELLED, _("Cancelled")),
        (RenewalState.ALL, _("All")),
    ]
    return render(
        request, "premiums/renewal_list.html", {"page": page, "state": state, "states": states}
    )


@staff_required(*enrolment_access.DRAFTERS)
def renewal_submit(request, renewal_id):
    """One click: submit the prepared renewal as it is."""
    renewal = access.access_renewal(request.actor, renewal_id)
    if refused := _post_only(request):
        return refused
    if renewal.enrolment is None:
        messages.error(request, _("There is no renewal to submit."))
        return redirect("premiums:renewal_list")
    try:
        enrolment_submit(actor=request.actor, enrolment=renewal.enrolment)
    except (ValidationError, PermissionDenied) as error:
        messages.error(
            request,
            _("The renewal was not submitted: %(why)s")
            % {"why": " ".join(getattr(error, "messages", [str(error)]))},
        )
        return redirect(reverse("enrolments:detail", args=[renewal.enrolment_id]))
    messages.success(
        request,
        _("The renewal of %(unit)s was submitted.") % {"unit": renewal.organisation.name},
    )
    return redirect("premiums:renewal_list")
