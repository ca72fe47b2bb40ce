"""The notification kinds of premiums and renewals (texts are written when shown)."""

from django.utils.translation import gettext_lazy as _

from mutualaid.notifications.kinds import register

INVOICE_ISSUED = "premiums.invoice_issued"
IN_FORCE = "premiums.in_force"
RENEWAL_PREPARED = "premiums.renewal_prepared"

register(
    INVOICE_ISSUED,
    _("Invoice %(number)s: %(unit)s owes ¥%(amount)s for %(plan)s (%(members)s members)."),
)
register(
    IN_FORCE,
    _(
        "%(plan)s for %(unit)s is in force from %(start)s to %(end)s: "
        "the enrolment certificate can be downloaded."
    ),
)
register(
    RENEWAL_PREPARED,
    _(
        "The renewal of %(plan)s for %(unit)s is ready: %(members)s members, ¥%(premium)s, "
        "cover from %(start)s; pay by %(deadline)s to keep cover without a gap. "
        "Left out: %(dropped)s."
    ),
)
