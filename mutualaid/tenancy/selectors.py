"""Reads of the tree and staff, each doing its own joins."""

from __future__ import annotations

from django.db.models import Q

from mutualaid.tenancy.models import Organisation, OrganisationKind, Role, Staff
from mutualaid.tenancy.scoping import Actor


def organisation_tree(*, actor: Actor, query: str = ""):
    """The actor's subtree in depth-first order (one query on the path index)."""
    qs = Organisation.objects.for_actor(actor).order_by("path")
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(code__iexact=query))
    return qs


def organisation_children(*, actor: Actor, node: Organisation):
    return (
        Organisation.objects.for_actor(actor)
        .filter(path__startswith=node.path, depth=node.depth + 1)
        .order_by("name")
    )


def staff_list(*, actor: Actor, organisation: Organisation | None = None, query: str = ""):
    qs = (
        Staff.objects.for_actor(actor)
        .select_related("user", "organisation")
        .order_by("organisation__path", "user__username")
    )
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if query:
        qs = qs.filter(Q(user__username__icontains=query) | Q(user__display_name__icontains=query))
    return qs


def unit_agents(organisation: Organisation) -> list:
    """The unit's agents: agents at the unit's node, and at an agent office above it."""
    chain = organisation.ancestry()
    nodes = [organisation.pk] + [n.pk for n in chain if n.kind == OrganisationKind.AGENT]
    return list(
        Staff.objects.filter(
            tenant_id=organisation.tenant_id,
            organisation_id__in=nodes,
            roles__contains=[Role.AGENT],
        ).values_list("user_id", flat=True)
    )
