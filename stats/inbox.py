"""What waits in the monthly returns, for the work inbox (``mutualaid.home.inbox``).

- city cadres: their node's returns to review and submit (drafts and sent back);
- office admins: returns submitted and waiting for acceptance, returns overdue.
"""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mutualaid.home.inbox import InboxItem, InboxSource, Urgency, register
from mutualaid.tenancy.models import OrganisationKind, Role
from stats.models import OPEN_RETURN_STATUSES, ReturnStatus, StatisticalReturn
from stats.services import FILING_KINDS


def _returns(actor):
    return StatisticalReturn.objects.for_actor(actor).select_related("organisation")


def to_file_rows(actor):
    return (
        _returns(actor)
        .filter(organisation_id=actor.organisation.pk, status__in=OPEN_RETURN_STATUSES)
        .order_by("due_on", "id")
    )


def to_accept_rows(actor):
    today = timezone.localdate()
    return (
        _returns(actor)
        .filter(
            Q(status=ReturnStatus.SUBMITTED) | Q(status__in=OPEN_RETURN_STATUSES, due_on__lt=today)
        )
        .order_by("due_on", "id")
    )


def _item(actor, ret: StatisticalReturn) -> InboxItem:
    today = timezone.localdate()
    late = ret.status in OPEN_RETURN_STATUSES and ret.due_on < today
    if ret.status == ReturnStatus.SUBMITTED:
        detail = _("Submitted: waiting for acceptance")
    elif ret.status == ReturnStatus.RETURNED:
        detail = _("Sent back: %(reason)s") % {"reason": ret.return_reason}
    else:
        detail = _("Due by %(date)s") % {"date": ret.due_on.isoformat()}
    return InboxItem(
        title=f"{ret.organisation.name} · {ret.year}-{ret.month:02d}",
        detail=detail + (" · " + _("overdue") if late else ""),
        link=reverse("stats:return_detail", args=[ret.pk]),
        when=ret.due_on,
        urgency=Urgency.LATE if late else Urgency.SOON if (ret.due_on - today).days <= 3 else "",
    )


SOURCES = (
    InboxSource(
        key="stats.returns_to_file",
        label=gettext_lazy("Returns to file"),
        roles=(Role.CADRE,),
        rank=20,
        rows=to_file_rows,
        item=_item,
        link=lambda: reverse("stats:return_list"),
        applies=lambda actor: actor.organisation.kind in FILING_KINDS,
    ),
    InboxSource(
        key="stats.returns_to_accept",
        label=gettext_lazy("Cities' returns to accept or chase"),
        roles=(Role.OFFICE_ADMIN,),
        rank=20,
        rows=to_accept_rows,
        item=_item,
        link=lambda: reverse("stats:return_list"),
        applies=lambda actor: actor.organisation.kind == OrganisationKind.OFFICE,
    ),
)


def register_sources() -> None:
    for source in SOURCES:
        register(source)
