"""Access helpers: fetch one object for an actor, or 404; and the role rules every app
shares (who manages units, who sees whole bank accounts).

A missing object and an object outside the actor's reach answer the same way, so
ids cannot be probed across tenants or sibling subtrees.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404

from mutualaid.core.cleaning import mask_bank_account
from mutualaid.tenancy.models import Organisation, Role, Staff
from mutualaid.tenancy.scoping import Actor

# Who registers and edits units (the leaves of the tree) at or below their node.
UNIT_MANAGERS = (Role.OFFICE_ADMIN, Role.CADRE)
#: Who sees whole bank accounts: the roles that pay (they build, approve and send payout
#: batches, whose bank files carry every account in full). docs/decisions.md, "Bank accounts".
BANK_ACCOUNT_ROLES = (Role.FINANCE, Role.OFFICE_ADMIN)


def can_manage_units(actor: Actor, node: Organisation | None = None) -> bool:
    """Office admins and cadres register and edit units at or below their node. Agents read
    their units; changing the registration data goes through the cadre above them."""
    return actor.has_role(*UNIT_MANAGERS) and (node is None or actor.reaches(node))


def may_see_bank_accounts(actor: Actor | None) -> bool:
    """Finance and office admins see whole accounts of the units and payees they reach;
    everyone else (reviewers, cadres, agents, auditors) sees ``6222 **** **** 1234``. They may
    still type a new account where they may edit one: an account is written in full and
    read back masked, like a password."""
    return actor is not None and actor.has_role(*BANK_ACCOUNT_ROLES)


def shown_bank_account(account: str, actor: Actor | None) -> str:
    """The account as this actor may see it: whole, or masked. The one place that decides."""
    return account if may_see_bank_accounts(actor) else mask_bank_account(account)


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


#: URL argument → the access helper that finds its object (``access_claim`` for
#: ``claim_id``), registered by the apps at start-up: a user without a page's role who names
#: an object out of their reach gets 404 like a missing one, not a 403 that says it exists.
REACH: dict[str, Callable] = {}


def register_reach(argument: str, helper: Callable) -> None:
    REACH[argument] = helper


def staff_required(*roles: str, reach=None):
    """View decorator: a logged-in staff user, holding one of ``roles`` when given.

    Anonymous users go to the login page; users without the role get 403 (the page
    exists for others, so hiding it would only confuse support calls). A page about one
    object names its access helper as ``reach`` (called with the actor and the view's
    arguments): for a user without the role it runs first, so an object out of their
    reach answers 404 like a missing one (SPEC §1), not 403 that says it exists.
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
                if reach is not None:
                    reach(actor, *args, **kwargs)  # Http404 when out of reach
                for name, value in kwargs.items():
                    if name in REACH:
                        REACH[name](actor, value)  # Http404 when out of reach
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
