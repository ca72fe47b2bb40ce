from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    label = "members"
    verbose_name = _("Units and members")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from members.access import access_member, access_unit
        from mutualaid.tenancy.access import register_reach

        register_reach("unit_id", access_unit)
        register_reach("member_id", access_member)

        from members.selfservice.services import register_lookup

        register_lookup()
