"""The daily renewal run (SPEC §7): drafts for enrolments coming to their end, the renewal
queue, and the agents' notifications — all set-based, in one transaction.

1. ``enrolment.renewals.renewals_find_due``: the due enrolments (notice window, plan's
   renewal deadline or grace period) into a temporary table;
2. enrolments already in the queue (``premiums.Renewal``) are left alone: a renewal the
   agent cancelled is not prepared again the next day;
3. ``renewals_create_drafts``: drafts with the same members and shares, members who left,
   died, moved or no longer qualify dropped with the reason;
4. the queue rows (unique per renewed enrolment: the database's guard against a second
   run) and one notification per agent of each unit (unique per recipient and draft);
5. e-mails go out after commit (``mutualaid.notifications``).

Running it twice, or two deliveries of the task at once, creates nothing the second time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from enrolment.renewals import RenewalRun, renewals_create_drafts, renewals_find_due
from mutualaid.notifications.services import notify_agents_sql
from mutualaid.tenancy.models import OrganisationKind, Role
from premiums import notices

DEFAULT_NOTICE_DAYS = 30


@dataclass(frozen=True)
class DailyRun:
    renewals: RenewalRun
    queued: int
    notified: int


def notice_days() -> int:
    return int(getattr(settings, "RENEWAL_NOTICE_DAYS", DEFAULT_NOTICE_DAYS))


def renewals_run(
    *,
    today: dt.date | None = None,
    days: int | None = None,
    tenant_id=None,
    part: int = 0,
    parts: int = 1,
) -> DailyRun:
    """Prepare every renewal due on ``today`` (default: today in the portal's time zone), or
    the ``part``-th of ``parts`` slices of the units (parts run side by side; see
    ``enrolment.renewals.renewals_find_due``)."""
    today = today or timezone.localdate()
    days = notice_days() if days is None else days
    with transaction.atomic():
        renewals_find_due(
            today=today, notice_days=days, tenant_id=tenant_id, part=part, parts=parts
        )
        with connection.cursor() as cur:
            cur.execute(
                """DELETE FROM renewal_due d USING premiums_renewal r
                   WHERE r.previous_id = d.previous_id"""
            )
        run = renewals_create_drafts()
        with connection.cursor() as cur:
            cur.execute(
                """
                INSERT INTO premiums_renewal (id, tenant_id, organisation_id, previous_id,
                                              enrolment_id, due_on, deadline, prepared_by_job,
                                              created_at)
                SELECT gen_random_uuid(), d.tenant_id, d.organisation_id, d.previous_id, d.id,
                       d.previous_end, d.deadline, d.created, now()
                FROM renewal_due d
                ON CONFLICT (previous_id) DO NOTHING
                """
            )
            queued = cur.rowcount
        notified = 0
        if run.prepared:
            notified = _notify(run)
    return DailyRun(renewals=run, queued=queued, notified=notified)


def _notify(run: RenewalRun) -> int:
    """One notification per agent of each unit with a new draft: agents at the unit's node,
    and at agent offices (代办处) above it — found by the unit's path prefixes on the
    (tenant, path) index, never by comparing every unit with every staff member."""
    return notify_agents_sql(
        kind=notices.RENEWAL_PREPARED,
        select_sql="""
            WITH nodes AS (
                SELECT d.id AS renewal_id, d.organisation_id AS node_id
                FROM renewal_due d WHERE d.created
                UNION
                SELECT d.id, up.id
                FROM renewal_due d
                JOIN tenancy_organisation o ON o.id = d.organisation_id
                CROSS JOIN LATERAL generate_series(4, length(o.path) - 4, 4) AS k(len)
                JOIN tenancy_organisation up
                  ON up.tenant_id = o.tenant_id AND up.path = left(o.path, k.len)
                 AND up.kind = %(agent_office)s
                WHERE d.created
            )
            SELECT d.tenant_id, d.organisation_id, s.user_id,
                   jsonb_build_object(
                       'plan', COALESCE(NULLIF(pl.short_name, ''), pl.name),
                       'unit', o.name,
                       'members', e.member_count,
                       'premium', e.premium_total::text,
                       'start', e.start_date::text,
                       'deadline', d.deadline::text,
                       'dropped', jsonb_array_length(e.dropped)),
                   %(link)s, 'renewal:' || d.id::text
            FROM nodes n
            JOIN renewal_due d ON d.id = n.renewal_id
            JOIN tenancy_staff s ON s.organisation_id = n.node_id AND %(agent)s = ANY(s.roles)
            JOIN enrolment_enrolment e ON e.id = d.id
            JOIN tenancy_organisation o ON o.id = d.organisation_id
            JOIN plans_plan pl ON pl.id = d.plan_id
        """,
        params={
            "link": reverse("premiums:renewal_list"),
            "agent": Role.AGENT.value,
            "agent_office": OrganisationKind.AGENT.value,
        },
    )
