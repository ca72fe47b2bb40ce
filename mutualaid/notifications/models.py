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
            # The archive task walks a tenant's oldest rows.
            models.Index(fields=["tenant", "created_at"], name="notification_age_idx"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        from mutualaid.notifications.kinds import render

        return render(self.kind, self.params)


class EmailMode(models.TextChoices):
    """How a user receives their notifications by e-mail (in the portal: always)."""

    IMMEDIATE = "immediate", _("An e-mail for each notification, at once")
    DIGEST = "digest", _("One e-mail a day with the day's notifications")
    NONE = "none", _("No e-mail: in the portal only")


class DeliveryPreference(TenantModel):
    """A user's choice of delivery; no row means the defaults (e-mail at once, no SMS)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_preference",
    )
    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.PROTECT, related_name="+")
    email_mode = models.CharField(
        _("e-mail"), max_length=10, choices=EmailMode.choices, default=EmailMode.IMMEDIATE
    )
    #: Text messages at once to this number (through ``mutualaid.notifications.sms``).
    sms = models.BooleanField(_("also by text message"), default=False)
    mobile = models.CharField(_("mobile number"), max_length=20, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("delivery preference")
        verbose_name_plural = _("delivery preferences")
        indexes = [
            # The digest task: the tenant's users who chose it.
            models.Index(
                fields=["tenant"], condition=Q(email_mode="digest"), name="preference_digest_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.email_mode}"


class DigestSent(TenantModel):
    """One daily digest claimed for one user and day: the unique key makes "never twice a
    day" a fact of the database, whatever the beat, retries or workers do."""

    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey(
        "tenancy.Tenant", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    notifications = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "day"], name="digest_once_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.day}"


class ArchivedNotification(TenantModel):
    """Notifications older than ``NOTIFICATION_ARCHIVE_DAYS``, moved here set-based by the
    archive task: the live table (badge, list, mail claims) stays small; nothing is lost."""

    id = models.UUIDField(primary_key=True, editable=False)
    tenant = models.ForeignKey(
        "tenancy.Tenant", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    organisation = TenantForeignKey(
        "tenancy.Organisation", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=50)
    params = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=300, blank=True)
    key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_archive_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d}"
