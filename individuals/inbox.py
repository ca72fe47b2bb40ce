"""What waits for a federation's cadre: individual applications to decide (the work inbox,
``mutualaid.home.inbox``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from individuals.access import DECIDERS
from individuals.models import ApplicationStatus, IndividualApplication
from mutualaid.home.inbox import InboxItem, InboxSource, Urgency, register

#: An application waiting longer than this is coloured late.
LATE_DAYS = 7


def pending_rows(actor):
    return (
        IndividualApplication.objects.for_actor(actor)
        .filter(status=ApplicationStatus.PENDING)
        .select_related("organisation", "plan_version__plan")
        .order_by("created_at", "id")
    )


def _item(actor, application: IndividualApplication) -> InboxItem:
    day = timezone.localdate(application.created_at)
    waited = (timezone.localdate() - day).days
    return InboxItem(
        title=f"{application.name} · {application.occupation}"
        + (f"（{application.platform}）" if application.platform else ""),
        detail=_("%(plan)s · applied on %(day)s at %(federation)s")
        % {
            "plan": application.plan_version.plan.display_name,
            "day": day.isoformat(),
            "federation": application.organisation.name,
        },
        link=reverse("individuals:detail", args=[application.pk]),
        when=day,
        urgency=Urgency.LATE if waited > LATE_DAYS else Urgency.NONE,
    )


SOURCES = (
    InboxSource(
        key="individuals.pending",
        label=gettext_lazy("Individual applications to decide"),
        roles=DECIDERS,
        rank=25,
        rows=pending_rows,
        item=_item,
        link=lambda: reverse("individuals:list"),
    ),
)


def register_sources() -> None:
    for source in SOURCES:
        register(source)
