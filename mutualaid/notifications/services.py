"""Creating notifications (set-based, idempotent by key), reading them, and e-mailing them."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mutualaid.notifications import sms
from mutualaid.notifications.models import (
    DeliveryPreference,
    DigestSent,
    EmailMode,
    Notification,
)
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
        mail_on_commit(organisation.tenant_id)


def notify_agents_sql(*, select_sql: str, params: list | dict, kind: str, tenant_id=None) -> int:
    """Set-based creation: ``select_sql`` yields (tenant_id, organisation_id, recipient_id,
    params jsonb, link, key) rows; conflicts on (recipient, key) are skipped. Returns the
    number created. Use inside the caller's transaction; mail follows on commit, for
    ``tenant_id`` (None: a run over several tenants — the mail task takes them in turn)."""
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
        mail_on_commit(tenant_id)
    return created


def mail_on_commit(tenant_id=None) -> None:
    """Mail after the commit, by the worker (never SMTP inside a request), through the
    outbox: a broker that is down delays the mail, it does not lose it. One tenant's (None:
    each tenant's in turn)."""
    from mutualaid.notifications.tasks import send_notification_mail

    if tenant_id is None:
        outbox.enqueue(send_notification_mail)
    else:
        outbox.enqueue(send_notification_mail, str(tenant_id))


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


def absolute_url(link: str) -> str:
    """``link`` (a path) as read outside the portal (e-mails, text messages): on
    ``PORTAL_URL``; the path alone when that is not set."""
    base = getattr(settings, "PORTAL_URL", "").rstrip("/")
    return f"{base}{link}" if link else ""


def notifications_mail_pending(*, tenant_id, limit: int = MAIL_BATCH) -> int:
    """E-mail (and text) one tenant's notifications not sent yet, each at most once: the
    rows are claimed with a conditional UPDATE (SKIP LOCKED), so two workers never mail the
    same one and a task delivered twice finds nothing left. Rows of users who chose the
    daily digest are left for it; a recipient without an address, or who chose no e-mail,
    is marked done without a mail. Returns the number of e-mails sent."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            """
            UPDATE notifications_notification n SET emailed_at = now()
            FROM (SELECT id FROM notifications_notification m
                  WHERE m.tenant_id = %(tenant)s AND m.emailed_at IS NULL
                    AND NOT EXISTS (
                        SELECT 1 FROM notifications_deliverypreference p
                        WHERE p.user_id = m.recipient_id AND p.email_mode = %(digest)s)
                  ORDER BY m.created_at LIMIT %(limit)s FOR UPDATE SKIP LOCKED) c
            WHERE n.id = c.id
            RETURNING n.id
            """,
            {"tenant": tenant_id, "digest": EmailMode.DIGEST.value, "limit": limit},
        )
        ids = [row[0] for row in cur.fetchall()]
    if not ids:
        return 0
    notifications = list(
        Notification.objects.filter(id__in=ids, tenant_id=tenant_id)
        .select_related("recipient__notification_preference")
        .order_by("created_at")
    )
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        messages, texts = [], []
        for note in notifications:
            pref = getattr(note.recipient, "notification_preference", None)
            text = note.text
            if pref is not None and pref.sms and pref.mobile:
                texts.append(sms.SmsMessage(to=pref.mobile, text=text[:200]))
            if not note.recipient.email or (pref is not None and pref.email_mode != "immediate"):
                continue
            link = absolute_url(note.link)
            body = text + (f"\n\n{link}" if link else "")
            messages.append(EmailMessage(subject=text[:120], body=body, to=[note.recipient.email]))
        if messages:
            try:
                sent = get_connection().send_messages(messages) or 0
            except OSError:
                # At most once: a mail server that is down loses these mails, never doubles
                # them; the notifications stay in the portal.
                logger.exception("could not send %d notification mails", len(messages))
        if texts:
            try:
                sms.get_backend().send_messages(texts)
            except OSError:
                logger.exception("could not send %d notification texts", len(texts))
    return sent


def digest_send(*, tenant_id, day=None) -> int:
    """The daily digest of one tenant: one e-mail per user who chose it and has unsent
    notifications, with every one of them and its link, in the portal's language.

    Never twice a day per user: each user's digest is claimed by inserting (user, day)
    under a unique key before anything is read, so a second run, a redelivered task or a
    second worker finds the day claimed and sends nothing. The claimed notifications are
    marked sent in the same transaction; a mail server that fails after that loses the
    mail (at most once), the notifications stay in the portal. Returns mails sent."""
    day = day or timezone.localdate()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO notifications_digestsent (tenant_id, recipient_id, day, notifications,
                                                  sent_at)
            SELECT %(tenant)s, p.user_id, %(day)s, 0, now()
            FROM notifications_deliverypreference p
            WHERE p.tenant_id = %(tenant)s AND p.email_mode = %(digest)s
              AND EXISTS (SELECT 1 FROM notifications_notification n
                          WHERE n.recipient_id = p.user_id AND n.tenant_id = %(tenant)s
                            AND n.emailed_at IS NULL)
            ON CONFLICT (recipient_id, day) DO NOTHING
            RETURNING recipient_id
            """,
            {"tenant": tenant_id, "day": day, "digest": EmailMode.DIGEST.value},
        )
        users = [row[0] for row in cur.fetchall()]
        if not users:
            return 0
        cur.execute(
            """
            UPDATE notifications_notification SET emailed_at = now()
            WHERE tenant_id = %(tenant)s AND recipient_id = ANY(%(users)s) AND emailed_at IS NULL
            RETURNING id
            """,
            {"tenant": tenant_id, "users": users},
        )
        ids = [row[0] for row in cur.fetchall()]
        notes = list(
            Notification.objects.filter(id__in=ids)
            .select_related("recipient")
            .order_by("recipient_id", "created_at", "id")
        )
        by_user: dict[Any, list[Notification]] = {}
        for note in notes:
            by_user.setdefault(note.recipient_id, []).append(note)
        for user_id, rows in by_user.items():
            DigestSent.objects.filter(recipient_id=user_id, day=day).update(notifications=len(rows))
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for rows in by_user.values():
            user = rows[0].recipient
            if not user.email:
                continue
            lines = []
            for number, note in enumerate(rows, start=1):
                lines.append(f"{number}. {note.text}")
                if note.link:
                    lines.append(f"   {absolute_url(note.link)}")
            from django.urls import reverse

            body = "\n".join(
                [
                    _("Hello %(name)s,") % {"name": user.display_name or user.username},
                    "",
                    _("Your notifications of %(date)s:") % {"date": day.isoformat()},
                    "",
                    *lines,
                    "",
                    _("All your notifications: %(url)s")
                    % {"url": absolute_url(reverse("notifications:list"))},
                    _("Choose how you receive them: %(url)s")
                    % {"url": absolute_url(reverse("notifications:preferences"))},
                ]
            )
            subject = _("%(count)d notifications of %(date)s") % {
                "count": len(rows),
                "date": day.isoformat(),
            }
            messages.append(EmailMessage(subject=subject, body=body, to=[user.email]))
        if not messages:
            return 0
        try:
            return get_connection().send_messages(messages) or 0
        except OSError:
            logger.exception("could not send %d digest mails", len(messages))
            return 0


