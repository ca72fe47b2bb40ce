"""The jobs' Celery tasks: run one job; re-queue or fail the jobs whose worker died (beat,
every minute); delete job files past their retention period (beat, daily)."""

import logging

from celery import shared_task
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import override

from mutualaid.jobs import liveness, retention, services
from mutualaid.jobs.registry import HANDLERS
from mutualaid.tenancy import context
from mutualaid.tenancy.context import combined, each_tenant

logger = logging.getLogger(__name__)


def job_tenant(job_id: str):
    """The tenant of a job, read before any tenant is set (a SECURITY DEFINER function)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT mutualaid_job_tenant(%s)", [str(job_id)])
        return cursor.fetchone()[0]


@shared_task(name="mutualaid.jobs.tasks.run_job")
def run_job(job_id: str, tenant_id: str | None = None) -> str:
    """Run one job. A second delivery of the same job finds it claimed and does nothing,
    unless the worker that claimed it has died: then the job is taken over here (or
    failed); the task the reaper queued for it finds it claimed.

    Runs in the job's tenant (``tenant_id``, which ``job_enqueue`` sends); a message
    without one (sent before jobs carried it) is given the job's own tenant."""
    if tenant_id is None:
        context.activate(job_tenant(job_id))
    job = services.job_claim(job_id)
    if job is None and liveness.jobs_reap(job_id=job_id).requeued:
        job = services.job_claim(job_id)
    if job is None:
        return "already claimed"
    handler = HANDLERS.get(job.kind)
    with override("zh-hans"):
        if handler is None:
            services.job_fail(job, message=_("Unknown job kind: %(kind)s") % {"kind": job.kind})
            return "failed"
        try:
            with liveness.heartbeat(job):
                outcome = handler(job, services.progress_reporter(job))
        except Exception as exc:  # noqa: BLE001 - the user sees the failure; the log has the trace
            logger.exception("job %s (%s) failed", job.pk, job.kind)
            message = getattr(exc, "user_message", "") or _(
                "The job failed and nothing was saved. Please try again; "
                "if it fails again, tell your office."
            )
            services.job_fail(job, message=str(message))
            return "failed"
    services.job_succeed(
        job,
        result=outcome.result,
        file_path=outcome.file_path,
        download_name=outcome.download_name,
        message=outcome.message,
        audience_roles=outcome.audience_roles,
    )
    return "succeeded"


@shared_task(name="mutualaid.jobs.tasks.reap_stale_jobs")
def reap_stale_jobs() -> dict:
    """Beat, every minute: running jobs whose heartbeat stopped are sent again or failed."""

    def reap(tenant_id):
        reaped = liveness.jobs_reap()
        return {"requeued": len(reaped.requeued), "failed": len(reaped.failed)}

    return combined(each_tenant(reap).values()) or {"requeued": 0, "failed": 0}


@shared_task(name="mutualaid.jobs.tasks.purge_expired_files")
def purge_expired_files() -> dict:
    """Beat, daily: uploads and results of jobs finished before the retention period."""
    purged = each_tenant(lambda tenant_id: retention.job_files_purge())
    return {"expired": sum(purged.values())}
