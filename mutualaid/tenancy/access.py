"""Access helpers: fetch one object for an actor, or 404.

A missing object and an object outside the actor's reach answer the same way, so
ids cannot be probed across tenants or sibling subtrees.
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404

from mutualaid.tenancy.models import Organisation, Role, Staff
from mutualaid.tenancy.scoping import Actor

# Who registers and edits units (the leaves of the tree) at or below their node.
UNIT_MANAGERS = (Role.OFFICE_ADMIN, Role.CADRE)


def can_manage_units(actor: Actor, node: Organisation | None = None) -> bool:
    """Office admins and cadres register and edit units at or below their node. Agents read
    their units; changing the registration data goes through the cadre above them."""
    return actor.has_role(*UNIT_MANAGERS) and (node is None or actor.reaches(node))


def access_organisation(actor: Actor, organisation_id) -> Organisation:
    """The organisation with this id if it is the actor's node or below it; else 404."""
    try:
        return Organisation.objects.for_actor(actor).get(pk=organisation_id)
    except (Organisation.DoesNotExist, ValueError):
        raise Http404 from None


def access_staff(actor: Actor, user_id) -> Staff:
    """The staff membership of a user at or below the actor's node; else 404."""
    try:
        return (
            Staff.objects.for_actor(actor)
            .select_related("user", "organisation")
            .get(user_id=user_id)
        )
    except (Staff.DoesNotExist, ValueError):
        raise Http404 from None


def staff_required(*roles: str):
    """View decorator: a logged-in staff user, holding one of ``roles`` when given.

    Anonymous users go to the login page; users without the role get 403 (the page
    exists for others, so hiding it would only confuse support calls).
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            actor = request.actor
            if actor is None:
                raise PermissionDenied
            if roles and not actor.has_role(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
