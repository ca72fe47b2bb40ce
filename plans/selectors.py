"""Reads of the plan catalogue, each doing its own joins."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Max, Prefetch, Q, QuerySet

from mutualaid.tenancy.models import Organisation, OrganisationKind
from mutualaid.tenancy.scoping import Actor
from plans.models import BenefitItem, Plan, PlanVersion, VersionStatus


def plan_list(*, actor: Actor, query: str = "") -> QuerySet[Plan]:
    """Plans the actor may read, with their version counts and latest published date (one query)."""
    qs = (
        Plan.objects.for_actor(actor)
        .select_related("organisation")
        .annotate(
            version_count=Count("versions"),
            draft_count=Count("versions", filter=Q(versions__status=VersionStatus.DRAFT)),
            latest_published_from=Max(
                "versions__valid_from", filter=Q(versions__status=VersionStatus.PUBLISHED)
            ),
        )
        .order_by("code", "id")
    )
    if query:
        qs = qs.filter(
            Q(code__icontains=query) | Q(name__icontains=query) | Q(short_name__icontains=query)
        )
    return qs


def version_list(*, plan: Plan) -> QuerySet[PlanVersion]:
    return (
        PlanVersion.objects.filter(plan=plan)
        .select_related("created_by", "published_by")
        .annotate(item_count=Count("items"))
        .order_by("-number")
    )


def version_with_items(*, version: PlanVersion) -> list[BenefitItem]:
    items = list(BenefitItem.objects.filter(version=version).order_by("position", "code"))
    for item in items:
        item.version = version
    return items


def version_in_force(*, plan: Plan, on_date: date) -> PlanVersion | None:
    """The published version in force on ``on_date``: the greatest valid_from ≤ date.

    A version whose ``valid_to`` has passed ends the plan on that day; an older version
    does not come back into force.
    """
    version = (
        PlanVersion.objects.published()
        .filter(plan=plan, valid_from__lte=on_date)
        .order_by("-valid_from", "-number")
        .first()
    )
    if version is None or (version.valid_to is not None and version.valid_to < on_date):
        return None
    return version


def calculator_versions(*, actor: Actor) -> QuerySet[PlanVersion]:
    """Every version the actor may read, for the calculator's choice list."""
    return (
        PlanVersion.objects.for_actor(actor)
        .select_related("plan")
        .order_by("plan__code", "-valid_from", "-number")
    )


def versions_with_items(*, actor: Actor) -> QuerySet[PlanVersion]:
    return calculator_versions(actor=actor).prefetch_related(
        Prefetch("items", queryset=BenefitItem.objects.order_by("position", "code"))
    )


def plan_owner_choices(*, actor: Actor) -> QuerySet[Organisation]:
    """Nodes a plan may belong to: the office (tenant-wide) or a city (local), within reach."""
    return (
        Organisation.objects.for_actor(actor)
        .filter(kind__in=[OrganisationKind.OFFICE, OrganisationKind.CITY])
        .order_by("path")
    )
