"""Writes of the statistics app: monthly returns, their settings, and refresh requests.

Returns (统计月报, SPEC §11): each city federation files a monthly return to its office.
The daily job drafts last month's return of every city, filled from the summaries; the
city's cadres review it (and may fill it again from newer figures), then submit it, due
by a working day of the next month set per tenant (``ReturnSettings``). The office
accepts it or sends it back with a reason. Reminders go out a few working days before
the due day; a return still open after it is flagged overdue and the office is told.

Every state change is a conditional UPDATE on the state it leaves, in one transaction
with its audit event, so a double click or a second worker changes nothing twice.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
import json
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mutualaid.audit.services import record, snapshot
from mutualaid.calendar.selectors import work_calendar_for
from mutualaid.calendar.workdays import WorkCalendar
from mutualaid.jobs.services import job_create, job_enqueue
from mutualaid.notifications.services import notify
from mutualaid.tenancy.models import Organisation, OrganisationKind, Role, Staff, Tenant
from mutualaid.tenancy.scoping import Actor
from stats import access, notices, selectors
from stats.models import (
    OPEN_RETURN_STATUSES,
    NodeFigures,
    ReturnSettings,
    ReturnStatus,
    StatisticalReturn,
)

FILING_KINDS = (OrganisationKind.CITY,)


# --- Figures of a return -------------------------------------------------------------------------


def _totals_json(t: selectors.Totals) -> dict:
    return {
        "policies_started": t.policies_started,
        "premium_income": str(t.premium_income),
        "claims_received": t.claims_received,
        "claims_paid": t.claims_paid,
        "amount_paid": str(t.amount_paid),
        "average_payout": None if t.average_payout is None else str(t.average_payout),
        "largest_payout": str(t.largest_payout),
        "large_payouts": t.large_payouts,
        "on_time_rate": None if t.on_time_rate is None else str(t.on_time_rate),
    }


def _coverage_json(c: selectors.Coverage) -> dict:
    return {
        "units": c.units,
        "units_enrolled": c.units_enrolled,
        "blank_spots": c.blank_spots,
        "union_members": c.union_members,
        "union_members_covered": c.union_members_covered,
        "rate": None if c.rate is None else str(c.rate),
        "members_covered": c.members_covered,
        "payouts_overdue": c.payouts_overdue,
    }


def figures_for(*, tenant_id, nodes: list[Organisation], year: int, month: int) -> dict:
    """The return figures of each node (id → dict): the month, the year to date, and the
    units on the summaries' reference day. Three grouped queries for all the nodes."""
    ids = [n.pk for n in nodes]
    sums = selectors._SUMS
    month_rows = {
        r["organisation_id"]: selectors.Totals.of(r)
        for r in NodeFigures.objects.filter(organisation_id__in=ids, year=year, month=month)
        .values("organisation_id")
        .annotate(**sums)
    }
    ytd_rows = {
        r["organisation_id"]: selectors.Totals.of(r)
        for r in NodeFigures.objects.filter(organisation_id__in=ids, year=year, month__lte=month)
        .values("organisation_id")
        .annotate(**sums)
    }
    refresh = selectors.last_refresh(tenant_id=tenant_id)
    coverage: dict = {}
    parents = {n.path[: -n.steplen] for n in nodes}
    for parent_path in parents:  # cities hang below the office: one grouped scan
        parent = Organisation.objects.get(tenant_id=tenant_id, path=parent_path)
        for group in selectors.coverage(node=parent).by_node:
            coverage[group.organisation.pk] = group.coverage
    out = {}
    for node in nodes:
        out[node.pk] = {
            "as_of": refresh.as_of.isoformat() if refresh else None,
            "month": _totals_json(month_rows.get(node.pk, selectors.Totals())),
            "ytd": _totals_json(ytd_rows.get(node.pk, selectors.Totals())),
            "coverage": _coverage_json(coverage.get(node.pk, selectors.Coverage())),
        }
    return out


