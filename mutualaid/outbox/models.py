"""The outbox table: one row per task to send, written in the sender's transaction."""

from django.db import models
from django.db.models import Q


class OutboxMessage(models.Model):
    """A Celery task to publish: its registered name and JSON arguments. ``sent_at`` is
    set when the broker took it; until then ``attempts`` and ``last_error`` say why not."""

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = "outbox message"
        indexes = [
            # The drain reads only the pending rows, oldest first; sent ones are history.
            models.Index(
                fields=["id"], condition=Q(sent_at__isnull=True), name="outbox_pending_idx"
            ),
            models.Index(fields=["sent_at"], name="outbox_sent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.task} {'sent' if self.sent_at else 'pending'}"
