"""The notification kind of plans: a version published tells the people who enrol into it
(agents and cadres below the plan's node), set-based (a province has thousands of agents)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mutualaid.notifications.kinds import register
from mutualaid.notifications.services import notify_agents_sql
from mutualaid.tenancy.models import Role

VERSION_PUBLISHED = "plans.version_published"

register(
    VERSION_PUBLISHED,
    _("A new version of %(plan)s was published: %(version)s, for enrolments from %(valid_from)s."),
)


def notify_published(version, *, by_user_id) -> int:
    """Every agent and cadre at or below the plan's node, once per version (its key)."""
    plan = version.plan
    return notify_agents_sql(
        kind=VERSION_PUBLISHED,
        tenant_id=plan.tenant_id,
        select_sql="""
            SELECT s.tenant_id, %(org)s::uuid, s.user_id,
                   jsonb_build_object('plan', %(plan)s::text, 'version', %(label)s::text,
                                      'valid_from', %(valid_from)s::text),
                   %(link)s, %(key)s
            FROM tenancy_staff s
            JOIN tenancy_organisation o ON o.id = s.organisation_id
            JOIN tenancy_user u ON u.id = s.user_id AND u.is_active
            WHERE s.tenant_id = %(tenant)s AND o.tenant_id = %(tenant)s
              AND o.path LIKE %(path)s AND s.roles && %(roles)s::varchar[]
              AND (%(by)s::uuid IS NULL OR s.user_id <> %(by)s::uuid)
        """,
        params={
            "org": str(plan.organisation_id),
            "plan": plan.display_name,
            "label": version.label,
            "valid_from": version.valid_from.isoformat(),
            "link": reverse("plans:version_detail", args=[plan.pk, version.pk]),
            "key": f"plan_version:{version.pk}:published",
            "tenant": plan.tenant_id,
            "path": plan.organisation.path + "%",
            "roles": [Role.AGENT.value, Role.CADRE.value],
            "by": str(by_user_id) if by_user_id else None,
        },
    )
