"""Background job: today's daily run for the office admin's tenant (issue 16 item 9)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from mutualaid.jobs.registry import JobOutcome, register
from mutualaid.jobs.services import job_progress
from portal.daily import daily_run

DAILY_RUN = "portal.daily_run"


@register(DAILY_RUN)
def run_today(job, report) -> JobOutcome:
    """``params``: {"today": ISO date of the click}. The tenant is the job's own: the run
    never reaches another tenant whatever the params say."""
    today = dt.date.fromisoformat(job.params["today"]) if job.params.get("today") else None
    # Each step is reported (the shared reporter waits for thousands of rows; eight steps).
    done = daily_run(
        tenant_id=job.tenant_id,
        today=today,
        report=lambda step, steps=None: job_progress(job, done=step, total=steps),
    )
    return JobOutcome(
        result=done,
        message=_(
            "Today's run is done: %(invoices)d invoices, %(renewals)d renewal drafts, "
            "%(expired)d applications expired, %(reminders)d reminders, %(near_limit)d claims "
            "flagged, %(payout_batch)d claims batched, %(returns)d returns prepared."
        )
        % done,
    )
