"""Seeding, office admins' edits and the reminder, through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from mutualaid.accounts.services import tenant_create
from mutualaid.audit.models import AuditEvent
from mutualaid.calendar import services
from mutualaid.calendar.models import (
    CalendarDay,
    CalendarReminder,
    CalendarYear,
    DayKind,
    YearSource,
)
from mutualaid.calendar.package import package_days, package_years
from mutualaid.calendar.selectors import missing_next_year_notice, work_calendar_for
from mutualaid.calendar.workdays import DeadlineResult
from mutualaid.core.errors import DomainError

D = dt.date


# --- seeding -------------------------------------------------------------------------


def test_tenant_create_seeds_every_package_year(db):
    tenant, _root = tenant_create(name="丁省办事处", slug="ding", office_name="丁省办事处")
    assert (
        set(CalendarYear.objects.for_tenant(tenant).values_list("year", flat=True))
        == package_years()
    )
    assert CalendarDay.objects.for_tenant(tenant).count() == len(package_days())
    assert set(CalendarYear.objects.for_tenant(tenant).values_list("source", flat=True)) == {
        YearSource.PACKAGE
    }
    national_day = CalendarDay.objects.for_tenant(tenant).get(date=D(2026, 10, 1))
    assert (national_day.kind, national_day.name) == (DayKind.REST, "国庆节")
    assert AuditEvent.objects.filter(tenant=tenant, action="calendar.seed").count() == 1


def test_seeding_twice_creates_nothing_twice(world):
    first = services.seed_years_from_package(tenant=world.tenant)
    second = services.seed_years_from_package(tenant=world.tenant)
    assert first.days_added == len(package_days())
    assert second == services.SeedResult(days_added=0, years_added=[])
    assert CalendarDay.objects.for_tenant(world.tenant).count() == len(package_days())
    assert CalendarYear.objects.for_tenant(world.tenant).count() == len(package_years())
    # The second run changed nothing, so it wrote no audit event either.
    assert AuditEvent.objects.filter(tenant=world.tenant, action="calendar.seed").count() == 1
    # Tenant B was not touched.
    assert not CalendarDay.objects.for_tenant(world.other_tenant).exists()


def test_reloading_keeps_an_admins_change(admin_actor, seeded):
    services.calendar_day_set(
        actor=admin_actor, date=D(2026, 10, 1), kind=DayKind.REST, name="国庆节（改）"
    )
    services.seed_years_from_package(tenant=seeded.tenant, actor=admin_actor, years=[2026])
    assert (
        CalendarDay.objects.for_tenant(seeded.tenant).get(date=D(2026, 10, 1)).name
        == "国庆节（改）"
    )


def test_loading_a_year_the_package_lacks_is_refused(admin_actor, seeded):
    with pytest.raises(DomainError):
        services.seed_years_from_package(tenant=seeded.tenant, actor=admin_actor, years=[2099])


def test_only_office_admins_load_and_only_their_own_tenant(seeded):
    with pytest.raises(DomainError):
        services.seed_years_from_package(tenant=seeded.tenant, actor=seeded.actor(seeded.reviewer))
    with pytest.raises(DomainError):
        services.seed_years_from_package(
            tenant=seeded.tenant, actor=seeded.actor(seeded.other_tenant_admin)
        )


# --- edits -----------------------------------------------------------------------------


def test_admin_edits_change_a_deadline(admin_actor, seeded):
    before = work_calendar_for(seeded.tenant)
    assert before.deadline_after(D(2026, 5, 29), 3) == DeadlineResult(D(2026, 6, 1), False)

    services.calendar_day_set(
        actor=admin_actor, date=D(2026, 6, 1), kind=DayKind.REST, name="特别休息日"
    )
    after = work_calendar_for(seeded.tenant)
    assert after.deadline_after(D(2026, 5, 29), 3) == DeadlineResult(D(2026, 6, 2), False)

    # A make-up Saturday shortens a working-day limit…
    assert after.add_working_days(D(2026, 6, 4), 2) == DeadlineResult(D(2026, 6, 8), False)
    services.calendar_day_set(
        actor=admin_actor, date=D(2026, 6, 6), kind=DayKind.WORKDAY, name="调休"
    )
    assert work_calendar_for(seeded.tenant).add_working_days(D(2026, 6, 4), 2).date == D(2026, 6, 6)

    # …and removing the rest day restores the Monday deadline.
    services.calendar_day_remove(actor=admin_actor, date=D(2026, 6, 1))
    assert work_calendar_for(seeded.tenant).deadline_after(D(2026, 5, 29), 3).date == D(2026, 6, 1)

    actions = list(
        AuditEvent.objects.filter(tenant=seeded.tenant, action__startswith="calendar.day")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["calendar.day.create", "calendar.day.create", "calendar.day.delete"]
    # Tenant B's calendar is its own.
    assert work_calendar_for(seeded.other_tenant).deadline_after(D(2026, 5, 29), 3).date == D(
        2026, 6, 1
    )


def test_changing_a_day_is_an_update(admin_actor, seeded):
    services.calendar_day_set(
        actor=admin_actor, date=D(2026, 10, 3), kind=DayKind.WORKDAY, name="国庆节"
    )
    day = CalendarDay.objects.for_tenant(seeded.tenant).get(date=D(2026, 10, 3))
    assert day.kind == DayKind.WORKDAY
    event = AuditEvent.objects.filter(tenant=seeded.tenant, action="calendar.day.update").get()
    assert event.before["kind"] == "rest" and event.after["kind"] == "workday"
    assert event.organisation_id == seeded.office.pk


@pytest.mark.parametrize(
    ("date", "kind", "name", "field"),
    [
        (D(2026, 6, 3), DayKind.WORKDAY, "调休", "kind"),  # a Wednesday is a workday already
        (D(2026, 10, 1), DayKind.REST, "国庆节", "date"),  # already that rest day
        (D(2026, 9, 20), DayKind.WORKDAY, "国庆节", "date"),  # already that make-up workday
        (D(2026, 6, 3), DayKind.REST, "  ", "name"),
        (D(2026, 6, 3), "holiday", "x", "kind"),
    ],
)
def test_rule_breaks_are_domain_errors(admin_actor, date, kind, name, field):
    # The error names the field it is about (shown on that field of the form, keyed by it in
    # the API's 400).
    with pytest.raises(DomainError) as caught:
        services.calendar_day_set(actor=admin_actor, date=date, kind=kind, name=name)
    assert caught.value.field == field
    assert list(caught.value.message_dict) == [field]


def test_removing_a_day_without_entry_is_refused(admin_actor):
    with pytest.raises(DomainError):
        services.calendar_day_remove(actor=admin_actor, date=D(2026, 6, 3))


@pytest.mark.parametrize("persona", ["reviewer", "auditor", "city_cadre", "agent"])
def test_only_office_admins_edit(seeded, persona):
    actor = seeded.actor(getattr(seeded, persona))
    with pytest.raises(DomainError):
        services.calendar_day_set(actor=actor, date=D(2026, 6, 1), kind=DayKind.REST, name="x")
    with pytest.raises(DomainError):
        services.calendar_day_remove(actor=actor, date=D(2026, 10, 1))
    with pytest.raises(DomainError):
        services.calendar_year_confirm(actor=actor, year=2031)


def test_other_tenant_admin_edits_only_their_own_calendar(seeded):
    other = seeded.actor(seeded.other_tenant_admin)
    services.calendar_day_set(actor=other, date=D(2026, 6, 1), kind=DayKind.REST, name="乙省休息日")
    assert D(2026, 6, 1) not in work_calendar_for(seeded.tenant).rest_days
    assert D(2026, 6, 1) in work_calendar_for(seeded.other_tenant).rest_days
    # Removing a date only tenant A has is "no entry" for tenant B.
    with pytest.raises(DomainError):
        services.calendar_day_remove(actor=other, date=D(2026, 10, 1))
    assert CalendarDay.objects.for_tenant(seeded.tenant).filter(date=D(2026, 10, 1)).exists()


def test_a_year_entered_by_hand_stops_being_provisional_once_confirmed(admin_actor, seeded):
    calendar = work_calendar_for(seeded.tenant)
    assert calendar.deadline_after(D(2031, 9, 28), 3) == DeadlineResult(D(2031, 10, 1), True)

    with pytest.raises(DomainError):  # nothing entered yet
        services.calendar_year_confirm(actor=admin_actor, year=2031)
    for day in range(1, 8):
        services.calendar_day_set(
            actor=admin_actor, date=D(2031, 10, day), kind=DayKind.REST, name="国庆节"
        )
    assert work_calendar_for(seeded.tenant).deadline_after(D(2031, 9, 28), 3) == DeadlineResult(
        D(2031, 10, 8), True
    )

    services.calendar_year_confirm(actor=admin_actor, year=2031)
    assert work_calendar_for(seeded.tenant).deadline_after(D(2031, 9, 28), 3) == DeadlineResult(
        D(2031, 10, 8), False
    )
    with pytest.raises(DomainError):
        services.calendar_year_confirm(actor=admin_actor, year=2031)

    services.calendar_year_unconfirm(actor=admin_actor, year=2031)
    assert work_calendar_for(seeded.tenant).deadline_after(D(2031, 9, 28), 3).provisional is True
    with pytest.raises(DomainError):  # package years are not unconfirmed by hand
        services.calendar_year_unconfirm(actor=admin_actor, year=2026)


# --- the notice and the reminder ------------------------------------------------------------
# Dates are in a year the package will never cover, so a package update cannot change them.

OCT_31 = D(2040, 10, 31)
NOV_1 = D(2040, 11, 1)


def test_notice_from_1_november_when_next_year_is_missing(
    admin_actor, seeded, django_assert_num_queries
):
    with django_assert_num_queries(0):
        assert missing_next_year_notice(tenant=seeded.tenant, today=OCT_31) is None
    notice = missing_next_year_notice(tenant=seeded.tenant, today=NOV_1)
    assert notice and "2041" in notice
    assert "2041" in missing_next_year_notice(tenant=seeded.tenant, today=D(2040, 12, 31))
    assert missing_next_year_notice(tenant=seeded.tenant, today=D(2041, 1, 1)) is None

    services.calendar_day_set(actor=admin_actor, date=D(2041, 1, 1), kind=DayKind.REST, name="元旦")
    services.calendar_year_confirm(actor=admin_actor, year=2041)
    assert missing_next_year_notice(tenant=seeded.tenant, today=NOV_1) is None


@pytest.fixture
def admin_emails(world):
    world.office_admin.email = "admin@a.example"
    world.office_admin.save(update_fields=["email"])
    # Neither an inactive admin nor a reviewer with an address is written to.
    from tests import factories

    for user, active in (
        (factories.make_staff(world.office, "office_admin"), False),
        (world.reviewer, True),
    ):
        user.email = f"{user.username}@a.example"
        user.is_active = active
        user.save(update_fields=["email", "is_active"])
    return world


def test_reminder_not_before_1_november(admin_emails):
    assert services.send_missing_year_reminders(today=OCT_31) == 0
    assert mail.outbox == []
    assert not CalendarReminder.objects.exists()


def test_reminder_once_a_day_from_1_november(admin_emails):
    world = admin_emails
    # Both tenants miss 2041; tenant B's admin has no address, so only A's admin gets mail.
    assert services.send_missing_year_reminders(today=NOV_1) == 2
    assert services.send_missing_year_reminders(today=NOV_1) == 0  # run twice → one e-mail
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["admin@a.example"]
    assert "2041" in message.subject and "2041" in message.body

    reminder = CalendarReminder.objects.for_tenant(world.tenant).get()
    assert (reminder.year, reminder.sent_on, reminder.recipients) == (2041, NOV_1, 1)
    event = AuditEvent.objects.get(tenant=world.tenant, action="calendar.reminder.sent")
    assert event.actor_id is None and event.after["recipients"] == ["admin@a.example"]

    # The next day reminds again.
    assert services.send_missing_year_reminders(today=D(2040, 11, 2)) == 2
    assert len(mail.outbox) == 2


def test_no_reminder_once_next_year_is_complete(admin_emails):
    world = admin_emails
    actor = world.actor(world.office_admin)
    services.calendar_day_set(actor=actor, date=D(2041, 1, 1), kind=DayKind.REST, name="元旦")
    services.calendar_year_confirm(actor=actor, year=2041)
    assert services.send_missing_year_reminders(today=NOV_1) == 1  # tenant B only
    assert mail.outbox == []
    assert list(CalendarReminder.objects.values_list("tenant_id", flat=True)) == [
        world.other_tenant.pk
    ]


def test_reminder_mail_failure_releases_the_day(admin_emails, settings):
    settings.EMAIL_BACKEND = "tests.calendar.test_services.FailingBackend"
    with pytest.raises(ConnectionError):
        services.remind_tenant_missing_year(tenant=admin_emails.tenant, year=2041, today=NOV_1)
    assert not CalendarReminder.objects.filter(tenant=admin_emails.tenant).exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert (
        services.remind_tenant_missing_year(tenant=admin_emails.tenant, year=2041, today=NOV_1)
        is True
    )
    assert len(mail.outbox) == 1


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("mail server down")