# --- Due dates -----------------------------------------------------------------------------------


def due_date(*, calendar: WorkCalendar, year: int, month: int, working_day: int):
    """The ``working_day``-th working day of the month after (year, month)."""
    last = dt.date(year, month, pycalendar.monthrange(year, month)[1])
    return calendar.add_working_days(last, working_day)


def settings_for(tenant_id) -> ReturnSettings:
    found = ReturnSettings.objects.filter(tenant_id=tenant_id).first()
    return found or ReturnSettings(tenant_id=tenant_id)


def previous_month(today: dt.date) -> tuple[int, int]:
    first = today.replace(day=1) - dt.timedelta(days=1)
    return first.year, first.month


# --- Preparing -----------------------------------------------------------------------------------


def returns_prepare(
    *, tenant: Tenant, year: int, month: int, nodes=None, actor: Actor | None = None
) -> int:
    """Draft the month's return of each filing node (every city of the tenant, or ``nodes``)
    that has none yet; returns how many were made. Idempotent: one INSERT … ON CONFLICT
    DO NOTHING, so the daily job and a cadre preparing at once make one return."""
    if nodes is None:
        nodes = list(Organisation.objects.filter(tenant_id=tenant.pk, kind__in=FILING_KINDS))
    if not nodes:
        return 0
    rule = settings_for(tenant.pk)
    due = due_date(
        calendar=work_calendar_for(tenant), year=year, month=month, working_day=rule.due_working_day
    )
    figures = figures_for(tenant_id=tenant.pk, nodes=nodes, year=year, month=month)
    rows = [{"organisation_id": str(n.pk), "figures": figures[n.pk]} for n in nodes]
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO stats_statisticalreturn (id, tenant_id, organisation_id, year, month,
                status, figures,
                filled_at, due_on, due_provisional, overdue, remarks, submitted_late,
                    return_reason, created_at)
            SELECT gen_random_uuid(), %(tenant)s, r.organisation_id, %(year)s, %(month)s,
                %(draft)s, r.figures,
                   now(), %(due)s, %(provisional)s, false, '', false, '', now()
            FROM jsonb_to_recordset(%(rows)s::jsonb) AS r(organisation_id uuid, figures jsonb)
            ON CONFLICT (organisation_id, year, month) DO NOTHING
            RETURNING id
            """,
            {
                "tenant": str(tenant.pk),
                "draft": ReturnStatus.DRAFT,
                "year": year,
                "month": month,
                "due": due.date,
                "provisional": due.provisional,
                "rows": json.dumps(rows),
            },
        )
        made = [row[0] for row in cur.fetchall()]
        for ret in StatisticalReturn.objects.filter(pk__in=made).select_related("organisation"):
            record(
                actor=actor,
                action="stats.return.prepare",
                obj=ret,
                organisation=ret.organisation,
                after=snapshot(ret, ["year", "month", "status", "due_on"]),
            )
    return len(made)


def return_prepare(
    *, actor: Actor, organisation: Organisation, year: int, month: int
) -> StatisticalReturn:
    """A cadre (or the office) drafts a city's return of a month now, or finds the one there is."""
    if not actor.has_role(*access.RETURN_FILERS) or not actor.reaches(organisation):
        raise PermissionDenied(_("You cannot prepare returns of this federation."))
    if organisation.kind not in FILING_KINDS:
        raise ValidationError(_("Only city federations file monthly returns."))
    today = timezone.localdate()
    if (year, month) > (today.year, today.month):
        raise ValidationError(_("A return can be prepared once its month has begun."))
    returns_prepare(tenant=actor.tenant, year=year, month=month, nodes=[organisation], actor=actor)
    return StatisticalReturn.objects.select_related("organisation").get(
        organisation=organisation, year=year, month=month
    )


# --- Steps ---------------------------------------------------------------------------------------


def _files(actor: Actor, ret: StatisticalReturn) -> bool:
    return actor.has_role(*access.RETURN_FILERS) and actor.reaches(ret.organisation)


