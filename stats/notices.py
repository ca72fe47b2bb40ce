"""The notification kinds of statistical returns (texts are written when shown)."""

from django.utils.translation import gettext_lazy as _

from mutualaid.notifications.kinds import register

RETURN_DUE = "stats.return_due"
RETURN_OVERDUE = "stats.return_overdue"
RETURN_SUBMITTED = "stats.return_submitted"
RETURN_ACCEPTED = "stats.return_accepted"
RETURN_SENT_BACK = "stats.return_sent_back"

register(
    RETURN_DUE,
    _(
        "The statistical return of %(city)s for %(period)s is due by %(due)s: "
        "please review and submit it."
    ),
)
register(
    RETURN_OVERDUE,
    _("The statistical return of %(city)s for %(period)s is overdue (it was due by %(due)s)."),
)
register(RETURN_SUBMITTED, _("%(city)s submitted its statistical return for %(period)s."))
register(
    RETURN_ACCEPTED, _("The office accepted the statistical return of %(city)s for %(period)s.")
)
register(
    RETURN_SENT_BACK,
    _("The office sent back the statistical return of %(city)s for %(period)s: %(reason)s"),
)
