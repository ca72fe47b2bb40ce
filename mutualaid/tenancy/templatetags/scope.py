"""Template filters about the actor's reach in the organisation tree."""

from django import template

register = template.Library()


@register.filter
def in_reach(node, actor) -> bool:
    """True when ``actor`` may open ``node`` (their own node or below it): breadcrumbs link
    only those and show the ancestors above the actor as plain text (a link would 404)."""
    if actor is None or node is None:
        return False
    return node.is_within(actor.organisation)
