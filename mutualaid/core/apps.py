from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "mutualaid.core"
    label = "core"
    verbose_name = _("Portal")

    def ready(self):
        from mutualaid.core import checks  # noqa: F401 - registers the system checks
