"""Reads of enrolments, rosters and policies, each doing its own joins; keyset paging."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from enrolment.models import (
    Enrolment,
    EnrolmentStatus,
    Policy,
    ShareTranche,
    StatusChange,
)
from enrolment.roster_source import roster_lines
from enrolment.states import ENROLMENT_STATE_LABELS, enrolment_state_filter
from members.models import Member, Unit
from members.selectors import member_search_filter
from mutualaid.core.paging import KeysetPage, keyset_page
from mutualaid.tenancy.scoping import Actor
from plans.models import Plan

PAGE_SIZE = 50
LINE_PAGE_SIZE = 100
ENROLMENT_ORDER = ("-created_at", "-id")
LINE_ORDER = ("id",)  # roster order: the order lines were added (an import keeps its rows')
MEMBER_ORDER = ("name", "id")
POLICY_ORDER = ("-start", "-id")


def enrolment_list(
    *,
    actor: Actor,
    status: str = "",
    state: str = "",
    unit: Unit | None = None,
    plan: Plan | None = None,
) -> QuerySet[Enrolment]:
    """The actor's enrolments; ``status``: the stored workflow status (the work queues);
    ``state``: the state shown today (``enrolment.states``: in force splits by the dates)."""
    qs = Enrolment.objects.for_actor(actor).select_related("organisation", "plan", "plan_version")
    if status in EnrolmentStatus.values:
        qs = qs.filter(status=status)
    if state in ENROLMENT_STATE_LABELS:
        qs = qs.filter(enrolment_state_filter(state))
    if unit is not None:
        qs = qs.filter(organisation_id=unit.pk)
    if plan is not None:
        qs = qs.filter(plan_id=plan.pk)
    return qs


def enrolment_page(
    *,
    actor: Actor,
    status: str = "",
    state: str = "",
    unit: Unit | None = None,
    plan: Plan | None = None,
    after: str | None = None,
    size: int = PAGE_SIZE,
) -> KeysetPage:
    """One page of enrolments, newest first; one query (totals are columns, not sums)."""
    qs = enrolment_list(actor=actor, status=status, state=state, unit=unit, plan=plan)
    return keyset_page(qs, order=ENROLMENT_ORDER, after=after, size=size)


def line_page(
    *, enrolment: Enrolment, after: str | None = None, size: int = LINE_PAGE_SIZE
) -> KeysetPage:
    """One page of an enrolment's roster with each member; one query."""
    qs = roster_lines(enrolment).select_related("member__organisation")
    return keyset_page(qs, order=LINE_ORDER, after=after, size=size)


def enrolment_history(*, enrolment: Enrolment) -> QuerySet[StatusChange]:
    """The enrolment's steps, oldest first, with who took them (one query)."""
    return (
        StatusChange.objects.filter(enrolment_id=enrolment.pk)
        .select_related("actor")
        .order_by("at", "id")
    )


def unit_members_to_choose(
    *, enrolment: Enrolment, query: str = "", after: str | None = None, size: int = PAGE_SIZE
) -> KeysetPage:
    """Members of the enrolment's unit not on its roster yet, by name; one query."""
    on_roster = roster_lines(enrolment).filter(member_id=OuterRef("pk"))
    qs = (
        Member.objects.filter(organisation_id=enrolment.organisation_id)
        .exclude(Exists(on_roster))
        .select_related("organisation")
    )
    if query.strip():
        qs = qs.filter(member_search_filter(query))
    return keyset_page(qs, order=MEMBER_ORDER, after=after, size=size)


def _tranches():
    return Prefetch("tranches", queryset=ShareTranche.objects.order_by("start", "id"))


def policy_list(*, actor: Actor, member: Member | None = None) -> QuerySet[Policy]:
    qs = Policy.objects.for_actor(actor).select_related(
        "member", "organisation", "plan", "plan_version"
    )
    if member is not None:
        qs = qs.filter(member_id=member.pk)
    return qs


def policy_page(
    *, actor: Actor, member: Member | None = None, after: str | None = None, size: int = PAGE_SIZE
) -> KeysetPage:
    """One page of policies with their tranches: two queries (policies, tranches)."""
    qs = policy_list(actor=actor, member=member).prefetch_related(_tranches())
    return keyset_page(qs, order=POLICY_ORDER, after=after, size=size)


def member_cover(*, actor: Actor, member: Member) -> list[Policy]:
    """All the member's cover, past and present, newest first, with tranches: two queries.

    Includes cover bought through a unit the member has left: it runs until its end and
    the member's unit now handles the claims (SPEC §4)."""
    return list(
        policy_list(actor=actor, member=member)
        .prefetch_related(_tranches())
        .order_by(*POLICY_ORDER)
    )