def _moved(ret: StatisticalReturn, *, from_statuses, **fields) -> bool:
    """A conditional UPDATE: True when this call moved the return (another one may have)."""
    return bool(
        StatisticalReturn.objects.filter(pk=ret.pk, status__in=from_statuses).update(**fields)
    )


def return_refill(*, actor: Actor, ret: StatisticalReturn) -> StatisticalReturn:
    """Fill an open return again from the latest summaries (the cadre reviews the new figures)."""
    if not _files(actor, ret):
        raise PermissionDenied(_("You cannot edit this return."))
    if not ret.is_open:
        raise ValidationError(
            _("This return has been submitted: its figures are kept as submitted.")
        )
    figures = figures_for(
        tenant_id=ret.tenant_id, nodes=[ret.organisation], year=ret.year, month=ret.month
    )
    with transaction.atomic():
        if not _moved(
            ret,
            from_statuses=OPEN_RETURN_STATUSES,
            figures=figures[ret.organisation_id],
            filled_at=timezone.now(),
        ):
            raise ValidationError(
                _("This return has been submitted: its figures are kept as submitted.")
            )
        ret.refresh_from_db()
        record(actor=actor, action="stats.return.refill", obj=ret, organisation=ret.organisation)
    return ret


def return_submit(
    *, actor: Actor, ret: StatisticalReturn, remarks: str = "", reviewed: bool = False
) -> StatisticalReturn:
    """The city submits its reviewed return to the office. Late when after the due day."""
    if not _files(actor, ret):
        raise PermissionDenied(_("You cannot submit this return."))
    if not reviewed:
        raise ValidationError({"reviewed": _("Confirm that you have checked the figures.")})
    if not ret.is_open:
        raise ValidationError(_("This return has already been submitted."))
    today = timezone.localdate()
    before = snapshot(ret, ["status", "remarks"])
    with transaction.atomic():
        moved = _moved(
            ret,
            from_statuses=OPEN_RETURN_STATUSES,
            status=ReturnStatus.SUBMITTED,
            remarks=remarks.strip()[:2000],
            submitted_at=timezone.now(),
            submitted_by=actor.user,
            submitted_late=today > ret.due_on,
            overdue=False,
            return_reason="",
        )
        if not moved:
            raise ValidationError(_("This return has already been submitted."))
        ret.refresh_from_db()
        record(
            actor=actor,
            action="stats.return.submit",
            obj=ret,
            organisation=ret.organisation,
            before=before,
            after=snapshot(ret, ["status", "remarks", "submitted_late"]),
        )
        notify(
            recipients=_office_admins(ret.tenant_id),
            organisation=ret.organisation,
            kind=notices.RETURN_SUBMITTED,
            params={"city": ret.organisation.name, "period": ret.period_label},
            link=reverse("stats:return_detail", args=[ret.pk]),
            key=f"stats.return_submitted:{ret.pk}:{ret.submitted_at:%Y%m%d%H%M%S}",
        )
    return ret


def _reviews(actor: Actor, ret: StatisticalReturn) -> bool:
    return (
        actor.has_role(*access.RETURN_REVIEWERS)
        and actor.reaches(ret.organisation)
        and actor.organisation.pk != ret.organisation_id
    )


