"""Background job: the enrolment certificate of a big unit (SPEC §6, §12: progress bar)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from enrolment.models import Enrolment, EnrolmentStatus
from mutualaid.jobs.registry import JobOutcome, register
from mutualaid.jobs.services import job_file_path
from premiums import documents

CERTIFICATE = "premiums.certificate"


class JobRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.user_message = message


@register(CERTIFICATE)
def build_certificate(job, report) -> JobOutcome:
    """``params``: {"enrolment": id}. The enrolment is read within the job's own node (the
    job was created by someone who reaches it), so a forged id finds nothing."""
    enrolment = (
        Enrolment.objects.filter(
            tenant_id=job.tenant_id,
            organisation__path__startswith=job.organisation.path,
            pk=job.params.get("enrolment"),
            status=EnrolmentStatus.IN_FORCE,
        )
        .select_related("organisation", "plan", "plan_version", "tenant")
        .first()
    )
    if enrolment is None:
        raise JobRefused(_("This enrolment is not in force: there is no certificate to print."))
    report(0, 3)
    name = documents.certificate_filename(enrolment)
    path = documents.certificate_write(enrolment, job_file_path(job, "certificate.pdf"), report)
    return JobOutcome(
        file_path=path,
        download_name=name,
        result={"members": enrolment.member_count},
        message=_("The certificate of %(n)d members is ready.") % {"n": enrolment.member_count},
    )
