"""Long jobs (imports, exports, batch builds) that a user watches with a progress bar.

A job row is created in the request, the Celery task is enqueued through the outbox with the
job's id, and the worker reports progress into the row; the page polls it. The row
is also the idempotency key: a task delivered twice finds the job already claimed
or finished and does nothing.

A running job's worker refreshes ``heartbeat_at`` while it works; a job whose heartbeat
stopped lost its worker and is re-queued or failed by the reaper (``liveness``). Every
claim counts an attempt, and a worker writes its job only while the attempt is still
its own, so a worker thought dead cannot overwrite its successor.

A job and its file are its requester's alone (``access.jobs_of``), and only while they
hold one of ``audience_roles``. Files are deleted after the retention period
(``retention``); ``files_expired_at`` then says so on the page.
"""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from mutualaid.tenancy.base import TenantForeignKey, TenantModel
from mutualaid.tenancy.scoping import ScopedQuerySet


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Done")
    FAILED = "failed", _("Failed")


class Job(TenantModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.PROTECT, related_name="+")
    organisation = TenantForeignKey(
        "tenancy.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=50)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING
    )
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    message = models.TextField(_("message"), blank=True)
    # What the task needs, and what it produced (e.g. a report, a link to follow).
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    # A produced file, relative to MEDIA_ROOT (outside the web root; served by a scoped view).
    result_path = models.CharField(max_length=300, blank=True)
    result_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Liveness: refreshed by the running worker; claims so far (the reaper re-queues a job
    # whose worker died while this is below JOB_MAX_ATTEMPTS).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # What the job shows and produced may be for some roles only (whole ID numbers, bank
    # accounts): the requester sees it while holding one of them. Empty: any staff role.
    audience_roles = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    # Set when the retention period deleted the job's files (its upload and its result).
    files_expired_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "organisation"

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        indexes = [
            models.Index(fields=["tenant", "actor", "-created_at"], name="job_actor_recent_idx"),
            # The reaper's scan: running jobs only (a handful at any time).
            models.Index(
                fields=["heartbeat_at"],
                name="job_running_heartbeat_idx",
                condition=models.Q(status="running"),
            ),
            # The retention purge's scan: finished jobs whose files are still on disk.
            models.Index(
                fields=["finished_at"],
                name="job_files_kept_idx",
                condition=models.Q(files_expired_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)
