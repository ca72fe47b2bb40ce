"""The notification kinds of claims (texts are written when shown)."""

from django.utils.translation import gettext_lazy as _

from mutualaid.notifications.kinds import register

EXPIRY_REMINDER = "claims.expiry_reminder"
DOCUMENTS_REQUESTED = "claims.documents_requested"
DECIDED = "claims.decided"
PAID = "claims.paid"
NEAR_LIMIT = "claims.near_limit"

register(
    EXPIRY_REMINDER,
    _(
        "Claim %(number)s for %(member)s must be applied for by %(expires)s "
        "(%(days)s days left), or it is forfeited."
    ),
)
register(
    DOCUMENTS_REQUESTED,
    _("Claim %(number)s for %(member)s: the reviewer asks for documents: %(reason)s"),
)
register(DECIDED, _("Claim %(number)s for %(member)s: %(decision)s %(detail)s"))
register(PAID, _("Claim %(number)s for %(member)s was paid: ¥%(amount)s on %(date)s."))
register(
    NEAR_LIMIT,
    _("%(count)s approved claims must be paid within a few working days (by %(first)s)."),
)
