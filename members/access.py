"""Access helpers and the rules of who may do what with units and members.

``access_*`` answer 404 for a missing object and for one outside the actor's reach
alike, so ids cannot be probed across tenants or sibling subtrees.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404

from members.models import Member, MemberTransfer, Unit
from mutualaid.core.cleaning import mask_id_number
from mutualaid.tenancy.models import Organisation, OrganisationKind, Role
from mutualaid.tenancy.scoping import Actor

# Nodes a unit may hang below (tenancy.services.ALLOWED_CHILDREN lists unit under these).
UNIT_PARENT_KINDS = (
    OrganisationKind.CITY,
    OrganisationKind.COUNTY,
    OrganisationKind.INDUSTRY,
    OrganisationKind.AGENT,
)

MEMBER_MANAGERS = (Role.OFFICE_ADMIN, Role.CADRE, Role.AGENT)
FULL_ID_ROLES = (Role.OFFICE_ADMIN, Role.REVIEWER, Role.AUDITOR)
#: Every role that reads some whole ID numbers: the above wherever they reach, agents for
#: the units they reach (``full_id_number_prefix``). A job's file with whole numbers is
#: for these roles only (``mutualaid.jobs.access``).
FULL_ID_READER_ROLES = (*FULL_ID_ROLES, Role.AGENT)


def access_unit(actor: Actor, unit_id) -> Unit:
    """The unit with this id if its node is the actor's node or below it; else 404."""
    try:
        return Unit.objects.for_actor(actor).select_related("organisation").get(pk=unit_id)
    except (Unit.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None


def access_member(actor: Actor, member_id) -> Member:
    """The member with this id if their unit is in the actor's subtree; else 404."""
    try:
        return (
            Member.objects.for_actor(actor)
            .select_related("unit__organisation", "organisation")
            .get(pk=member_id)
        )
    except (Member.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None


def access_unit_parent(actor: Actor, organisation_id) -> Organisation:
    """A node the actor reaches that may hold units; else 404."""
    try:
        return (
            Organisation.objects.for_actor(actor)
            .filter(kind__in=UNIT_PARENT_KINDS)
            .get(pk=organisation_id)
        )
    except (Organisation.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None


def transfers_of(actor: Actor, member: Member):
    return MemberTransfer.objects.for_actor(actor).filter(member=member)


def can_manage_members(actor: Actor, unit: Unit | None = None) -> bool:
    """Agents of the unit (or of an agent office above it), cadres above, and office admins."""
    return actor.has_role(*MEMBER_MANAGERS) and (unit is None or actor.reaches(unit.organisation))


def may_see_full_id_number(actor: Actor, member: Member) -> bool:
    """Who sees whole ID numbers (everyone else sees ``3401**********1234``).

    - office admins: they accept enrolments and correct records for the whole office;
    - claim reviewers: they match the ID card in a claim file against the member;
    - auditors: they check records against the paper forms;
    - agents, for the members of the units they reach (their own unit, or the units
      below their agent office): they enrol these people, hold their paper forms and
      must be able to correct a mistyped number.

    Cadres of cities and counties see masked numbers: they verify enrolments in bulk and
    read statistics, and neither needs a whole number. Finance sees masked numbers too:
    payout files name payee, bank account and amount, not the ID. A user holding one of
    the roles above in addition (a cadre who is also a reviewer) sees whole numbers.
    """
    prefix = full_id_number_prefix(actor)
    return prefix is not None and actor.reaches(member.organisation)


def full_id_number_prefix(actor: Actor) -> str | None:
    """The same rule for sets of rows (lists, exports, SQL): whole numbers are shown for the
    members whose unit's path starts with the returned prefix (the actor's own path), and
    for nobody when it is None. ``may_see_full_id_number`` is this prefix tested on one
    member; a streamed export tests each row's path against it."""
    if actor.has_role(*FULL_ID_READER_ROLES):
        return actor.path
    return None


def display_id_number(member: Member, actor: Actor, *, reveal: bool = True) -> str:
    """The ID number as this actor may see it: whole, or masked. The one place that decides.

    ``reveal=False`` masks even for the roles above: the API does so unless the caller
    asks for whole numbers (``?full_id_number=1``), so an integration dumps masked lists
    by default."""
    if reveal and may_see_full_id_number(actor, member):
        return member.id_number
    return mask_id_number(member.id_number)
