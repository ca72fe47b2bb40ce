"""The daily jobs of claims (``claims.tasks``; SPEC §8.2, §10): applications not made in
time are forfeited, filers are reminded before that, and approved claims near their
payout limit are flagged for finance.

Each is safe to run twice: expiry is one conditional UPDATE (with its decisions and audit
events in the same statement, statuses as parameters); a reminder sets its flag in the
transaction that notifies; a flag is set only where it is not set yet.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction

from claims import notices
from claims.models import EDITABLE_STATUSES, Claim, ClaimDecision, ClaimStatus
from claims.services import steps
from mutualaid.calendar.selectors import work_calendar_for
from mutualaid.notifications.services import notify
from mutualaid.tenancy.models import Role, Staff, Tenant
from mutualaid.tenancy.selectors import unit_agents

#: Days before the claim expiry when the filer is reminded (SPEC §8).
EXPIRY_REMINDER_DAYS = (30, 7)
#: Working days before the payout limit when an approved claim is flagged (SPEC §10).
NEAR_LIMIT_WORKING_DAYS = 5
#: Approved and not paid yet: what the payout limit watches.
UNPAID_STATUSES = (ClaimStatus.APPROVED, ClaimStatus.IN_BATCH)


def claims_expire_due(*, today_: dt.date | None = None, tenant_id=None) -> int:
    """Applications not submitted by their expiry date are forfeited (set-based); every
    tenant's, or ``tenant_id``'s only (an office's run now)."""
    day = today_ or steps.today()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            """
            WITH expired AS (
                UPDATE claims_claim c SET status = %(expired)s, updated_at = now()
                WHERE c.status = ANY(%(editable)s) AND c.expires_on < %(day)s
                  AND (%(tenant)s::uuid IS NULL OR c.tenant_id = %(tenant)s::uuid)
                RETURNING c.id, c.tenant_id, c.organisation_id, c.number
            ), decisions AS (
                INSERT INTO claims_claimdecision (tenant_id, claim_id, action, from_status,
                                                  to_status, amount, reason, actor_id, at)
                SELECT e.tenant_id, e.id, %(decision)s, '', %(expired)s, NULL, '', NULL,
                       clock_timestamp()
                FROM expired e RETURNING claim_id
            ), audit AS (
                INSERT INTO audit_auditevent (at, tenant_id, organisation_id, actor_id, action,
                                              object_type, object_id, object_repr, before, after)
                SELECT clock_timestamp(), e.tenant_id, e.organisation_id, NULL, 'claim.expired',
                       'claims.claim', e.id::text, e.number, NULL,
                       jsonb_build_object('status', %(expired)s::text, 'by', 'daily job')
                FROM expired e RETURNING 1
            )
            SELECT count(*) FROM decisions
            """,
            {
                "day": day,
                "tenant": str(tenant_id) if tenant_id else None,
                "editable": [status.value for status in EDITABLE_STATUSES],
                "expired": ClaimStatus.EXPIRED.value,
                "decision": ClaimDecision.Action.EXPIRED.value,
            },
        )
        return cur.fetchone()[0]


def claims_remind_expiry(*, today_: dt.date | None = None, tenant_id=None) -> int:
    """Remind the filer and the unit's agents 30 and 7 days before an application expires
    (once each: the flags are set by the same conditional update); every tenant's claims,
    or ``tenant_id``'s only."""
    day = today_ or steps.today()
    sent = 0
    # The nearest first: a claim 5 days from expiry gets the 7-day reminder (which marks
    # the 30-day one sent too), not both at once.
    for days in sorted(EXPIRY_REMINDER_DAYS):
        flag = f"reminded_{days}"
        with transaction.atomic():
            claims = (
                Claim.objects.all()
                if tenant_id is None
                else Claim.objects.filter(tenant_id=tenant_id)
            )
            due = list(
                claims.filter(
                    status__in=EDITABLE_STATUSES,
                    expires_on__gte=day,
                    expires_on__lte=day + dt.timedelta(days=days),
                    **{flag: False},
                )
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("organisation", "member")
            )
            for claim in due:
                recipients = set(unit_agents(claim.organisation))
                if claim.filed_by_id:
                    recipients.add(claim.filed_by_id)
                notify(
                    recipients=sorted(recipients, key=str),
                    organisation=claim.organisation,
                    kind=notices.EXPIRY_REMINDER,
                    params={
                        "number": claim.number,
                        "member": claim.member.name,
                        "expires": claim.expires_on.isoformat(),
                        "days": (claim.expires_on - day).days,
                    },
                    link=steps.claim_link(claim),
                    key=f"expiry{days}:{claim.pk}",
                )
            sent += Claim.objects.filter(pk__in=[c.pk for c in due]).update(
                **{flag: True, **({"reminded_30": True} if days == 7 else {})}
            )
    return sent


def claims_flag_near_limit(*, today_: dt.date | None = None, tenant_id=None) -> int:
    """Flag approved, unpaid claims whose payout limit (30 working days, D5) is within
    ``NEAR_LIMIT_WORKING_DAYS`` working days, and tell each office's finance once a day;
    every tenant's claims, or ``tenant_id``'s only."""
    day = today_ or steps.today()
    flagged = 0
    claims = Claim.objects.all() if tenant_id is None else Claim.objects.filter(tenant_id=tenant_id)
    tenant_ids = (
        claims.filter(status__in=UNPAID_STATUSES).values_list("tenant_id", flat=True).distinct()
    )
    for tenant in Tenant.objects.filter(pk__in=list(tenant_ids)):
        horizon = work_calendar_for(tenant).add_working_days(day, NEAR_LIMIT_WORKING_DAYS).date
        with transaction.atomic():
            count = Claim.objects.filter(
                tenant=tenant,
                status__in=UNPAID_STATUSES,
                payout_due__lte=horizon,
                near_limit=False,
            ).update(near_limit=True)
            flagged += count
            near = Claim.objects.filter(tenant=tenant, status__in=UNPAID_STATUSES, near_limit=True)
            total = near.count()
            if total:
                office = steps.office_of(tenant.pk)
                first = near.order_by("payout_due").values_list("payout_due", flat=True).first()
                finance = Staff.objects.filter(
                    tenant=tenant, roles__contains=[Role.FINANCE], organisation=office
                ).values_list("user_id", flat=True)
                notify(
                    recipients=list(finance),
                    organisation=office,
                    kind=notices.NEAR_LIMIT,
                    params={"count": total, "first": first.isoformat() if first else ""},
                    key=f"near_limit:{day.isoformat()}",
                )
    return flagged
