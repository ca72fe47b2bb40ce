"""Role-aware navigation: each entry names the roles that see it (empty = every staff user).

A menu shows what the role uses in its work (issue 14): reviewers do not invoice, finance
does not search members, and the API documentation is for the office admin who hands out
integration tokens (others reach it only by its address)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mutualaid.tenancy.models import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str] = frozenset()


NAV_ITEMS: list[NavItem] = [
    NavItem(_("Home"), "home"),
    NavItem(_("Organisations"), "tenancy:organisation_list"),
    NavItem(_("Units"), "members:unit_list"),
    NavItem(
        _("Members"),
        "members:member_search",
        frozenset({Role.AGENT, Role.CADRE, Role.OFFICE_ADMIN, Role.REVIEWER, Role.AUDITOR}),
    ),
    NavItem(_("Plans"), "plans:plan_list"),
    NavItem(
        _("Enrolments"),
        "enrolments:list",
        frozenset({Role.AGENT, Role.CADRE, Role.OFFICE_ADMIN, Role.FINANCE, Role.AUDITOR}),
    ),
    NavItem(
        _("Premiums"),
        "premiums:invoice_list",
        frozenset({Role.AGENT, Role.CADRE, Role.OFFICE_ADMIN, Role.FINANCE, Role.AUDITOR}),
    ),
    NavItem(
        _("Renewals"),
        "premiums:renewal_list",
        frozenset({Role.AGENT, Role.CADRE, Role.OFFICE_ADMIN}),
    ),
    NavItem(
        _("Individual applications"),
        "individuals:list",
        frozenset({Role.CADRE, Role.OFFICE_ADMIN, Role.AUDITOR}),
    ),
    NavItem(_("Claims"), "claims:claim_list"),
    NavItem(
        _("Report an incident"),
        "claims:report_create",
        frozenset({Role.AGENT, Role.CADRE, Role.OFFICE_ADMIN, Role.REVIEWER}),
    ),
    NavItem(
        _("Payout batches"),
        "claims:batch_list",
        frozenset({Role.FINANCE, Role.OFFICE_ADMIN, Role.AUDITOR}),
    ),
    NavItem(_("Statistics"), "stats:index"),
    NavItem(_("Users"), "tenancy:staff_list", frozenset({Role.OFFICE_ADMIN, Role.CADRE})),
    NavItem(
        _("Work calendar"),
        "calendar:year",
        frozenset({Role.OFFICE_ADMIN, Role.REVIEWER, Role.AUDITOR}),
    ),
    NavItem(_("Today's jobs"), "daily_run", frozenset({Role.OFFICE_ADMIN})),
    NavItem(_("Audit log"), "audit:event_list", frozenset({Role.OFFICE_ADMIN, Role.AUDITOR})),
    NavItem(_("API"), "api-docs", frozenset({Role.OFFICE_ADMIN})),
]


def items_for(actor, current_path: str) -> list[dict]:
    out = []
    for item in NAV_ITEMS:
        if item.roles and (actor is None or not actor.has_role(*item.roles)):
            continue
        url = reverse(item.url_name)
        active = current_path == url if url == "/" else current_path.startswith(url)
        out.append({"label": item.label, "url": url, "active": active})
    # Nested sections (/claims/ and /claims/batches/): only the deepest match is current.
    deepest = max((len(entry["url"]) for entry in out if entry["active"]), default=0)
    for entry in out:
        entry["active"] = entry["active"] and len(entry["url"]) == deepest
    return out
