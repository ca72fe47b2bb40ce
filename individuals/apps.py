from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndividualsConfig(AppConfig):
    name = "individuals"
    verbose_name = _("Individual applications")

    def ready(self):
        from individuals.access import access_application
        from individuals.inbox import register_sources
        from mutualaid.tenancy.access import register_reach

        register_reach("application_id", access_application)
        register_sources()