def return_accept(*, actor: Actor, ret: StatisticalReturn) -> StatisticalReturn:
    """The office accepts a submitted return (not the person who submitted it)."""
    if not _reviews(actor, ret):
        raise PermissionDenied(_("Only the office reviews returns."))
    if ret.submitted_by_id == actor.user.pk:
        raise ValidationError(
            _("Someone other than the person who submitted it must accept the return.")
        )
    with transaction.atomic():
        if not _moved(
            ret,
            from_statuses=[ReturnStatus.SUBMITTED],
            status=ReturnStatus.ACCEPTED,
            decided_at=timezone.now(),
            decided_by=actor.user,
        ):
            raise ValidationError(_("Only a submitted return can be accepted."))
        ret.refresh_from_db()
        record(
            actor=actor,
            action="stats.return.accept",
            obj=ret,
            organisation=ret.organisation,
            before={"status": ReturnStatus.SUBMITTED},
            after={"status": ret.status},
        )
        notify(
            recipients=_city_cadres(ret.organisation_id),
            organisation=ret.organisation,
            kind=notices.RETURN_ACCEPTED,
            params={"city": ret.organisation.name, "period": ret.period_label},
            link=reverse("stats:return_detail", args=[ret.pk]),
            key=f"stats.return_accepted:{ret.pk}",
        )
    return ret


