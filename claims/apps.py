from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = _("Claims")

    def ready(self):
        from claims import notices  # noqa: F401 - registers the notification kinds
        from claims.inbox import register_sources

        register_sources()
        from claims.access import access_batch, access_claim, access_report
        from mutualaid.audit.sentences import register_value_words
        from mutualaid.tenancy.access import register_reach

        register_reach("claim_id", access_claim)
        register_reach("batch_id", access_batch)
        register_reach("report_id", access_report)
        from plans.rules.vocab import CAUSES, EVENT_KINDS

        register_value_words("event_kind", EVENT_KINDS)
        register_value_words("cause", CAUSES)
        from claims.access import can_report
        from members.extensions import member_renamed, register_member_page

        register_member_page(
            lambda *, actor, member: {"can_report": can_report(actor, member.organisation)}
        )
        member_renamed.connect(_copy_member_name, dispatch_uid="claims-member-name")


def _copy_member_name(sender, *, member, **kwargs):
    """The claims' copy of the member's name (their search reads it), in the same commit."""
    from claims.models import Claim

    Claim.objects.filter(member=member).exclude(member_name=member.name).update(
        member_name=member.name
    )
