"""The one base class of every API endpoint: resolve the actor, check roles per method.

Like the pages, the API answers 404 for objects outside the actor's subtree or
tenant, and 403 when the actor's roles do not allow the method at all.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, generics

from mutualaid.core.errors import BadInput, as_api_error
from mutualaid.tenancy import context
from mutualaid.tenancy.scoping import Actor, actor_for


class ScopedAPIView(generics.GenericAPIView):
    """Subclasses set ``role_map``: HTTP method → roles allowed (empty set = any staff role)."""

    role_map: dict[str, set[str]] = {"GET": set(), "HEAD": set(), "OPTIONS": set()}
    actor: Actor

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # A token's user is known only now (DRF authenticates in the view): its tenant
        # becomes the request scope's (opened by the middleware, restored after).
        context.activate_user(request.user)
        actor = actor_for(request.user)
        if actor is None:
            raise exceptions.PermissionDenied("No staff membership.")
        allowed = self.role_map.get(request.method)
        if allowed is None or (allowed and not actor.has_role(*allowed)):
            raise exceptions.PermissionDenied("Your roles do not allow this.")
        self.actor = actor
        request.actor = actor

    def handle_exception(self, exc):
        # Services raise DomainError (a Django ValidationError): 400 with its messages, keyed
        # by field exactly as the pages show them.
        if isinstance(exc, DjangoValidationError):
            exc = as_api_error(exc)
        # A forged cursor (or other unreadable input) found below the view: DRF's own 400.
        elif isinstance(exc, BadInput):
            exc = exceptions.ParseError(exc.message)
        return super().handle_exception(exc)
