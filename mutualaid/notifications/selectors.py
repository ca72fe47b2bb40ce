"""Reads of a user's notifications: keyset pages, the unread count for the header badge."""

from mutualaid.core.paging import KeysetPage, keyset_page
from mutualaid.notifications.models import Notification
from mutualaid.tenancy.scoping import Actor

PAGE_SIZE = 50
ORDER = ("-created_at", "-id")


def notification_page(
    *, actor: Actor, unread_only: bool = False, after: str | None = None, size: int = PAGE_SIZE
) -> KeysetPage:
    """One page of the actor's own notifications, newest first; one query."""
    qs = Notification.objects.for_actor(actor)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return keyset_page(qs, order=ORDER, after=after, size=size)
