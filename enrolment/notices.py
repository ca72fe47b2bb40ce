"""Who is told of an enrolment's steps, and what (texts are written when shown).

Each step that hands the enrolment to someone notifies them (SPEC §15, issue 15): a
submission the cadres who check it (核定), a check the office's admins who accept it, an
acceptance finance (who invoices it), a sending back the unit's agents; the person who
submitted it hears of the check and the acceptance too (they wait for them). Invoicing and
coming into force are told by premiums.

The key names the step *occurrence* (the step's timestamp): a retried transaction or task
never notifies twice, a second submission after a sending back notifies again.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from enrolment.access import CHECKER_NODE_KINDS
from enrolment.models import Enrolment
from mutualaid.notifications.kinds import register
from mutualaid.notifications.services import notify
from mutualaid.tenancy.models import Organisation, Role, Staff
from mutualaid.tenancy.selectors import unit_agents

SUBMITTED = "enrolment.submitted"
CHECKED = "enrolment.checked"
ACCEPTED = "enrolment.accepted"
SENT_BACK = "enrolment.sent_back"

register(
    SUBMITTED,
    _("%(unit)s submitted its enrolment in %(plan)s (%(members)s members) for you to check."),
)
register(
    CHECKED,
    _(
        "The enrolment of %(unit)s in %(plan)s (%(members)s members) was checked by "
        "%(node)s: it waits for acceptance."
    ),
)
register(ACCEPTED, _("The enrolment of %(unit)s in %(plan)s was accepted: it is invoiced next."))
register(SENT_BACK, _("The enrolment of %(unit)s in %(plan)s was sent back: %(reason)s"))


def _staff(tenant_id, *, roles, **filters) -> list:
    return list(
        Staff.objects.filter(
            tenant_id=tenant_id, roles__overlap=list(roles), user__is_active=True, **filters
        ).values_list("user_id", flat=True)
    )


def checkers_of(enrolment: Enrolment) -> list:
    """The cadres who check it: at the nearest node above the unit (county, industry union
    or city) that has a cadre — the same rule the cadres' inbox reads
    (``enrolment.inbox``). One query for the chain, one for the cadres."""
    chain = [
        node
        for node in enrolment.organisation.ancestry()
        if node.kind in CHECKER_NODE_KINDS and node.pk != enrolment.organisation_id
    ]
    if not chain:
        return []
    rows = list(
        Staff.objects.filter(
            tenant_id=enrolment.tenant_id,
            organisation_id__in=[node.pk for node in chain],
            roles__contains=[Role.CADRE],
            user__is_active=True,
        ).values_list("organisation__depth", "user_id")
    )
    if not rows:
        return []
    deepest = max(depth for depth, _user in rows)
    return [user for depth, user in rows if depth == deepest]


def office_of(enrolment: Enrolment) -> Organisation:
    return Organisation.objects.get(
        tenant_id=enrolment.tenant_id, path=enrolment.organisation.path[: Organisation.steplen]
    )


def recipients_of(enrolment: Enrolment, step: str) -> tuple[str, list]:
    """(kind, users) told of ``step``; an unknown step tells nobody."""
    if step == "submit":
        return SUBMITTED, checkers_of(enrolment)
    if step == "check":
        office = office_of(enrolment)
        admins = _staff(enrolment.tenant_id, roles=[Role.OFFICE_ADMIN], organisation=office)
        return CHECKED, [*admins, enrolment.submitted_by_id]
    if step == "accept":
        office = office_of(enrolment)
        finance = _staff(enrolment.tenant_id, roles=[Role.FINANCE], organisation=office)
        return ACCEPTED, [*finance, enrolment.submitted_by_id]
    if step == "send_back":
        return SENT_BACK, [*unit_agents(enrolment.organisation), enrolment.submitted_by_id]
    return "", []


def notify_step(enrolment: Enrolment, step: str, *, by=None, at=None) -> None:
    """Tell the next people of a step just taken (inside its transaction; mail follows
    the commit). ``by``: the user who took it (never told of their own step)."""
    kind, users = recipients_of(enrolment, step)
    users = list(dict.fromkeys(u for u in users if u is not None and u != getattr(by, "pk", by)))
    if not kind or not users:
        return
    checker = ""
    if step == "check" and by is not None:
        staff = Staff.objects.filter(user_id=getattr(by, "pk", by)).select_related("organisation")
        checker = staff[0].organisation.name if staff else ""
    notify(
        recipients=users,
        organisation=enrolment.organisation,
        kind=kind,
        params={
            "unit": enrolment.organisation.name,
            "plan": enrolment.plan.display_name,
            "members": enrolment.member_count,
            "reason": enrolment.return_reason,
            "node": checker,
        },
        link=reverse("enrolments:detail", args=[enrolment.pk]),
        key=f"enrolment:{enrolment.pk}:{step}:{at.timestamp() if at else ''}",
    )
