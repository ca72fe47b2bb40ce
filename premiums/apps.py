from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PremiumsConfig(AppConfig):
    name = "premiums"
    verbose_name = _("Premiums")

    def ready(self):
        from premiums import notices  # noqa: F401 - registers the notification kinds
        from premiums.inbox import register_sources

        register_sources()
