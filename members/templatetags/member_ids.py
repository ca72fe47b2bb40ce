"""``{% shown_id_number member %}``: a member's ID number as the request's actor may see it.

The same rule as every page, export and API answer (``members.access.display_id_number``:
whole for office admins, reviewers, auditors and the agents of the member's unit; masked
for everyone else), for templates that list members without a view preparing the number
(the incident-report search, the claim pages).
"""

from __future__ import annotations

from django import template

from members.access import display_id_number
from mutualaid.core.cleaning import mask_id_number

register = template.Library()


@register.simple_tag(takes_context=True)
def shown_id_number(context, member) -> str:
    request = context.get("request")
    actor = getattr(request, "actor", None)
    if actor is None:
        return mask_id_number(member.id_number)
    return display_id_number(member, actor)
