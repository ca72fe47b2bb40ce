from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "mutualaid.outbox"
    label = "outbox"
    verbose_name = _("Outbox")

    def ready(self):
        from mutualaid.outbox import signals  # noqa: F401 - drains when a worker starts
