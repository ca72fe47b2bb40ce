from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarConfig(AppConfig):
    name = "mutualaid.calendar"
    label = "workcalendar"
    verbose_name = _("Work calendar")
