from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrolmentConfig(AppConfig):
    name = "enrolment"
    label = "enrolment"
    verbose_name = _("Enrolment and policies")
    default_auto_field = "django.db.models.BigAutoField"
