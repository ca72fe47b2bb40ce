from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = _("Statistics")

    def ready(self):
        from mutualaid.tenancy.access import register_reach
        from stats.access import access_return

        register_reach("return_id", access_return)
        from stats import jobs, notices  # noqa: F401 - registers the job kind and notification kinds
        from stats.inbox import register_sources

        register_sources()
