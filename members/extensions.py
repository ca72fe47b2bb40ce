"""What apps above ``members`` add to the member's page and learn of a member's changes.

``members`` sits below enrolment and claims, so it never imports them. Instead they
register here, from their ``AppConfig.ready()``:

- ``register_member_page(provider)``: ``provider(actor=..., member=...)`` returns context for
  the member page (enrolment adds the member's cover, claims whether an incident may be
  reported); the page merges what every provider returns.
- ``member_renamed``: a signal sent inside the rename's transaction, so copies of the name
  kept elsewhere (the claims' search copy) change in the same commit or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.dispatch import Signal

#: Sent with ``member`` after its name changed and was saved, before the commit.
member_renamed = Signal()

_page_providers: list[Callable[..., dict[str, Any]]] = []


def register_member_page(provider: Callable[..., dict[str, Any]]) -> None:
    if provider not in _page_providers:
        _page_providers.append(provider)


def member_page_context(*, actor, member) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for provider in _page_providers:
        context.update(provider(actor=actor, member=member))
    return context
