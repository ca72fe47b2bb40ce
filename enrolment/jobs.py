"""Background jobs of enrolment: preview and import an uploaded roster, export rosters.

- ``roster_preview``: reads the stored upload once (``read_roster``), checks it with
  ``lines_import(preview=True)`` (writes nothing), keeps the report in ``job.result``
  (counts, the first ``MAX_STORED_ERRORS`` errors with row, Excel column and header)
  and writes the errors .xlsx as the job's file.
- ``roster_import``: reads the same stored file again and imports it, all rows or
  only the valid ones (``lines_import`` is one transaction: a refusal writes nothing).
- ``roster_export``: streams policies joined with member and unit into an .xlsx.

Handlers run under ``override("zh-hans")`` (``mutualaid.jobs.tasks``), so the stored
messages are what the cadre reads.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from enrolment.access import DRAFTERS
from enrolment.models import Enrolment
from enrolment.roster.errors_file import build_errors_xlsx
from enrolment.roster.reader import RosterFileError, read_roster
from enrolment.roster.validation import Problem
from enrolment.services.common import RosterRejected
from enrolment.services.lines import lines_import
from mutualaid.jobs.registry import JobOutcome, register
from mutualaid.jobs.services import job_file_path
from mutualaid.tenancy.scoping import actor_for

PREVIEW, IMPORT, EXPORT = "roster_preview", "roster_import", "roster_export"
#: At most this many errors are kept in a preview's result (the errors file has them all).
MAX_STORED_ERRORS = 2000


class JobRefused(Exception):
    """A refusal the user reads in the job's message (the job fails, nothing is written)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.user_message = message


def _actor(job):
    actor = actor_for(job.actor)
    if actor is None:
        raise JobRefused(_("Your account can no longer do this."))
    return actor


def _enrolment(actor, job) -> Enrolment:
    from enrolment.access import access_enrolment

    return access_enrolment(actor, job.params["enrolment_id"])


def upload_path(job) -> Path:
    """The stored upload of a preview job (MEDIA_ROOT, outside the web root)."""
    return Path(settings.MEDIA_ROOT) / job.params["file"]


def _read(path: Path, filename: str):
    try:
        return read_roster(path.read_bytes(), filename)
    except RosterFileError as error:
        raise JobRefused(error.text) from None


def _messages(error: ValidationError) -> str:
    return "；".join(str(m) for m in error.messages)


def problems_of(report, column_of) -> list[Problem]:
    """The service's errors as ``Problem``s: row, Excel column letter and header as written."""
    return [Problem.at(e.row or 0, e.field, e.code, e.message, column_of) for e in report.errors]


@register(PREVIEW)
def roster_preview(job, report) -> JobOutcome:
    actor = _actor(job)
    enrolment = _enrolment(actor, job)
    filename = job.params["filename"]
    try:
        read = read_roster(upload_path(job).read_bytes(), filename)
    except RosterFileError as error:
        # The file as a whole is not a roster: one clear message, shown on the page.
        return JobOutcome(
            result={"file_error": error.text, "filename": filename}, message=error.text
        )
    total = len(read.rows)
    report(0, total)
    try:
        checked = lines_import(actor=actor, enrolment=enrolment, rows=read.rows, preview=True)
    except (ValidationError, PermissionDenied) as error:
        raise JobRefused(
            _messages(error) if isinstance(error, ValidationError) else str(error)
        ) from None
    report(total, total)
    problems = problems_of(checked, read.column_of)
    stored = [
        {
            "row": p.row or None,
            "column": p.column,
            "header": p.header,
            "field": p.field,
            "code": p.code,
            "message": p.message,
        }
        for p in problems[:MAX_STORED_ERRORS]
    ]
    result = {
        "filename": filename,
        "total": checked.total,
        "valid": checked.valid,
        "invalid": checked.invalid,
        "error_count": len(problems),
        "errors": stored,
        "more_errors": max(0, len(problems) - MAX_STORED_ERRORS),
        "header_row": read.header_row,
        "skipped_rows": read.skipped_rows[:50],
    }
    outcome = JobOutcome(result=result)
    row_problems = [p for p in problems if p.row]
    if row_problems:
        path = job_file_path(job, "errors.xlsx")
        path.write_bytes(build_errors_xlsx(row_problems, read.rows))
        outcome.file_path = path
        outcome.download_name = _("%(file)s-errors.xlsx") % {"file": Path(filename).stem}
    # The errors file repeats the uploaded rows (whole ID numbers): for those who may
    # change rosters, like the upload itself.
    outcome.audience_roles = DRAFTERS
    outcome.message = ngettext(
        "%(valid)d of %(total)d row can be imported.",
        "%(valid)d of %(total)d rows can be imported.",
        checked.total,
    ) % {"valid": checked.valid, "total": checked.total}
    return outcome


@register(IMPORT)
def roster_import(job, report) -> JobOutcome:
    actor = _actor(job)
    enrolment = _enrolment(actor, job)
    read = _read(Path(settings.MEDIA_ROOT) / job.params["file"], job.params["filename"])
    total = len(read.rows)
    report(0, total)
    only_valid = bool(job.params.get("only_valid"))
    try:
        done = lines_import(actor=actor, enrolment=enrolment, rows=read.rows, only_valid=only_valid)
    except RosterRejected as error:
        raise JobRefused(
            ngettext(
                "%(n)d row has errors, so nothing was imported. "
                "Fix the file, or import only the valid rows.",
                "%(n)d rows have errors, so nothing was imported. "
                "Fix the file, or import only the valid rows.",
                error.report.invalid,
            )
            % {"n": error.report.invalid}
        ) from None
    except ValidationError as error:
        raise JobRefused(_messages(error)) from None
    except PermissionDenied as error:
        raise JobRefused(str(error)) from None
    report(total, total)
    message = ngettext(
        "%(lines)d line added to the roster (%(created)d new members registered).",
        "%(lines)d lines added to the roster (%(created)d new members registered).",
        done.lines_written,
    ) % {"lines": done.lines_written, "created": done.members_created}
    return JobOutcome(
        result={
            "total": done.total,
            "valid": done.valid,
            "invalid": done.invalid,
            "lines_written": done.lines_written,
            "members_created": done.members_created,
            "next_url": reverse("enrolments:detail", args=[enrolment.pk]),
        },
        message=message,
    )


@register(EXPORT)
def roster_export(job, report) -> JobOutcome:
    from enrolment.exports import run_export

    return run_export(job, report, _actor(job))