def notifications_archive(*, tenant_id, older_than_days: int | None = None, chunk: int = 10_000):
    """Move one tenant's notifications older than ``older_than_days`` (default the setting
    ``NOTIFICATION_ARCHIVE_DAYS``) to the archive table, set-based: one
    ``DELETE … RETURNING`` feeding an ``INSERT`` per chunk, each chunk its own transaction
    (a run stopped midway leaves every row in exactly one of the tables). Returns rows
    moved."""
    days = settings.NOTIFICATION_ARCHIVE_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - dt.timedelta(days=days)
    moved = 0
    while True:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                """
                WITH old AS (
                    DELETE FROM notifications_notification
                    WHERE id IN (SELECT id FROM notifications_notification
                                 WHERE tenant_id = %(tenant)s AND created_at < %(cutoff)s
                                 ORDER BY created_at LIMIT %(chunk)s FOR UPDATE SKIP LOCKED)
                    RETURNING *
                )
                INSERT INTO notifications_archivednotification
                    (id, tenant_id, organisation_id, recipient_id, kind, params, link, key,
                     created_at, read_at, emailed_at, archived_at)
                SELECT id, tenant_id, organisation_id, recipient_id, kind, params, link, key,
                       created_at, read_at, emailed_at, now()
                FROM old
                ON CONFLICT (id) DO NOTHING
                """,
                {"tenant": tenant_id, "cutoff": cutoff, "chunk": chunk},
            )
            count = cur.rowcount
        moved += count
        if count < chunk:
            return moved


def preference_of(*, actor: Actor) -> DeliveryPreference:
    """The actor's delivery choice (the defaults, unsaved, when they never chose)."""
    pref = DeliveryPreference.objects.filter(
        user_id=actor.user.pk, tenant_id=actor.tenant.pk
    ).first()
    return pref or DeliveryPreference(user_id=actor.user.pk, tenant_id=actor.tenant.pk)


def preference_update(*, actor: Actor, email_mode: str, sms_on: bool, mobile: str):
    """Save the actor's delivery choice. A text message needs a mobile number."""
    from mutualaid.core.errors import DomainError

    if email_mode not in EmailMode.values:
        raise DomainError(_("Choose how to receive e-mail."), field="email_mode")
    number = sms.clean_mobile(mobile) if mobile else ""
    if mobile and not number:
        raise DomainError(_("Enter a mobile number of 11 digits starting with 1."), field="mobile")
    if sms_on and not number:
        raise DomainError(_("Enter your mobile number to receive text messages."), field="mobile")
    pref, _created = DeliveryPreference.objects.update_or_create(
        user_id=actor.user.pk,
        defaults={
            "tenant_id": actor.tenant.pk,
            "email_mode": email_mode,
            "sms": sms_on,
            "mobile": number,
        },
    )
    return pref
