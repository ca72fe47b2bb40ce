"""Uploading a roster file to an enrolment: template, preview job, import job.

1. ``upload`` (GET): the template to download and a file input; (POST): the file is
   stored in the job's folder and a ``roster_preview`` job starts.
2. ``upload_job``: the job's progress (the page polls itself with htmx), then the
   preview: counts, the errors (row, Excel column, message), the errors .xlsx and the
   two import buttons; for an import job, the enrolment page once it is done.
3. ``upload_import`` (POST): a ``roster_import`` job on the stored file, all rows or
   only the valid ones.

Every view reaches the enrolment through ``access_enrolment`` first (404 outside the
actor's subtree) and the job through the enrolment (a job of another enrolment is 404),
among the actor's own jobs (``mutualaid.jobs.access``: a preview shows the uploaded rows,
so another user's is 404 too).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enrolment import access
from enrolment.jobs import IMPORT, PREVIEW
from enrolment.roster.template import build_template_xlsx, template_options
from enrolment.uploads import (
    ALLOWED_EXTENSIONS,
    UPLOAD_AGAIN,
    check_roster_file,
    drafting_enrolment,
    roster_import_start,
    roster_job,
    roster_upload_start,
)
from mutualaid.core.errors import DomainError, bind_to_form
from mutualaid.jobs.access import jobs_of
from mutualaid.jobs.models import JobStatus
from mutualaid.tenancy.access import staff_required
from plans.terms import terms_of

DRAFTERS = access.DRAFTERS


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Roster file (.xlsx, .xls or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_EXTENSIONS)}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_roster_file(name=upload.name, size=upload.size)
        except DomainError as error:
            raise forms.ValidationError(error.text, code=error.code) from None
        return upload


def _drafting(request, enrolment_id):
    """The enrolment if the actor may change its roster now (404 outside their reach)."""
    return drafting_enrolment(request.actor, enrolment_id)


def _not_editable(request, enrolment):
    messages.error(request, _("Only a draft or a returned enrolment can take a roster file."))
    return redirect("enrolments:detail", enrolment.pk)


def _access_job(request, enrolment, job_id):
    """A roster job of this enrolment that the actor started; else 404."""
    return roster_job(request.actor, enrolment, job_id)


@staff_required(*DRAFTERS)
def upload(request, enrolment_id):
    enrolment = _drafting(request, enrolment_id)
    if not enrolment.is_editable:
        return _not_editable(request, enrolment)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = roster_upload_start(
                actor=request.actor, enrolment=enrolment, upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            bind_to_form(form, error)
        else:
            return redirect("enrolments:upload_job", enrolment.pk, job.pk)
    return render(request, "enrolment/upload.html", {"enrolment": enrolment, "form": form})


@staff_required(*DRAFTERS)
def upload_template(request, enrolment_id):
    enrolment = _drafting(request, enrolment_id)
    data = build_template_xlsx(
        unit_name=enrolment.organisation.name,
        plan_name=enrolment.plan.display_name,
        **template_options(terms_of(enrolment.plan_version)),
    )
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = _("%(unit)s-%(plan)s-roster template.xlsx") % {
        "unit": enrolment.organisation.name,
        "plan": enrolment.plan.display_name,
    }
    from django.utils.http import content_disposition_header

    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@staff_required(*DRAFTERS)
def upload_job(request, enrolment_id, job_id):
    enrolment = _drafting(request, enrolment_id)
    job = _access_job(request, enrolment, job_id)
    if job.kind == IMPORT and job.status == JobStatus.SUCCEEDED:
        messages.success(request, job.message)
        url = reverse("enrolments:detail", args=[enrolment.pk])
        if request.htmx:
            response = HttpResponse("")
            response["HX-Redirect"] = url
            return response
        return redirect(url)
    context = {
        "enrolment": enrolment,
        "job": job,
        "result": job.result,
        "preview_job": _preview_of(request, enrolment, job),
        "editable": enrolment.is_editable,
    }
    template = "enrolment/_upload_job.html" if request.htmx else "enrolment/upload_job.html"
    return render(request, template, context)


def _preview_of(request, enrolment, job):
    if job.kind == PREVIEW:
        return job
    preview_id = job.params.get("preview_job")
    return (
        jobs_of(request.actor)
        .filter(pk=preview_id, kind=PREVIEW, params__enrolment_id=str(enrolment.pk))
        .first()
        if preview_id
        else None
    )


@staff_required(*DRAFTERS)
def upload_import(request, enrolment_id, job_id):
    enrolment = _drafting(request, enrolment_id)
    preview = _access_job(request, enrolment, job_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not enrolment.is_editable:
        return _not_editable(request, enrolment)
    try:
        job = roster_import_start(
            actor=request.actor,
            enrolment=enrolment,
            preview=preview,
            only_valid=request.POST.get("only_valid") == "1",
        )
    except DomainError as error:
        messages.error(request, error.text)
        if error.code == UPLOAD_AGAIN:
            return redirect("enrolments:upload", enrolment.pk)
        return redirect("enrolments:upload_job", enrolment.pk, preview.pk)
    return redirect("enrolments:upload_job", enrolment.pk, job.pk)
