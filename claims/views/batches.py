"""Payout batch pages (SPEC §10): the office's batches, building one now, a batch with its
lines (approve, mark paid, mark a line failed), and its downloads — the bank files (.xlsx,
.csv) and the payout notices — directly when the batch is small, through a background job
with a progress bar when it is big (SPEC §12).

Buttons follow ``claims.access.allowed_actions`` of the batch, the table the services
check: finance approves a batch someone else built, marks lines once it is approved; the
bank file goes out only once it is approved.
"""

from __future__ import annotations

import os
import tempfile

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from claims import access, selectors
from claims.forms import LineFailedForm, PaidForm
from claims.services import payouts
from claims.views.responses import attachment, post_only
from mutualaid.core.errors import DomainError, bind_to_form
from mutualaid.jobs.services import job_create, job_enqueue
from mutualaid.jobs.tasks import run_job
from mutualaid.tenancy.access import shown_bank_account, staff_required

#: A bank file of up to this many lines is written while the user waits; a bigger one
#: is built by a background job with a progress bar (SPEC §12).
BANK_FILE_DIRECT_LIMIT = 500


@staff_required(*access.BATCH_READERS)
def batch_list(request):
    actor = request.actor
    page = selectors.batch_page(actor=actor, cursor=request.GET.get("after"))
    can_build = access.can_build_batch(actor)
    return render(
        request,
        "claims/batch_list.html",
        {
            "page": page,
            "can_build": can_build,
            "waiting": selectors.waiting_for_batch(actor=actor) if can_build else None,
        },
    )


@staff_required(*access.BATCH_BUILDERS)
def batch_build(request):
    """Gather the office's approved, unpaid claims into a batch now (the daily job does
    the same); a second click finds nothing left to gather."""
    actor = request.actor
    if refused := post_only(request):
        return refused
    try:
        batch = payouts.batch_build(actor=actor, tenant_id=actor.tenant_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("claims:batch_list")
    if batch is None:
        messages.info(request, _("No approved claim is waiting for a batch."))
        return redirect("claims:batch_list")
    messages.success(
        request,
        _(
            "Batch %(number)s was built: %(count)s claims, ¥%(total)s. "
            "Another finance officer approves it."
        )
        % {"number": batch.number, "count": batch.line_count, "total": batch.total},
    )
    return redirect("claims:batch_detail", batch.pk)


def _batch_detail(
    request, batch, *, paid_form=None, failed_form=None, failed_line=None, status=200
):
    actor = request.actor
    page = selectors.batch_lines_page(batch=batch, cursor=request.GET.get("after"))
    for line in page.rows:
        line.shown_bank_account = shown_bank_account(line.bank_account, actor)
    return render(
        request,
        "claims/batch_detail.html",
        {
            "batch": batch,
            "page": page,
            "summary": selectors.batch_summary(batch=batch),
            "actions": access.allowed_actions(actor, batch),
            "is_builder": batch.built_by_id == actor.user.pk,
            "paid_form": paid_form
            or PaidForm(initial={"paid_on": timezone.localdate().isoformat()}),
            "failed_form": failed_form or LineFailedForm(),
            "failed_line": failed_line,
        },
        status=status,
    )


@staff_required(*access.BATCH_READERS)
def batch_detail(request, batch_id):
    batch = access.access_batch(request.actor, batch_id)
    return _batch_detail(request, batch)


@staff_required(*access.BATCH_ACTIONS["approve"].roles)
def batch_approve(request, batch_id):
    actor = request.actor
    batch = access.access_batch(actor, batch_id)
    if refused := post_only(request):
        return refused
    try:
        batch = payouts.batch_approve(actor=actor, batch=batch)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Batch %(number)s is approved: send the bank file, then mark the lines paid.")
            % {"number": batch.number},
        )
    return redirect("claims:batch_detail", batch.pk)


@staff_required(*access.BATCH_ACTIONS["mark_paid"].roles)
def batch_paid(request, batch_id):
    """Mark every pending line paid, or the ticked ones ("selected"), on a date."""
    actor = request.actor
    batch = access.access_batch(actor, batch_id)
    if refused := post_only(request):
        return refused
    form = PaidForm(request.POST)
    line_ids = None
    if request.POST.get("which") == "selected":
        line_ids = [raw for raw in request.POST.getlist("line") if raw.isdigit()]
        if not line_ids:
            form.is_valid()
            form.add_error(None, _("Tick the lines that were paid."))
            return _batch_detail(request, batch, paid_form=form, status=400)
    if form.is_valid():
        try:
            count = payouts.lines_mark_paid(
                actor=actor, batch=batch, paid_on=form.cleaned_data["paid_on"], line_ids=line_ids
            )
        except ValidationError as error:
            bind_to_form(form, error)
        else:
            if count:
                messages.success(request, _("%(count)s lines were marked paid.") % {"count": count})
            else:
                messages.info(request, _("Nothing was left to mark paid."))
            return redirect("claims:batch_detail", batch.pk)
    return _batch_detail(request, batch, paid_form=form, status=400)


