"""The one base class of every API endpoint: resolve the actor, check roles per method.

Like the pages, the API answers 404 for objects outside the actor's subtree or
tenant, and 403 when the actor's roles do not allow the method at all.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, generics

from mutualaid.tenancy.scoping import Actor, actor_for


class ScopedAPIView(generics.GenericAPIView):
    """Subclasses set ``role_map``: HTTP method → roles allowed (empty set = any staff role)."""

    role_map: dict[str, set[str]] = {"GET": set(), "HEAD": set(), "OPTIONS": set()}
    actor: Actor

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        actor = actor_for(request.user)
        if actor is None:
            raise exceptions.PermissionDenied("No staff membership.")
        allowed = self.role_map.get(request.method)
        if allowed is None or (allowed and not actor.has_role(*allowed)):
            raise exceptions.PermissionDenied("Your roles do not allow this.")
        self.actor = actor
        request.actor = actor

    def handle_exception(self, exc):
        # Services raise Django's ValidationError (DomainError): answer 400 with its messages.
        if isinstance(exc, DjangoValidationError):
            detail = (
                exc.message_dict
                if hasattr(exc, "error_dict")
                else {getattr(exc, "code", None) or "non_field_errors": exc.messages}
            )
            exc = exceptions.ValidationError(detail)
        return super().handle_exception(exc)
