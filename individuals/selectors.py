"""Reads of individual applications: the cadre's list (keyset paging, no COUNT(*))."""

from __future__ import annotations

from django.db.models import QuerySet

from individuals.models import ApplicationStatus, IndividualApplication
from mutualaid.core.paging import KeysetPage, keyset_page
from mutualaid.tenancy.scoping import Actor

PAGE_SIZE = 50
#: Oldest first: people waiting longest are decided first.
ORDER = ("created_at", "id")


def application_list(*, actor: Actor, status: str = ApplicationStatus.PENDING) -> QuerySet:
    qs = IndividualApplication.objects.for_actor(actor).select_related(
        "organisation", "plan_version__plan", "decided_by"
    )
    if status in ApplicationStatus.values:
        qs = qs.filter(status=status)
    return qs


def application_page(
    *, actor: Actor, status: str = ApplicationStatus.PENDING, after=None, size: int = PAGE_SIZE
) -> KeysetPage:
    """One page of the list: one query whatever the number of applications."""
    return keyset_page(
        application_list(actor=actor, status=status), order=ORDER, after=after, size=size
    )
