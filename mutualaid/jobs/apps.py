from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "mutualaid.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")

    def ready(self):
        # Each app registers its job handlers in its own ``jobs`` module.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("jobs")