def return_send_back(*, actor: Actor, ret: StatisticalReturn, reason: str) -> StatisticalReturn:
    """The office sends a submitted return back to the city with a reason."""
    if not _reviews(actor, ret):
        raise PermissionDenied(_("Only the office reviews returns."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the return goes back.")})
    with transaction.atomic():
        if not _moved(
            ret,
            from_statuses=[ReturnStatus.SUBMITTED],
            status=ReturnStatus.RETURNED,
            decided_at=timezone.now(),
            decided_by=actor.user,
            return_reason=reason[:2000],
        ):
            raise ValidationError(_("Only a submitted return can be sent back."))
        ret.refresh_from_db()
        record(
            actor=actor,
            action="stats.return.send_back",
            obj=ret,
            organisation=ret.organisation,
            before={"status": ReturnStatus.SUBMITTED},
            after={"status": ret.status, "reason": reason},
        )
        notify(
            recipients=_city_cadres(ret.organisation_id),
            organisation=ret.organisation,
            kind=notices.RETURN_SENT_BACK,
            params={
                "city": ret.organisation.name,
                "period": ret.period_label,
                "reason": reason[:200],
            },
            link=reverse("stats:return_detail", args=[ret.pk]),
            key=f"stats.return_sent_back:{ret.pk}:{ret.decided_at:%Y%m%d%H%M%S}",
        )
    return ret


def return_settings_update(
    *, actor: Actor, due_working_day: int, remind_working_days: int
) -> ReturnSettings:
    """Office admins set when returns are due. Drafts already made keep their due day."""
    if not actor.has_role(Role.OFFICE_ADMIN) or actor.organisation.depth != 1:
        raise PermissionDenied(_("Only the office's admins set the return rules."))
    if not 1 <= due_working_day <= 20:
        raise ValidationError({"due_working_day": _("Choose a working day from 1 to 20.")})
    if not 0 <= remind_working_days <= 15:
        raise ValidationError({"remind_working_days": _("Choose from 0 to 15 working days.")})
    with transaction.atomic():
        current = settings_for(actor.tenant.pk)
        before = snapshot(current, ["due_working_day", "remind_working_days"])
        current.due_working_day = due_working_day
        current.remind_working_days = remind_working_days
        current.updated_by = actor.user
        current.save()
        record(
            actor=actor,
            action="stats.return_settings.update",
            obj=actor.tenant,
            organisation=actor.organisation,
            before=before,
            after=snapshot(current, ["due_working_day", "remind_working_days"]),
        )
    return current


# --- The daily run -------------------------------------------------------------------------------


def _city_cadres(organisation_id):
    return list(
        Staff.objects.filter(
            organisation_id=organisation_id, roles__contains=[Role.CADRE], user__is_active=True
        ).values_list("user_id", flat=True)
    )


def _office_admins(tenant_id):
    return list(
        Staff.objects.filter(
            tenant_id=tenant_id,
            organisation__depth=1,
            roles__contains=[Role.OFFICE_ADMIN],
            user__is_active=True,
        ).values_list("user_id", flat=True)
    )


def working_days_until(calendar: WorkCalendar, today: dt.date, day: dt.date) -> int:
    """Working days after ``today`` up to and including ``day`` (0 when it is today or past)."""
    count, cursor = 0, today
    while cursor < day:
        cursor += dt.timedelta(days=1)
        count += calendar.is_workday(cursor)
    return count


@dataclass
class DailyResult:
    prepared: int = 0
    reminded: int = 0
    flagged_overdue: int = 0


def returns_daily(*, today: dt.date | None = None, tenant_id=None) -> DailyResult:
    """Once a day (beat): draft last month's returns, remind cities of returns due soon, flag
    and report the overdue ones — every tenant's, or ``tenant_id``'s only. Safe to run
    twice: drafts are made once, reminders and overdue notices are keyed per return."""
    today = today or timezone.localdate()
    result = DailyResult()
    year, month = previous_month(today)
    tenants = Tenant.objects.filter(organisations__kind__in=FILING_KINDS)
    if tenant_id is not None:
        tenants = tenants.filter(pk=tenant_id)
    for tenant in tenants.distinct():
        result.prepared += returns_prepare(tenant=tenant, year=year, month=month)
        rule = settings_for(tenant.pk)
        calendar = work_calendar_for(tenant)
        open_returns = (
            StatisticalReturn.objects.filter(tenant_id=tenant.pk, status__in=OPEN_RETURN_STATUSES)
            .filter(Q(reminded_on__isnull=True) | Q(overdue=False, due_on__lt=today))
            .select_related("organisation")
        )
        for ret in open_returns:  # the open returns of a few cities, not a big table
            with transaction.atomic():
                if (
                    ret.due_on >= today
                    and ret.reminded_on is None
                    and (
                        working_days_until(calendar, today, ret.due_on) <= rule.remind_working_days
                    )
                ):
                    if StatisticalReturn.objects.filter(pk=ret.pk, reminded_on__isnull=True).update(
                        reminded_on=today
                    ):
                        notify(
                            recipients=_city_cadres(ret.organisation_id),
                            organisation=ret.organisation,
                            kind=notices.RETURN_DUE,
                            params={
                                "city": ret.organisation.name,
                                "period": ret.period_label,
                                "due": ret.due_on.isoformat(),
                            },
                            link=reverse("stats:return_detail", args=[ret.pk]),
                            key=f"stats.return_due:{ret.pk}",
                        )
                        result.reminded += 1
                if ret.due_on < today and not ret.overdue:
                    if StatisticalReturn.objects.filter(
                        pk=ret.pk, overdue=False, status__in=OPEN_RETURN_STATUSES
                    ).update(overdue=True):
                        record(
                            actor=None,
                            action="stats.return.overdue",
                            obj=ret,
                            organisation=ret.organisation,
                            after={"overdue": True, "due_on": ret.due_on.isoformat()},
                        )
                        notify(
                            recipients=[
                                *_city_cadres(ret.organisation_id),
                                *_office_admins(tenant.pk),
                            ],
                            organisation=ret.organisation,
                            kind=notices.RETURN_OVERDUE,
                            params={
                                "city": ret.organisation.name,
                                "period": ret.period_label,
                                "due": ret.due_on.isoformat(),
                            },
                            link=reverse("stats:return_detail", args=[ret.pk]),
                            key=f"stats.return_overdue:{ret.pk}:{ret.due_on.isoformat()}",
                        )
                        result.flagged_overdue += 1
    return result


# --- Refresh on demand ---------------------------------------------------------------------------


REFRESH_JOB = "stats.refresh"


def refresh_request(*, actor: Actor):
    """An office admin asks for the summaries to be rebuilt now: a job with a progress bar."""
    if not actor.has_role(*access.REFRESHERS):
        raise PermissionDenied(_("Only office admins can refresh the statistics."))
    from mutualaid.jobs.tasks import run_job

    with transaction.atomic():
        job = job_create(
            actor=actor, kind=REFRESH_JOB, title=_("Refreshing the statistics"), total=5
        )
        job_enqueue(job, run_job)
    return job
