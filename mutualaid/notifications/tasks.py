"""Thin Celery tasks for notifications, each working on one tenant: mail the ones not
mailed yet, the daily digest, the archive. The beat's tasks take no tenant and fan out one
task per tenant (so a tenant's failure or size never holds up another's)."""

from celery import shared_task
from django.utils import timezone

from mutualaid.notifications import services
from mutualaid.tenancy.context import each_tenant


def _tenant_ids() -> list[str]:
    from mutualaid.tenancy.models import Tenant

    return [str(pk) for pk in Tenant.objects.order_by("pk").values_list("pk", flat=True)]


@shared_task(name="mutualaid.notifications.tasks.send_notification_mail")
def send_notification_mail(tenant_id: str | None = None) -> int:
    """Mail a tenant's notifications not mailed yet (safe to run twice: rows are claimed
    first); without a tenant, every tenant's in turn."""
    if tenant_id is not None:
        return services.notifications_mail_pending(tenant_id=tenant_id)
    mailed = each_tenant(lambda pk: services.notifications_mail_pending(tenant_id=pk))
    return sum(mailed.values())


@shared_task(name="mutualaid.notifications.tasks.send_digest")
def send_digest(tenant_id: str, day: str) -> int:
    """One tenant's daily digest for ``day`` (ISO date): never twice per user and day."""
    import datetime as dt

    return services.digest_send(tenant_id=tenant_id, day=dt.date.fromisoformat(day))


@shared_task(name="mutualaid.notifications.tasks.send_digests")
def send_digests(day: str | None = None) -> int:
    """Beat: the day's digest of every tenant, one task each (the day fixed here, so a
    task that runs after midnight still sends the digest of the day it was meant for)."""
    day = day or timezone.localdate().isoformat()
    tenants = _tenant_ids()
    for pk in tenants:
        send_digest.delay(pk, day)
    return len(tenants)


@shared_task(name="mutualaid.notifications.tasks.archive_notifications")
def archive_notifications(tenant_id: str) -> int:
    """Move one tenant's old notifications to the archive (set-based, in chunks)."""
    return services.notifications_archive(tenant_id=tenant_id)


@shared_task(name="mutualaid.notifications.tasks.archive_all")
def archive_all() -> int:
    """Beat: archive every tenant's old notifications, one task each."""
    tenants = _tenant_ids()
    for pk in tenants:
        archive_notifications.delay(pk)
    return len(tenants)
