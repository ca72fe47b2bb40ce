"""Reads of units and members, each doing its own joins; keyset paging (no COUNT(*), no OFFSET)."""

from __future__ import annotations

import re

from django.db.models import Q

from members.access import UNIT_PARENT_KINDS
from members.models import Member, MemberTransfer, Unit
from members.validation import InvalidValue, normalise_id_number, validate_credit_code
from mutualaid.core.paging import KeysetPage, keyset_page
from mutualaid.core.search import prefix_filter
from mutualaid.tenancy.models import Organisation
from mutualaid.tenancy.scoping import Actor

PAGE_SIZE = 50
UNIT_ORDER = ("organisation__path",)  # tree order: a county's units together; unique
MEMBER_ORDER = ("name", "id")
# The unit page shows "10,000+" above this: a bounded count stays cheap at any unit size.
MEMBER_COUNT_CAP = 10_000

_LOOKS_LIKE_ID = re.compile(r"^[0-9]{17}[0-9X]$")


def unit_list(*, actor: Actor, query: str = ""):
    qs = Unit.objects.for_actor(actor).select_related("organisation")
    query = query.strip()
    if query:
        condition = Q(organisation__name__icontains=query)
        try:
            code = validate_credit_code(query)
        except InvalidValue:
            code = ""
        if code:
            condition |= Q(credit_code=code)
        qs = qs.filter(condition)
    return qs


def unit_page(
    *, actor: Actor, query: str = "", after: str | None = None, size: int = PAGE_SIZE
) -> KeysetPage:
    """One page of the actor's units in tree order; one query."""
    return keyset_page(
        unit_list(actor=actor, query=query), order=UNIT_ORDER, after=after, size=size
    )


def unit_member_count(*, unit: Unit) -> tuple[int, bool]:
    """(count, capped): the unit's members, counted up to ``MEMBER_COUNT_CAP`` on its index."""
    n = Member.objects.filter(organisation_id=unit.pk)[: MEMBER_COUNT_CAP + 1].count()
    return min(n, MEMBER_COUNT_CAP), n > MEMBER_COUNT_CAP


def unit_parent_choices(*, actor: Actor):
    """Nodes the actor reaches that can hold a unit (cities, counties, industry unions, agents)."""
    return Organisation.objects.for_actor(actor).filter(kind__in=UNIT_PARENT_KINDS).order_by("path")


def unit_choices(*, actor: Actor):
    return (
        Unit.objects.for_actor(actor).select_related("organisation").order_by("organisation__path")
    )


def member_list(*, actor: Actor, unit: Unit | None = None, query: str = ""):
    """Members in the actor's subtree (or one unit), searched by a whole ID number (exact, after
    normalising: full-width, spaces, lower-case x) or by the start of the name."""
    qs = Member.objects.for_actor(actor).select_related("organisation")
    if unit is not None:
        qs = qs.filter(organisation_id=unit.pk)
    if query.strip():
        qs = qs.filter(member_search_filter(query))
    return qs


def member_search_terms(query: str) -> tuple[str, str]:
    """("id_number", number) for a whole ID number (after normalising), else ("name", prefix)."""
    try:
        number = normalise_id_number(query)
    except InvalidValue:
        number = ""
    if _LOOKS_LIKE_ID.match(number):
        return "id_number", number
    return "name", " ".join(query.split())


def member_search_filter(query: str) -> Q:
    """A whole ID number matches exactly; anything else is a name prefix (on the index)."""
    kind, value = member_search_terms(query)
    if kind == "id_number":
        return Q(id_number=value)
    return prefix_filter("name", value)


def member_page(
    *,
    actor: Actor,
    unit: Unit | None = None,
    query: str = "",
    after: str | None = None,
    size: int = PAGE_SIZE,
) -> KeysetPage:
    """One page of members by (name, id); one query, on the name indexes."""
    qs = member_list(actor=actor, unit=unit, query=query)
    return keyset_page(qs, order=MEMBER_ORDER, after=after, size=size)


def member_transfers(*, actor: Actor, member: Member):
    """The member's moves, oldest first, with both units' names (one query)."""
    return (
        MemberTransfer.objects.for_actor(actor)
        .filter(member=member)
        .select_related("from_unit__organisation", "to_unit__organisation", "actor")
        .order_by("date", "created_at")
    )
