"""Who may read which statistics; access helpers answer 404 outside the actor's reach.

- Dashboards: any staff user, for their node and the nodes below it (a unit's agent sees
  the unit's own figures). A node outside the subtree answers 404, like a missing one.
- Fund statements: a plan's whole fund, so only people at the plan's owning node or above
  it (an office for its tenant-wide plans; the city too for its local plan), with a role
  that handles money or statistics.
- Returns: the filing city's cadres, and the office above it (admins review them).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404

from mutualaid.tenancy.access import access_organisation
from mutualaid.tenancy.models import Organisation, Role
from mutualaid.tenancy.scoping import Actor
from plans.models import Plan
from stats.models import StatisticalReturn

FUND_READERS = (Role.OFFICE_ADMIN, Role.FINANCE, Role.AUDITOR, Role.CADRE)
#: Prepare, refill and submit a return: the city's cadres (and the office's admins, who
#: may fill in for a city).
RETURN_FILERS = (Role.CADRE, Role.OFFICE_ADMIN)
#: Accept or send back: the office's admins.
RETURN_REVIEWERS = (Role.OFFICE_ADMIN,)
RETURN_READERS = (Role.CADRE, Role.OFFICE_ADMIN, Role.AUDITOR, Role.FINANCE)
#: Who may rebuild the summaries on demand (the nightly job does it anyway).
REFRESHERS = (Role.OFFICE_ADMIN,)


def access_node(actor: Actor, organisation_id) -> Organisation:
    """The node whose dashboard is asked for: the actor's node or below it; else 404."""
    return access_organisation(actor, organisation_id)


def fund_plans(*, actor: Actor):
    """Plans whose whole fund lies within the actor's subtree (owner at or below the actor)."""
    return Plan.objects.filter(
        tenant_id=actor.tenant.pk, organisation__path__startswith=actor.path
    ).select_related("organisation")


def access_fund_plan(actor: Actor, plan_id) -> Plan:
    """A plan the actor may see the fund statement of; else 404."""
    try:
        return fund_plans(actor=actor).get(pk=plan_id)
    except (Plan.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None


def access_return(actor: Actor, return_id) -> StatisticalReturn:
    """A return of the actor's node or of a node below it; else 404."""
    try:
        return (
            StatisticalReturn.objects.for_actor(actor)
            .select_related("organisation", "submitted_by", "decided_by")
            .get(pk=return_id)
        )
    except (StatisticalReturn.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None
