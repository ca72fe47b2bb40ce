"""Who decides individual applications, and the 404 rule for one application.

The federation's cadres decide (staff of the federation's node or above, SPEC §2): cadres
and office admins whose subtree holds the federation. Auditors read. Anything outside the
actor's subtree or tenant answers 404, missing or foreign alike.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404

from individuals.models import IndividualApplication
from mutualaid.tenancy.models import Organisation, OrganisationKind, Role
from mutualaid.tenancy.scoping import Actor

DECIDERS = (Role.CADRE, Role.OFFICE_ADMIN)
READERS = (Role.CADRE, Role.OFFICE_ADMIN, Role.AUDITOR)
#: The nodes a person may apply to: a city or county federation (总工会).
FEDERATION_KINDS = (OrganisationKind.CITY, OrganisationKind.COUNTY)

_ERRORS = (ValueError, ValidationError)


def access_application(actor: Actor, application_id) -> IndividualApplication:
    """The application if its federation is in the actor's subtree; else 404."""
    try:
        return (
            IndividualApplication.objects.for_actor(actor)
            .select_related("organisation", "plan_version__plan", "decided_by")
            .get(pk=application_id)
        )
    except (IndividualApplication.DoesNotExist, *_ERRORS):
        raise Http404 from None


def can_read(actor: Actor) -> bool:
    return actor.has_role(*READERS)


def can_decide(actor: Actor, federation: Organisation) -> bool:
    """A cadre (or office admin) of the federation's node or above."""
    return actor.has_role(*DECIDERS) and actor.reaches(federation)
