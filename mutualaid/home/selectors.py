"""Reads for the home page: the actor's scope at a glance."""

from __future__ import annotations

from mutualaid.audit.models import AuditEvent
from mutualaid.tenancy.models import Organisation, OrganisationKind, Role, Staff
from mutualaid.tenancy.scoping import Actor


def home_counts(*, actor: Actor) -> dict[str, int]:
    """Nodes by kind and staff in the actor's subtree (two aggregate queries)."""
    from django.db.models import Count

    by_kind = dict(
        Organisation.objects.for_actor(actor).order_by().values_list("kind").annotate(n=Count("pk"))
    )
    return {
        "organisations": sum(by_kind.values()),
        "units": by_kind.get(OrganisationKind.UNIT, 0),
        "staff": Staff.objects.for_actor(actor).count(),
    }


def calendar_notice(*, actor: Actor):
    if not actor.has_role(Role.OFFICE_ADMIN):
        return None
    from mutualaid.calendar.selectors import missing_next_year_notice

    return missing_next_year_notice(tenant=actor.tenant)


def recent_events(*, actor: Actor, limit: int = 8):
    if not actor.has_role(Role.OFFICE_ADMIN, Role.AUDITOR):
        return []
    from mutualaid.audit.sentences import describe

    # One query: the events with their actors and the actors' roles (for "财务 王五").
    return describe(
        list(AuditEvent.objects.for_actor(actor).select_related("actor__staff")[:limit])
    )
