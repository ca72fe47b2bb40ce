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

from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enrolment import access
from enrolment.jobs import IMPORT, PREVIEW
from enrolment.roster.reader import DEFAULT_MAX_BYTES
from enrolment.roster.template import build_template_xlsx, template_options
from mutualaid.jobs.access import access_job, jobs_of
from mutualaid.jobs.models import Job, JobStatus
from mutualaid.jobs.services import job_create, job_enqueue, job_file_path
from mutualaid.jobs.tasks import run_job
from mutualaid.tenancy.access import staff_required
from plans.terms import terms_of

DRAFTERS = access.DRAFTERS
ALLOWED_EXTENSIONS = (".xlsx", ".xls", ".csv")


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Roster file (.xlsx, .xls or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_EXTENSIONS)}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in ALLOWED_EXTENSIONS:
            raise forms.ValidationError(
                _(
                    "This is not a roster file: upload an Excel file (.xlsx or .xls) "
                    "or a .csv file."
                ),
                code="roster_wrong_type",
            )
        if upload.size > DEFAULT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB: split it into several files.")
                % {"mb": DEFAULT_MAX_BYTES // (1024 * 1024)},
                code="roster_too_big",
            )
        return upload


def _drafting(request, enrolment_id):
    """The enrolment if the actor may change its roster now (404 outside their reach)."""
    enrolment = access.access_enrolment(request.actor, enrolment_id)
    if not access.can_draft(request.actor, enrolment.organisation):
        raise PermissionDenied
    return enrolment


def _not_editable(request, enrolment):
    messages.error(request, _("Only a draft or a returned enrolment can take a roster file."))
    return redirect("enrolments:detail", enrolment.pk)


def _access_job(request, enrolment, job_id) -> Job:
    """A roster job of this enrolment that the actor started; else 404."""
    return access_job(
        request.actor,
        job_id,
        kind__in=(PREVIEW, IMPORT),
        params__enrolment_id=str(enrolment.pk),
    )


@staff_required(*DRAFTERS)
def upload(request, enrolment_id):
    enrolment = _drafting(request, enrolment_id)
    if not enrolment.is_editable:
        return _not_editable(request, enrolment)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        filename = Path(upload_file.name).name
        job = job_create(
            actor=request.actor,
            kind=PREVIEW,
            title=_("Check the roster %(file)s") % {"file": filename},
            organisation=enrolment.organisation,
            params={"enrolment_id": str(enrolment.pk), "filename": filename},
        )
        path = job_file_path(job, "upload" + Path(filename).suffix.lower())
        with path.open("wb") as out:
            for chunk in upload_file.chunks():
                out.write(chunk)
        job.params["file"] = str(path.relative_to(settings.MEDIA_ROOT))
        job.save(update_fields=["params"])
        job_enqueue(job, run_job)
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
    result = preview.result
    if (
        preview.kind != PREVIEW
        or preview.status != JobStatus.SUCCEEDED
        or result.get("file_error")
        or not result.get("valid")
    ):
        messages.error(request, _("There is nothing to import from this file."))
        return redirect("enrolments:upload_job", enrolment.pk, preview.pk)
    if preview.files_expired_at:
        messages.error(
            request,
            _("The file was past its retention period and has been deleted: upload it again."),
        )
        return redirect("enrolments:upload", enrolment.pk)
    only_valid = request.POST.get("only_valid") == "1"
    if result.get("invalid") and not only_valid:
        messages.error(
            request, _("The file has rows with errors: fix them, or import only the valid rows.")
        )
        return redirect("enrolments:upload_job", enrolment.pk, preview.pk)
    job = job_create(
        actor=request.actor,
        kind=IMPORT,
        title=_("Import the roster %(file)s") % {"file": preview.params["filename"]},
        organisation=enrolment.organisation,
        params={
            "enrolment_id": str(enrolment.pk),
            "filename": preview.params["filename"],
            "file": preview.params["file"],
            "only_valid": only_valid,
            "preview_job": str(preview.pk),
        },
        total=result.get("total"),
    )
    job_enqueue(job, run_job)
    return redirect("enrolments:upload_job", enrolment.pk, job.pk)
