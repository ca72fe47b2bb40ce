"""Thin Celery task for notifications: mail the ones not mailed yet, in a worker (never
inside a request)."""

from celery import shared_task

from mutualaid.notifications import services
from mutualaid.tenancy.context import each_tenant


@shared_task(name="mutualaid.notifications.tasks.send_notification_mail")
def send_notification_mail() -> int:
    """Mail the notifications not mailed yet (safe to run twice: rows are claimed first)."""
    mailed = each_tenant(lambda tenant_id: services.notifications_mail_pending())
    return sum(mailed.values())