@staff_required(*access.BATCH_ACTIONS["mark_failed"].roles)
def line_failed(request, batch_id, line_id):
    """The bank returned a transfer: the line fails, its claim goes back to the queue."""
    actor = request.actor
    batch = access.access_batch(actor, batch_id)
    line = access.access_line(actor, batch, line_id)
    if refused := post_only(request):
        return refused
    form = LineFailedForm(request.POST)
    if form.is_valid():
        try:
            payouts.line_mark_failed(actor=actor, line=line, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            bind_to_form(form, error)
        else:
            messages.success(
                request,
                _(
                    "The payment of %(number)s was marked failed; "
                    "the claim waits for the next batch."
                )
                % {"number": line.claim.number},
            )
            return redirect("claims:batch_detail", batch.pk)
    return _batch_detail(request, batch, failed_form=form, failed_line=line.pk, status=400)


# --- Downloads: directly when small, through a background job when big -----------------------

FILE_XLSX, FILE_CSV, FILE_NOTICES = "xlsx", "csv", "notices"


def _direct_limit(kind: str) -> int:
    from claims import documents

    return documents.BATCH_NOTICES_DIRECT_LIMIT if kind == FILE_NOTICES else BANK_FILE_DIRECT_LIMIT


def _file_title(kind: str, batch) -> str:
    if kind == FILE_NOTICES:
        return _("Payout notices of batch %(number)s") % {"number": batch.number}
    return _("Bank file (.%(ext)s) of batch %(number)s") % {"ext": kind, "number": batch.number}


def _direct_file(kind: str, batch, actor) -> HttpResponse:
    from claims import bankfile, documents

    if kind == FILE_NOTICES:
        data = documents.batch_notices_pdf(batch, actor=actor)
        response = HttpResponse(data, content_type="application/pdf")
        return attachment(response, documents.batch_notices_filename(batch))
    folder = tempfile.mkdtemp(prefix="bankfile-")
    path = os.path.join(folder, f"bank.{kind}")
    (bankfile.write_xlsx if kind == FILE_XLSX else bankfile.write_csv)(batch, path)
    handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    os.unlink(path)  # the open handle keeps the bytes; nothing is left on disk
    os.rmdir(folder)
    content_type = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if kind == FILE_XLSX
        else "text/csv; charset=utf-8"
    )
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return attachment(response, bankfile.filename(batch, kind))


def _batch_file(request, batch_id, kind: str):
    """GET: the file itself for a batch of ordinary size; for a big one, a page with a
    button (POST) that starts a background job and shows its progress bar."""
    from claims import jobs

    actor = request.actor
    batch = access.access_batch(actor, batch_id)
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    if kind != FILE_NOTICES:
        from claims import bankfile

        try:
            bankfile.check_sendable(batch)  # the same rule as the API and the job
        except DomainError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("claims:batch_detail", batch.pk)
    direct = batch.line_count <= _direct_limit(kind)
    if request.method == "GET" and direct:
        return _direct_file(kind, batch, actor)
    job = None
    if request.method == "POST":
        with transaction.atomic():
            job = job_create(
                actor=actor,
                kind=jobs.BATCH_FILE,
                title=_file_title(kind, batch),
                organisation=batch.organisation,
                params={"batch": str(batch.pk), "file": kind},
                total=batch.line_count,
            )
            job_enqueue(job, run_job)
    return render(
        request,
        "claims/batch_file.html",
        {"batch": batch, "job": job, "title": _file_title(kind, batch), "kind": kind},
    )


@staff_required(*access.BATCH_FILE_USERS)
def batch_bank_xlsx(request, batch_id):
    return _batch_file(request, batch_id, FILE_XLSX)


@staff_required(*access.BATCH_FILE_USERS)
def batch_bank_csv(request, batch_id):
    return _batch_file(request, batch_id, FILE_CSV)


@staff_required(*access.BATCH_FILE_USERS)
def batch_notices(request, batch_id):
    return _batch_file(request, batch_id, FILE_NOTICES)
