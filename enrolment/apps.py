from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrolmentConfig(AppConfig):
    name = "enrolment"
    label = "enrolment"
    verbose_name = _("Enrolment and policies")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from enrolment import notices  # noqa: F401 - registers the notification kinds
        from enrolment.inbox import register_sources

        register_sources()
        from enrolment.access import access_enrolment, access_policy
        from mutualaid.tenancy.access import register_reach

        register_reach("enrolment_id", access_enrolment)
        register_reach("policy_id", access_policy)
        from enrolment.selectors import member_cover
        from members.extensions import register_member_page

        register_member_page(
            lambda *, actor, member: {"cover": member_cover(actor=actor, member=member)}
        )
