"""Background job: rebuild the tenant's statistics summaries now (an office admin's button)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from mutualaid.jobs.registry import JobOutcome, register
from stats.refresh import summaries_refresh

REFRESH = "stats.refresh"


@register(REFRESH)
def refresh(job, report) -> JobOutcome:
    """The job's tenant only; a refresh already running makes this one a no-op."""
    # One transaction (readers see old or new figures): the job shows "running" until its
    # commit, then done; its steps cannot be seen from outside while it runs.
    result = summaries_refresh(tenant_id=job.tenant_id, report=report)
    if result is None:
        return JobOutcome(message=_("Another refresh was running: its figures are the newest."))
    return JobOutcome(
        result={"seconds": result.seconds, "as_of": result.as_of.isoformat()},
        message=_("The statistics are up to date (as of %(day)s, built in %(seconds)s s).")
        % {"day": result.as_of.isoformat(), "seconds": result.seconds},
    )
