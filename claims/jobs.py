"""Background job: a big payout batch's bank file (.xlsx / .csv) or its payout notices
(PDF), with a progress bar (SPEC §12). Small batches download while the user waits."""

from __future__ import annotations

from django.utils.translation import gettext as _

from claims import access
from claims.models import PayoutBatch
from mutualaid.core.errors import DomainError
from mutualaid.jobs.registry import JobOutcome, register
from mutualaid.jobs.services import job_file_path

BATCH_FILE = "claims.batch_file"
FILES = ("xlsx", "csv", "notices")


class JobRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.user_message = message


@register(BATCH_FILE)
def build_batch_file(job, report) -> JobOutcome:
    """``params``: {"batch": id, "file": "xlsx" | "csv" | "notices"}. The batch is read
    within the job's own node (the job was made by someone who reaches it), so a forged
    id finds nothing. Safe to run twice: the file is written whole, then moved in place."""
    from claims import bankfile, documents

    kind = job.params.get("file")
    batch = (
        PayoutBatch.objects.filter(
            tenant_id=job.tenant_id,
            organisation__path__startswith=job.organisation.path,
            pk=job.params.get("batch"),
        )
        .select_related("organisation", "tenant")
        .first()
    )
    if batch is None or kind not in FILES:
        raise JobRefused(_("This payout batch was not found."))
    total = batch.line_count
    report(0, total)
    if kind == "notices":
        path = job_file_path(job, "notices.pdf")
        partial = path.with_name(path.name + ".part")
        partial.write_bytes(documents.batch_notices_pdf(batch, actor=None))
        partial.replace(path)
        name = documents.batch_notices_filename(batch)
    else:
        try:
            bankfile.check_sendable(batch)
        except DomainError as exc:
            raise JobRefused(" ".join(exc.messages)) from None
        path = job_file_path(job, f"bank.{kind}")
        (bankfile.write_xlsx if kind == "xlsx" else bankfile.write_csv)(batch, path)
        name = bankfile.filename(batch, kind)
    report(total, total)
    return JobOutcome(
        file_path=path,
        download_name=name,
        result={"lines": total},
        message=_("The file of %(n)d payout lines is ready.") % {"n": total},
        # Payees' bank accounts: for those who build or approve batches, as the page is.
        audience_roles=access.BATCH_FILE_USERS,
    )
