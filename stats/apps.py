from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = _("Statistics")

    def ready(self):
        from stats import jobs, notices  # noqa: F401 - registers the job kind and notification kinds
        from stats.inbox import register_sources

        register_sources()
