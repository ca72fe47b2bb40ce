"""Pages of the project wiring: the office's "run today's jobs now" (issue 16 item 9)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseNotAllowed
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from mutualaid.jobs.models import Job
from mutualaid.jobs.services import job_create, job_enqueue
from mutualaid.jobs.tasks import run_job
from mutualaid.tenancy.access import staff_required
from mutualaid.tenancy.models import Role
from portal.daily import STEPS
from portal.jobs import DAILY_RUN

RECENT_RUNS = 5


@staff_required(Role.OFFICE_ADMIN)
def daily_run(request):
    """GET: what the run does and the tenant's recent runs; POST: start today's run as a job
    with a progress bar. Only an office admin at the office (the run covers the whole
    tenant); the job carries the admin's tenant and nothing else."""
    actor = request.actor
    if actor.organisation.depth != 1:
        raise PermissionDenied
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    job = None
    if request.method == "POST":
        today = timezone.localdate()
        with transaction.atomic():
            job = job_create(
                actor=actor,
                kind=DAILY_RUN,
                title=_("Today's run (%(date)s)") % {"date": today.isoformat()},
                organisation=actor.organisation,
                params={"today": today.isoformat()},
                total=len(STEPS),
            )
            job_enqueue(job, run_job)
    recent = list(
        Job.objects.for_actor(actor)
        .filter(tenant_id=actor.tenant.pk, kind=DAILY_RUN)
        .order_by("-created_at")[:RECENT_RUNS]
    )
    return render(
        request,
        "portal/daily_run.html",
        {"job": job, "recent": recent, "steps": [label for _key, label, _step in STEPS]},
    )
