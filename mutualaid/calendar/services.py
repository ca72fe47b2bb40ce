"""Writes to the work calendar: seeding from the package, office admins' edits, reminders.

Every write is one transaction with its audit event. The calendar belongs to the whole
tenant, so events are filed under the tenant's office (the root of its tree).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mutualaid.audit.services import record, snapshot
from mutualaid.calendar.models import (
    CalendarDay,
    CalendarReminder,
    CalendarYear,
    DayKind,
    YearSource,
)
from mutualaid.calendar.package import package_days, package_years
from mutualaid.calendar.selectors import reminder_due
from mutualaid.core.errors import DomainError
from mutualaid.tenancy.context import tenant_scope
from mutualaid.tenancy.models import Organisation, Role, Staff, Tenant
from mutualaid.tenancy.scoping import Actor

logger = logging.getLogger(__name__)

DAY_FIELDS = ["date", "kind", "name"]


def _office(tenant_id) -> Organisation:
    return Organisation.objects.get(tenant_id=tenant_id, depth=1)


def _check_admin(actor: Actor) -> None:
    if not actor.has_role(Role.OFFICE_ADMIN):
        raise DomainError(_("Only office administrators may change the work calendar."))


# --- seeding ------------------------------------------------------------------------


@dataclass(frozen=True)
class SeedResult:
    days_added: int
    years_added: list[int]


def seed_years_from_package(
    *,
    tenant: Tenant,
    actor: Actor | None = None,
    years: list[int] | None = None,
    organisation: Organisation | None = None,
) -> SeedResult:
    """Copy the package's holidays and make-up workdays (all years, or ``years``) into
    the tenant's calendar and mark those years complete.

    Idempotent and set-based: one ``INSERT … ON CONFLICT DO NOTHING`` per table, so a
    second run adds nothing, and a day an admin has already changed is left as it is
    (a day an admin removed comes back: loading is an explicit "take the package's word").
    Audited only when something was added. ``organisation`` saves a lookup when the caller
    already holds the tenant's office (``tenant_create``).
    """
    if actor is not None:
        _check_admin(actor)
        if actor.tenant_id != tenant.pk:
            raise DomainError(_("You may not change this calendar."))
    available = package_years()
    wanted = available if years is None else available & set(years)
    if years is not None and not wanted:
        raise DomainError(_("The holiday package has no data for this year."), field="year")
    days = [d for d in package_days() if d.date.year in wanted]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {CalendarDay._meta.db_table} (tenant_id, date, kind, name, updated_at)
            SELECT %s, d, k, n, now()
              FROM unnest(%s::date[], %s::text[], %s::text[]) AS t(d, k, n)
            ON CONFLICT (tenant_id, date) DO NOTHING
            RETURNING 1
            """,
            [tenant.pk, [d.date for d in days], [d.kind for d in days], [d.name for d in days]],
        )
        days_added = len(cursor.fetchall())
        cursor.execute(
            f"""
            INSERT INTO {CalendarYear._meta.db_table} (tenant_id, year, source, created_at)
            SELECT %s, y, %s, now() FROM unnest(%s::smallint[]) AS t(y)
            ON CONFLICT (tenant_id, year) DO NOTHING
            RETURNING year
            """,
            [tenant.pk, YearSource.PACKAGE.value, sorted(wanted)],
        )
        years_added = sorted(row[0] for row in cursor.fetchall())
        if days_added or years_added:
            office = organisation or _office(tenant.pk)
            record(
                actor=actor,
                action="calendar.seed",
                obj=tenant,
                organisation=office,
                after={
                    "years": sorted(wanted),
                    "years_added": years_added,
                    "days_added": days_added,
                },
            )
    return SeedResult(days_added=days_added, years_added=years_added)


# --- office admins' edits ---------------------------------------------------------------


def calendar_day_set(*, actor: Actor, date: dt.date, kind: str, name: str) -> CalendarDay:
    """Add a holiday or make-up workday for the actor's tenant, or change an existing one."""
    _check_admin(actor)
    if kind not in DayKind.values:
        raise DomainError(_("Choose a rest day or a make-up workday."), field="kind")
    if kind == DayKind.WORKDAY and date.weekday() < 5:
        # Monday–Friday are workdays already; only a weekend day can be made one.
        raise DomainError(_("Only a Saturday or Sunday can be a make-up workday."), field="kind")
    name = name.strip()
    if not name:
        raise DomainError(_("Enter the name of the holiday."), field="name")
    with transaction.atomic():
        day = (
            CalendarDay.objects.for_tenant(actor.tenant)
            .select_for_update()
            .filter(date=date)
            .first()
        )
        if day is None:
            day = CalendarDay(tenant_id=actor.tenant_id, date=date, kind=kind, name=name)
            try:
                with transaction.atomic():
                    day.save(force_insert=True)
            except IntegrityError:
                # Another admin added this date between our read and our insert.
                raise DomainError(
                    _("This day was just changed by someone else. Reload the page and try again."),
                    field="date",
                ) from None
            before = None
            action = "calendar.day.create"
        else:
            if day.kind == kind and day.name == name:
                message = (
                    _("%(date)s is already a rest day.")
                    if kind == DayKind.REST
                    else _("%(date)s is already a make-up workday.")
                )
                raise DomainError(message % {"date": date.isoformat()}, field="date")
            before = snapshot(day, DAY_FIELDS)
            day.kind = kind
            day.name = name
            day.save(update_fields=["kind", "name", "updated_at"])
            action = "calendar.day.update"
        record(
            actor=actor,
            action=action,
            obj=day,
            organisation=_office(actor.tenant_id),
            before=before,
            after=snapshot(day, DAY_FIELDS),
        )
    return day


