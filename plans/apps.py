from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    label = "plans"
    verbose_name = _("Plans")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from mutualaid.tenancy.access import register_reach
        from plans.access import access_plan

        register_reach("plan_id", access_plan)
