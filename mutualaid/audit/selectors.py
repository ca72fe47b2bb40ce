"""Reading the audit log: scoped, filtered, keyset-paged (newest first); pictures shown with
bank accounts masked for roles that do not pay."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mutualaid.audit.models import AuditEvent
from mutualaid.core.cleaning import mask_bank_account
from mutualaid.core.paging import KeysetPage, keyset_page
from mutualaid.tenancy.access import may_see_bank_accounts
from mutualaid.tenancy.scoping import Actor

#: The action filter of the log page: a family of actions named in words, not codes.
ACTION_FAMILIES = {
    "claims": (_("Claims and payouts"), ("claim.", "policy.end")),
    "enrolment": (_("Enrolments and renewals"), ("enrolment.", "renewal.")),
    "premiums": (_("Premiums"), ("invoice.", "payment.")),
    "members": (_("Units and members"), ("member.", "unit.")),
    "organisation": (_("Organisations and users"), ("organisation.", "staff.", "tenant.")),
    "plans": (_("Plans"), ("plan.", "plan_version.", "benefit_item.")),
    "calendar": (_("Work calendar"), ("calendar.",)),
    "stats": (_("Statistics"), ("stats.",)),
}


def action_family_choices() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, (label, _prefixes) in ACTION_FAMILIES.items()]


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    who: str = ""
    obj: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @classmethod
    def from_querydict(cls, data) -> AuditFilters:
        def date(name):
            try:
                return dt.date.fromisoformat(data.get(name, ""))
            except ValueError:
                return None

        return cls(
            action=data.get("action", "").strip(),
            who=data.get("who", "").strip(),
            obj=data.get("obj", "").strip(),
            date_from=date("date_from"),
            date_to=date("date_to"),
        )

    def querystring(self) -> str:
        from urllib.parse import urlencode

        pairs = {
            "action": self.action,
            "who": self.who,
            "obj": self.obj,
            "date_from": self.date_from or "",
            "date_to": self.date_to or "",
        }
        return urlencode({k: v for k, v in pairs.items() if v})


def event_list(*, actor: Actor, filters: AuditFilters):
    qs = AuditEvent.objects.for_actor(actor).select_related("actor__staff", "organisation")
    if filters.action in ACTION_FAMILIES:
        prefixes = ACTION_FAMILIES[filters.action][1]
        match = Q()
        for prefix in prefixes:
            match |= Q(action__startswith=prefix)
        qs = qs.filter(match)
    elif filters.action:
        qs = qs.filter(action__startswith=filters.action)
    if filters.who:
        qs = qs.filter(
            Q(actor__username__icontains=filters.who)
            | Q(actor__display_name__icontains=filters.who)
        )
    if filters.obj:
        qs = qs.filter(Q(object_repr__icontains=filters.obj) | Q(object_id=filters.obj))
    if filters.date_from:
        qs = qs.filter(at__date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(at__date__lte=filters.date_to)
    return qs


def event_page(
    *, actor: Actor, filters: AuditFilters, after: str | None, size: int = 50
) -> KeysetPage:
    return keyset_page(
        event_list(actor=actor, filters=filters), order=("-at", "-id"), after=after, size=size
    )


def shown_picture(data: dict | None, actor: Actor | None) -> dict | None:
    """A before/after picture as this actor may read it. Services store accounts masked;
    events written before they did hold them whole, and the log cannot be rewritten."""
    if not data or "bank_account" not in data or may_see_bank_accounts(actor):
        return data
    return {**data, "bank_account": mask_bank_account(str(data["bank_account"] or ""))}
