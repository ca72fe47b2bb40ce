"""What waits in the enrolment workflow, for the work inbox (``mutualaid.home.inbox``).

- agents: enrolments sent back (with the reason), new drafts not submitted yet, cover
  ending within the renewal notice window with no renewal drafted yet;
- cadres of a city, county or industry union: enrolments submitted below them that they
  check (核定) — those of units whose nearest checking node with a cadre is theirs, the
  rule ``enrolment.notices.checkers_of`` notifies by;
- office admins at the office: checked enrolments waiting for acceptance (受理).

Every source reads the waiting statuses through ``enrolment_waiting_idx`` (a partial index
of the few rows in those statuses), scoped to the actor's subtree.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Left
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enrolment.access import CHECKER_NODE_KINDS
from enrolment.models import Enrolment, EnrolmentKind, EnrolmentStatus
from mutualaid.home.inbox import InboxItem, InboxSource, Urgency, register
from mutualaid.tenancy.models import Organisation, OrganisationKind, Role, Staff


def _rows(actor, status):
    return (
        Enrolment.objects.for_actor(actor)
        .filter(status=status)
        .select_related("organisation", "plan")
    )


def _title(enrolment: Enrolment) -> str:
    return f"{enrolment.organisation.name} · {enrolment.plan.display_name}"


def _link(enrolment: Enrolment) -> str:
    return reverse("enrolments:detail", args=[enrolment.pk])


def _list(status: str):
    return lambda: reverse("enrolments:list") + f"?status={status}"


def sent_back_rows(actor):
    return _rows(actor, EnrolmentStatus.RETURNED).order_by("returned_at", "id")


def draft_rows(actor):
    # Renewal drafts are the premiums side's source (with their payment deadline).
    return (
        _rows(actor, EnrolmentStatus.DRAFT)
        .exclude(kind=EnrolmentKind.RENEWAL)
        .order_by("start_date", "created_at", "id")
    )


def to_check_rows(actor):
    """Submitted below the actor's node, except under a deeper node with a cadre of its own
    (that cadre checks them). One query: the exception is a correlated EXISTS on staff."""
    node = actor.organisation
    deeper_checker = Staff.objects.filter(
        tenant_id=actor.tenant_id,
        roles__contains=[Role.CADRE],
        user__is_active=True,
        organisation__kind__in=CHECKER_NODE_KINDS,
        organisation__depth__gt=node.depth,
        organisation__path=Left(
            OuterRef("organisation__path"), F("organisation__depth") * Organisation.steplen
        ),
    ).exclude(organisation_id=OuterRef("organisation_id"))
    return (
        _rows(actor, EnrolmentStatus.SUBMITTED)
        .exclude(organisation_id=node.pk)
        .exclude(Exists(deeper_checker))
        .order_by("submitted_at", "id")
    )


def to_accept_rows(actor):
    return _rows(actor, EnrolmentStatus.CHECKED).order_by("checked_at", "id")


def cover_ending_rows(actor):
    """Cover ending within the renewal notice window with nothing following it yet (once
    the renewal draft exists it is the premiums side's "renewals to submit")."""
    today = timezone.localdate()
    followers = Enrolment.objects.filter(previous_id=OuterRef("pk")).exclude(
        status=EnrolmentStatus.CANCELLED
    )
    return (
        _rows(actor, EnrolmentStatus.IN_FORCE)
        .filter(
            coverage_end__gte=today,
            coverage_end__lte=today + dt.timedelta(days=settings.RENEWAL_NOTICE_DAYS),
        )
        .exclude(Exists(followers))
        .order_by("coverage_end", "id")
    )


def _cover_ending_item(actor, e: Enrolment) -> InboxItem:
    return InboxItem(
        title=_title(e),
        detail=_("%(members)s members · cover ends %(end)s")
        % {"members": e.member_count, "end": e.coverage_end.isoformat()},
        link=_link(e),
        when=e.coverage_end,
        urgency=Urgency.SOON,
    )


def _sent_back_item(actor, e: Enrolment) -> InboxItem:
    return InboxItem(
        title=_title(e),
        detail=_("Sent back: %(reason)s") % {"reason": e.return_reason},
        link=_link(e),
        when=e.returned_at.date() if e.returned_at else None,
        urgency=Urgency.SOON,
    )


def _draft_item(actor, e: Enrolment) -> InboxItem:
    return InboxItem(
        title=_title(e),
        detail=_("%(members)s members · cover from %(start)s")
        % {"members": e.member_count, "start": e.start_date.isoformat()},
        link=_link(e),
        when=e.start_date,
    )


def _waiting_item(at_field: str):
    def item(actor, e: Enrolment) -> InboxItem:
        at = getattr(e, at_field)
        return InboxItem(
            title=_title(e),
            detail=_("%(members)s members · ¥%(premium)s · since %(date)s")
            % {
                "members": e.member_count,
                "premium": e.premium_total,
                "date": at.date().isoformat() if at else "",
            },
            link=_link(e),
            when=at.date() if at else None,
        )

    return item


def _is_checker_node(actor) -> bool:
    return actor.organisation.kind in CHECKER_NODE_KINDS


def _is_office(actor) -> bool:
    return actor.organisation.kind == OrganisationKind.OFFICE


SOURCES = (
    InboxSource(
        key="enrolment.sent_back",
        label=gettext_lazy("Enrolments sent back"),
        roles=(Role.AGENT,),
        rank=10,
        rows=sent_back_rows,
        item=_sent_back_item,
        link=_list(EnrolmentStatus.RETURNED),
    ),
    InboxSource(
        key="enrolment.drafts",
        label=gettext_lazy("Enrolment drafts to submit"),
        roles=(Role.AGENT,),
        rank=30,
        rows=draft_rows,
        item=_draft_item,
        link=_list(EnrolmentStatus.DRAFT),
    ),
    InboxSource(
        key="enrolment.cover_ending",
        label=gettext_lazy("Cover ending soon"),
        roles=(Role.AGENT,),
        rank=35,
        rows=cover_ending_rows,
        item=_cover_ending_item,
        link=lambda: reverse("premiums:renewal_list"),
    ),
    InboxSource(
        key="enrolment.to_check",
        label=gettext_lazy("To check"),
        roles=(Role.CADRE,),
        rank=10,
        rows=to_check_rows,
        item=_waiting_item("submitted_at"),
        link=_list(EnrolmentStatus.SUBMITTED),
        applies=_is_checker_node,
    ),
    InboxSource(
        key="enrolment.to_accept",
        label=gettext_lazy("To accept"),
        roles=(Role.OFFICE_ADMIN,),
        rank=10,
        rows=to_accept_rows,
        item=_waiting_item("checked_at"),
        link=_list(EnrolmentStatus.CHECKED),
        applies=_is_office,
    ),
)


def register_sources() -> None:
    for source in SOURCES:
        register(source)
