"""Starting the roster jobs of an uploaded file: one path for the page (enrolment/upload.py)
and the API (enrolment/roster_api.py), with the same rules and messages.

1. ``roster_upload_start``: the file is checked (type, size), stored in a new
   ``roster_preview`` job's folder, and the job is enqueued (enrolment/jobs.py checks every
   row with the roster rules and writes the errors file).
2. ``roster_import_start``: on a finished preview, a ``roster_import`` job for all rows or
   only the valid ones.
3. ``roster_job``: a roster job of this enrolment that the actor started (404 otherwise).

A refusal is a ``DomainError`` (field ``file`` or ``only_valid`` or the whole input), shown
by the page as a message and answered by the API as a 400.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from enrolment import access
from enrolment.jobs import IMPORT, PREVIEW
from enrolment.roster.reader import DEFAULT_MAX_BYTES
from mutualaid.core.errors import DomainError
from mutualaid.jobs.access import access_job
from mutualaid.jobs.models import Job, JobStatus
from mutualaid.jobs.services import job_create, job_enqueue, job_file_path
from mutualaid.jobs.tasks import run_job

ALLOWED_EXTENSIONS = (".xlsx", ".xls", ".csv")
#: Codes of refusals that the page answers by sending the user back to the upload form.
UPLOAD_AGAIN = "roster_files_expired"


def check_roster_file(*, name: str, size: int) -> None:
    """The file could be a roster: a spreadsheet or .csv, within the size limit."""
    if Path(name).suffix.lower() not in ALLOWED_EXTENSIONS:
        raise DomainError(
            _("This is not a roster file: upload an Excel file (.xlsx or .xls) or a .csv file."),
            field="file",
            code="roster_wrong_type",
        )
    if size > DEFAULT_MAX_BYTES:
        raise DomainError(
            _("The file is larger than %(mb)d MB: split it into several files.")
            % {"mb": DEFAULT_MAX_BYTES // (1024 * 1024)},
            field="file",
            code="roster_too_big",
        )


def drafting_enrolment(actor, enrolment_id):
    """The enrolment if the actor may change its roster (404 outside their reach, 403 for a
    role that may not draft here)."""
    enrolment = access.access_enrolment(actor, enrolment_id)
    if not access.can_draft(actor, enrolment.organisation):
        raise PermissionDenied
    return enrolment


def _editable(enrolment) -> None:
    if not enrolment.is_editable:
        raise DomainError(
            _("Only a draft or a returned enrolment can take a roster file."),
            code="roster_not_editable",
        )


def roster_job(actor, enrolment, job_id) -> Job:
    """A roster job (preview or import) of this enrolment that the actor started; else 404."""
    return access_job(
        actor, job_id, kind__in=(PREVIEW, IMPORT), params__enrolment_id=str(enrolment.pk)
    )


def roster_upload_start(*, actor, enrolment, upload) -> Job:
    """Store ``upload`` (a Django UploadedFile) and start checking it."""
    _editable(enrolment)
    check_roster_file(name=upload.name, size=upload.size)
    filename = Path(upload.name).name
    job = job_create(
        actor=actor,
        kind=PREVIEW,
        title=_("Check the roster %(file)s") % {"file": filename},
        organisation=enrolment.organisation,
        params={"enrolment_id": str(enrolment.pk), "filename": filename},
    )
    path = job_file_path(job, "upload" + Path(filename).suffix.lower())
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    job.params["file"] = str(path.relative_to(settings.MEDIA_ROOT))
    job.save(update_fields=["params"])
    job_enqueue(job, run_job)
    return job


def roster_import_start(*, actor, enrolment, preview: Job, only_valid: bool) -> Job:
    """Import the previewed file: all rows, or (``only_valid``) the valid ones."""
    _editable(enrolment)
    result = preview.result
    if (
        preview.kind != PREVIEW
        or preview.status != JobStatus.SUCCEEDED
        or result.get("file_error")
        or not result.get("valid")
    ):
        raise DomainError(
            _("There is nothing to import from this file."), code="roster_nothing_to_import"
        )
    if preview.files_expired_at:
        raise DomainError(
            _("The file was past its retention period and has been deleted: upload it again."),
            code=UPLOAD_AGAIN,
        )
    if result.get("invalid") and not only_valid:
        raise DomainError(
            _("The file has rows with errors: fix them, or import only the valid rows."),
            field="only_valid",
            code="roster_has_errors",
        )
    job = job_create(
        actor=actor,
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
    return job
