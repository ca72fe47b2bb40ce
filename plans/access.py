"""Access helpers: one plan, version or benefit item for an actor, or 404.

A missing object and one the actor may not read answer the same way, so ids cannot
be probed across tenants or from a sibling city.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404

from mutualaid.tenancy.scoping import Actor
from plans.models import BenefitItem, Plan, PlanVersion


def access_plan(actor: Actor, plan_id) -> Plan:
    """The plan if the actor may read it (tenant-wide, or local to their city's line); else 404."""
    try:
        return Plan.objects.for_actor(actor).select_related("organisation").get(pk=plan_id)
    except (Plan.DoesNotExist, ValueError):
        raise Http404 from None


def access_version(actor: Actor, plan_id, version_id) -> PlanVersion:
    """A version of a plan the actor may read; 404 also when it belongs to another plan."""
    try:
        return (
            PlanVersion.objects.for_actor(actor)
            .select_related("plan", "plan__organisation")
            .get(pk=version_id, plan_id=plan_id)
        )
    except (PlanVersion.DoesNotExist, ValueError):
        raise Http404 from None


def access_item(actor: Actor, plan_id, version_id, item_id) -> BenefitItem:
    """A benefit item of a readable version, reached through its own plan and version ids."""
    version = access_version(actor, plan_id, version_id)
    try:
        item = BenefitItem.objects.get(pk=item_id, version_id=version.pk)
    except (BenefitItem.DoesNotExist, ValueError):
        raise Http404 from None
    item.version = version
    return item


def access_plan_filter(actor: Actor, plan_id) -> Plan:
    """A plan the actor may read, for a list filter (``?plan=``); 404 for anything else,
    malformed ids included."""
    try:
        return access_plan(actor, plan_id)
    except ValidationError:
        raise Http404 from None
