"""In-app notifications (a header badge and a list), also sent by e-mail.

A notification is for one user of one tenant and names the node it is about. Its text
is not stored: ``kind`` and ``params`` are, and the text is written when it is shown,
in the reader's language (``mutualaid.notifications.kinds``). ``key`` makes creation
idempotent: one notification per recipient and key (a job that runs twice notifies once).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mutualaid.tenancy.base import TenantForeignKey, TenantModel
from mutualaid.tenancy.scoping import Actor, ScopedQuerySet


class NotificationQuerySet(ScopedQuerySet):
    def for_actor(self, actor: Actor | None) -> "NotificationQuerySet":
        """A user's own notifications only: nobody reads another person's, whatever the role."""
        if actor is None:
            return self.none()
        return self.filter(tenant_id=actor.tenant.pk, recipient_id=actor.user.pk)


class Notification(TenantModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(
        "tenancy.Tenant", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    #: The node the notification is about (e.g. the unit whose renewal is ready).
    organisation = TenantForeignKey(
        "tenancy.Organisation", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=50)
    params = models.JSONField(default=dict, blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    #: When the e-mail was sent (or skipped: no address); the mail task claims rows by it.
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()
    scope_org_field = "organisation"

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], condition=~Q(key=""), name="notification_once_per_key"
            ),
        ]
        indexes = [
            # The list, newest first (keyset: created_at, id).
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_list_idx"),
            # The badge: unread ones only, so the count stays cheap with years of history.
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            models.Index(
                fields=["created_at"],
                condition=Q(emailed_at__isnull=True),
                name="notification_mail_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        from mutualaid.notifications.kinds import render

        return render(self.kind, self.params)
