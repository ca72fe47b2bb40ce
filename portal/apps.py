from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The project wiring as an app: it holds the commands that span every app (seed_demo)."""

    name = "portal"
    verbose_name = _("Portal")
