"""Thin Celery task for notifications: mail the ones not mailed yet, in a worker (never
inside a request)."""

from celery import shared_task

from mutualaid.notifications import services


@shared_task(name="mutualaid.notifications.tasks.send_notification_mail")
def send_notification_mail() -> int:
    """Mail the notifications not mailed yet (safe to run twice: rows are claimed first)."""
    return services.notifications_mail_pending()
