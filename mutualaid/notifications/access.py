"""Who reads which notification: its recipient only (404 for anyone else)."""

from django.core.exceptions import ValidationError
from django.http import Http404

from mutualaid.notifications.models import Notification
from mutualaid.tenancy.scoping import Actor


def access_notification(actor: Actor, notification_id) -> Notification:
    """The actor's own notification; 404 for anyone else's and for a missing one."""
    try:
        return Notification.objects.for_actor(actor).get(pk=notification_id)
    except (Notification.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None
