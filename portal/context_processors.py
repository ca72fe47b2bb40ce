"""Template context of every page: the actor, the role-aware menu, the node chain for the
header and breadcrumbs."""

from mutualaid.tenancy.models import Role
from portal.navigation import items_for


def navigation(request):
    actor = getattr(request, "actor", None)
    if actor is None:
        return {"actor": None, "nav_items": []}
    return {
        "actor": actor,
        "nav_items": items_for(actor, request.path),
        # Root-first chain of nodes, for the header and breadcrumbs.
        "org_chain": actor.organisation.ancestry(),
        "role_labels": [Role(role).label for role in Role.values if role in actor.roles],
    }