def calendar_day_remove(*, actor: Actor, date: dt.date) -> None:
    """Remove an entry: the day goes back to the Monday–Friday rule."""
    _check_admin(actor)
    with transaction.atomic():
        day = (
            CalendarDay.objects.for_tenant(actor.tenant)
            .select_for_update()
            .filter(date=date)
            .first()
        )
        if day is None:
            raise DomainError(
                _("%(date)s has no entry.") % {"date": date.isoformat()}, field="date"
            )
        record(
            actor=actor,
            action="calendar.day.delete",
            obj=day,
            organisation=_office(actor.tenant_id),
            before=snapshot(day, DAY_FIELDS),
        )
        day.delete()


def calendar_year_confirm(*, actor: Actor, year: int) -> CalendarYear:
    """Mark a year's calendar complete: its deadlines stop being provisional."""
    _check_admin(actor)
    with transaction.atomic():
        if CalendarYear.objects.for_tenant(actor.tenant).filter(year=year).exists():
            raise DomainError(_("The calendar for %(year)s is already complete.") % {"year": year})
        days = CalendarDay.objects.for_tenant(actor.tenant).filter(date__year=year)
        if not days.filter(kind=DayKind.REST).exists():
            # Every year has holidays; a year without any is not finished, whatever it says.
            raise DomainError(_("Enter the holidays of %(year)s first.") % {"year": year})
        try:
            with transaction.atomic():
                entry = CalendarYear.objects.create(
                    tenant_id=actor.tenant_id, year=year, source=YearSource.MANUAL
                )
        except IntegrityError:
            raise DomainError(
                _("The calendar for %(year)s is already complete.") % {"year": year}
            ) from None
        record(
            actor=actor,
            action="calendar.year.confirm",
            obj=entry,
            organisation=_office(actor.tenant_id),
            after={"year": year, "source": entry.source, "days": days.count()},
        )
    return entry


def calendar_year_unconfirm(*, actor: Actor, year: int) -> None:
    """Take back a manual confirmation (package years stay: reload them instead)."""
    _check_admin(actor)
    with transaction.atomic():
        entry = (
            CalendarYear.objects.for_tenant(actor.tenant)
            .select_for_update()
            .filter(year=year, source=YearSource.MANUAL)
            .first()
        )
        if entry is None:
            raise DomainError(_("%(year)s was not confirmed by an administrator.") % {"year": year})
        record(
            actor=actor,
            action="calendar.year.unconfirm",
            obj=entry,
            organisation=_office(actor.tenant_id),
            before={"year": year, "source": entry.source},
        )
        entry.delete()


# --- the scheduled reminder ---------------------------------------------------------------


def _office_admin_emails(tenant_id) -> list[str]:
    return sorted(
        Staff.objects.filter(
            tenant_id=tenant_id, roles__contains=[Role.OFFICE_ADMIN], user__is_active=True
        )
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )


def remind_tenant_missing_year(*, tenant: Tenant, year: int, today: dt.date) -> bool:
    """E-mail the tenant's office admins that ``year`` has no calendar; at most once a day.

    The reminder row is inserted first and its unique constraint decides who sends: a
    second run (a redelivered task, a second beat) fails the insert and sends nothing.
    The mail goes out inside the transaction, so a mail server error rolls the row back
    and the next run tries again.
    """
    recipients = _office_admin_emails(tenant.pk)
    with transaction.atomic():
        try:
            with transaction.atomic():
                reminder = CalendarReminder.objects.create(
                    tenant_id=tenant.pk, year=year, sent_on=today, recipients=len(recipients)
                )
        except IntegrityError:
            return False  # another run got there first
        if recipients:
            with translation.override(settings.LANGUAGE_CODE):
                context = {"tenant": tenant, "year": year}
                subject = _("The work calendar for %(year)s is missing") % {"year": year}
                body = render_to_string("calendar/emails/missing_year.txt", context)
            send_mail(subject, body, None, recipients)
        record(
            actor=None,
            action="calendar.reminder.sent",
            obj=reminder,
            organisation=_office(tenant.pk),
            after={"year": year, "sent_on": today, "recipients": recipients},
        )
    return True


def send_missing_year_reminders(*, today: dt.date | None = None) -> int:
    """From 1 November, remind every tenant whose next year has no calendar.

    Returns how many tenants were reminded by this run. Safe to run twice a day.
    """
    today = today or timezone.localdate()
    if not reminder_due(today):
        return 0
    year = today.year + 1
    # A system job across tenants: each tenant in its own scope (row-level security).
    sent = 0
    for tenant in Tenant.objects.order_by("slug"):  # province offices: a few dozen at most
        with tenant_scope(tenant.pk, origin="calendar reminders"):
            if CalendarYear.objects.filter(year=year).exists():
                continue
            if remind_tenant_missing_year(tenant=tenant, year=year, today=today):
                sent += 1
    logger.info("calendar reminders for %s: %s tenant(s)", year, sent)
    return sent
