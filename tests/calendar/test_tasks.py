"""The reminder task through a real Celery worker on Redis."""

from __future__ import annotations

import pytest
from django.core import mail

from mutualaid.audit.models import AuditEvent
from mutualaid.calendar.models import CalendarReminder
from mutualaid.calendar.tasks import remind_missing_next_year
from mutualaid.tenancy.models import Role
from tests import factories


def test_task_name_matches_the_beat_schedule():
    from portal.celery import app

    names = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert remind_missing_next_year.name in names


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_reminder_runs_on_the_worker_and_twice_sends_once(celery_worker_thread):
    tenant, office = factories.make_tenant("戊省办事处")
    admin = factories.make_staff(office, Role.OFFICE_ADMIN)
    admin.email = "admin@wu.example"
    admin.save(update_fields=["email"])
    mail.outbox = []

    # 2040 is far beyond the package, so next year (2041) is missing whatever its version.
    assert remind_missing_next_year.delay(today="2040-11-05").get(timeout=30) == 1
    assert (
        remind_missing_next_year.delay(today="2040-11-05").get(timeout=30) == 0
    )  # redelivered: no-op

    assert [message.to for message in mail.outbox] == [["admin@wu.example"]]
    reminder = CalendarReminder.objects.for_tenant(tenant).get()
    assert (reminder.year, str(reminder.sent_on), reminder.recipients) == (2041, "2040-11-05", 1)
    assert AuditEvent.objects.filter(tenant=tenant, action="calendar.reminder.sent").count() == 1
