"""Access helpers and the rules of who may take which step of an enrolment.

``access_*`` answer 404 for a missing object and for one outside the actor's reach
alike, so ids cannot be probed across tenants or sibling subtrees.

Who does what (SPEC §2, §5):
- draft, edit the roster, submit: the unit's agents, an agent office above it, cadres
  above it and office admins (whoever may manage the unit's members);
- check (核定): cadres of a city, county or industry union above the unit;
- accept: office admins and reviewers at the office;
- send back with a reason: whoever may check or accept it;
- cancel: the drafters while it is a draft or sent back; the office afterwards;
- invoice and bring into force: the premiums side (finance, office admins, or the system).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404

from enrolment.models import (
    EDITABLE_STATUSES,
    Enrolment,
    EnrolmentLine,
    EnrolmentStatus,
    Policy,
)
from enrolment.roster_source import roster_lines
from mutualaid.tenancy.models import OrganisationKind, Role
from mutualaid.tenancy.scoping import Actor

DRAFTERS = (Role.OFFICE_ADMIN, Role.CADRE, Role.AGENT)
CHECKERS = (Role.CADRE,)
CHECKER_NODE_KINDS = (OrganisationKind.CITY, OrganisationKind.COUNTY, OrganisationKind.INDUSTRY)
ACCEPTORS = (Role.OFFICE_ADMIN, Role.REVIEWER)
INVOICERS = (Role.FINANCE, Role.OFFICE_ADMIN)
POLICY_ENDERS = (Role.OFFICE_ADMIN, Role.CADRE, Role.AGENT)

_ERRORS = (ValueError, ValidationError)


def access_enrolment(actor: Actor, enrolment_id) -> Enrolment:
    """The enrolment if its unit is in the actor's subtree; else 404."""
    try:
        return (
            Enrolment.objects.for_actor(actor)
            .select_related("organisation", "unit", "plan", "plan_version", "previous")
            .get(pk=enrolment_id)
        )
    except (Enrolment.DoesNotExist, *_ERRORS):
        raise Http404 from None


def access_line(actor: Actor, enrolment: Enrolment, member_id) -> EnrolmentLine:
    """The roster line of ``member_id`` on an enrolment already reached; else 404."""
    try:
        return (
            roster_lines(enrolment).select_related("member__organisation").get(member_id=member_id)
        )
    except (EnrolmentLine.DoesNotExist, *_ERRORS):
        raise Http404 from None


def access_policy(actor: Actor, policy_id) -> Policy:
    """The policy if the actor reaches its enrolling unit or the member's unit now; else 404."""
    try:
        return (
            Policy.objects.for_actor(actor)
            .select_related(
                "member__organisation", "organisation", "plan", "plan_version", "enrolment"
            )
            .get(pk=policy_id)
        )
    except (Policy.DoesNotExist, *_ERRORS):
        raise Http404 from None


# --- Who may take which step ---------------------------------------------------------------


def can_draft(actor: Actor, unit_node=None) -> bool:
    """Enrol the members of a unit: create, edit the roster, submit."""
    return actor.has_role(*DRAFTERS) and (unit_node is None or actor.reaches(unit_node))


def can_check(actor: Actor, enrolment: Enrolment) -> bool:
    node = actor.organisation
    return (
        actor.has_role(*CHECKERS)
        and node.kind in CHECKER_NODE_KINDS
        and node.pk != enrolment.organisation_id
        and actor.reaches(enrolment.organisation)
    )


def can_accept(actor: Actor, enrolment: Enrolment) -> bool:
    return (
        actor.has_role(*ACCEPTORS)
        and actor.organisation.kind == OrganisationKind.OFFICE
        and actor.reaches(enrolment.organisation)
    )


def can_send_back(actor: Actor, enrolment: Enrolment) -> bool:
    return can_check(actor, enrolment) or can_accept(actor, enrolment)


def can_cancel(actor: Actor, enrolment: Enrolment) -> bool:
    if enrolment.status in EDITABLE_STATUSES:
        return can_draft(actor, enrolment.organisation) or can_accept(actor, enrolment)
    return can_accept(actor, enrolment)


def can_invoice(actor: Actor | None, enrolment: Enrolment) -> bool:
    return actor is None or (actor.has_role(*INVOICERS) and actor.reaches(enrolment.organisation))


def can_approve_individuals(actor: Actor, enrolment: Enrolment) -> bool:
    """Individual applications (issue 17.4): the federation's cadre checks and accepts at
    once, for the office that opened the version to individuals. Only the individuals
    service takes this step (not offered on the enrolment page or the API)."""
    node = actor.organisation
    return (
        actor.has_role(Role.CADRE, Role.OFFICE_ADMIN)
        and node.kind in (OrganisationKind.OFFICE, *CHECKER_NODE_KINDS)
        and node.pk != enrolment.organisation_id
        and actor.reaches(enrolment.organisation)
    )


def can_end_policy(actor: Actor, policy: Policy) -> bool:
    return actor.has_role(*POLICY_ENDERS) and actor.reaches(policy.organisation)


#: Step → (states it starts from, state it leads to, permission).
TRANSITIONS = {
    "submit": (
        (EnrolmentStatus.DRAFT, EnrolmentStatus.RETURNED),
        EnrolmentStatus.SUBMITTED,
        lambda actor, e: can_draft(actor, e.organisation),
    ),
    "check": ((EnrolmentStatus.SUBMITTED,), EnrolmentStatus.CHECKED, can_check),
    "accept": ((EnrolmentStatus.CHECKED,), EnrolmentStatus.ACCEPTED, can_accept),
    "send_back": (
        (EnrolmentStatus.SUBMITTED, EnrolmentStatus.CHECKED, EnrolmentStatus.ACCEPTED),
        EnrolmentStatus.RETURNED,
        can_send_back,
    ),
    "cancel": (
        (
            EnrolmentStatus.DRAFT,
            EnrolmentStatus.RETURNED,
            EnrolmentStatus.SUBMITTED,
            EnrolmentStatus.CHECKED,
            EnrolmentStatus.ACCEPTED,
        ),
        EnrolmentStatus.CANCELLED,
        can_cancel,
    ),
    "approve_individuals": (
        (EnrolmentStatus.DRAFT,),
        EnrolmentStatus.ACCEPTED,
        can_approve_individuals,
    ),
    "invoice": ((EnrolmentStatus.ACCEPTED,), EnrolmentStatus.INVOICED, can_invoice),
    "bring_into_force": ((EnrolmentStatus.INVOICED,), EnrolmentStatus.IN_FORCE, can_invoice),
}
#: Steps people take on the enrolment page and through the API (the others are the
#: premiums side's).
USER_STEPS = ("submit", "check", "accept", "send_back", "cancel")


def allowed_steps(actor: Actor, enrolment: Enrolment) -> list[str]:
    """The steps this actor may take now, for the page's buttons and the API."""
    out = []
    for step in USER_STEPS:
        sources, _target, allowed = TRANSITIONS[step]
        if enrolment.status in sources and allowed(actor, enrolment):
            out.append(step)
    return out
