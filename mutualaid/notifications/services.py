"""Creating notifications (set-based, idempotent by key), reading them, and e-mailing them."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.utils import timezone, translation

from mutualaid.notifications.models import Notification
from mutualaid.outbox import services as outbox
from mutualaid.tenancy.scoping import Actor

logger = logging.getLogger(__name__)

#: How many e-mails one run of the mail task sends at most (the next run takes the rest).
MAIL_BATCH = 500


def notify(
    *,
    recipients: Iterable,
    organisation,
    kind: str,
    params: dict[str, Any] | None = None,
    link: str = "",
    key: str = "",
) -> None:
    """One notification per recipient (users); a recipient who already has one with this
    ``key`` gets no second. Mail follows on commit."""
    rows = [
        Notification(
            tenant_id=organisation.tenant_id,
            organisation_id=organisation.pk,
            recipient_id=getattr(user, "pk", user),
            kind=kind,
            params=params or {},
            link=link,
            key=key,
        )
        for user in recipients
    ]
    if rows:
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        mail_on_commit()


def notify_agents_sql(*, select_sql: str, params: list | dict, kind: str) -> int:
    """Set-based creation: ``select_sql`` yields (tenant_id, organisation_id, recipient_id,
    params jsonb, link, key) rows; conflicts on (recipient, key) are skipped. Returns the
    number created. Use inside the caller's transaction; mail follows on commit."""
    with connection.cursor() as cur:
        cur.execute(
            f"""
            INSERT INTO notifications_notification
                (id, tenant_id, organisation_id, recipient_id, kind, params, link, key, created_at)
            SELECT gen_random_uuid(), s.tenant_id, s.organisation_id, s.recipient_id, %(kind)s,
                   s.params, s.link, s.key, now()
            FROM ({select_sql}) AS s(tenant_id, organisation_id, recipient_id, params, link, key)
            ON CONFLICT (recipient_id, key) WHERE key <> '' DO NOTHING
            """,
            {**(params if isinstance(params, dict) else {}), "kind": kind},
        )
        created = cur.rowcount
    if created:
        mail_on_commit()
    return created


def mail_on_commit() -> None:
    """Mail after the commit, by the worker (never SMTP inside a request), through the
    outbox: a broker that is down delays the mail, it does not lose it."""
    from mutualaid.notifications.tasks import send_notification_mail

    outbox.enqueue(send_notification_mail)


def unread_count(*, actor: Actor) -> int:
    """The badge: one indexed count of the actor's unread notifications (at most 99 counted)."""
    ids = Notification.objects.for_actor(actor).filter(read_at__isnull=True).values("id")[:100]
    return Notification.objects.filter(id__in=ids).count()


def notification_mark_read(*, actor: Actor, notification: Notification) -> Notification:
    if notification.read_at is None:
        Notification.objects.filter(
            pk=notification.pk, recipient_id=actor.user.pk, read_at__isnull=True
        ).update(read_at=timezone.now())
        notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, actor: Actor) -> int:
    return (
        Notification.objects.for_actor(actor)
        .filter(read_at__isnull=True)
        .update(read_at=timezone.now())
    )


def notifications_mail_pending(*, limit: int = MAIL_BATCH) -> int:
    """E-mail notifications not mailed yet, each at most once: the rows are claimed with a
    conditional UPDATE (SKIP LOCKED), so two workers never mail the same one and a task
    delivered twice finds nothing left. A recipient without an address is marked skipped."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            """
            UPDATE notifications_notification n SET emailed_at = now()
            FROM (SELECT id FROM notifications_notification
                  WHERE emailed_at IS NULL ORDER BY created_at LIMIT %s FOR UPDATE SKIP LOCKED) c
            WHERE n.id = c.id
            RETURNING n.id
            """,
            [limit],
        )
        ids = [row[0] for row in cur.fetchall()]
    if not ids:
        return 0
    notifications = list(
        Notification.objects.filter(id__in=ids)
        .exclude(recipient__email="")
        .select_related("recipient")
    )
    base = getattr(settings, "PORTAL_URL", "").rstrip("/")
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        messages = []
        for note in notifications:
            text = note.text
            body = text + (f"\n\n{base}{note.link}" if note.link else "")
            messages.append(EmailMessage(subject=text[:120], body=body, to=[note.recipient.email]))
        if messages:
            try:
                sent = get_connection().send_messages(messages) or 0
            except OSError:
                # At most once: a mail server that is down loses these mails, never doubles
                # them; the notifications stay in the portal.
                logger.exception("could not send %d notification mails", len(messages))
    return sent
