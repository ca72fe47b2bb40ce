"""The daily task through a real Celery worker on Redis: twice changes nothing the second time."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core import mail

from enrolment.models import Enrolment, EnrolmentLine
from mutualaid.notifications.models import Notification
from premiums.models import Invoice, Renewal
from premiums.tasks import premiums_daily
from tests import factories
from tests.premiums.support import in_force


def test_task_name_matches_the_beat_schedule():
    from portal.celery import app

    entries = [e for e in app.conf.beat_schedule.values() if e["task"] == premiums_daily.name]
    assert len(entries) == 1  # exactly one daily entry


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_daily_task_twice_on_a_real_worker_creates_nothing_twice(
    celery_worker_thread, world, accepted, actors, plans, units, people, today_is, settings
):
    settings.RENEWAL_PARTS = 1  # the whole run in the daily task itself
    world.agent.email = "agent@a1.example"
    world.agent.save(update_fields=["email"])
    mail.outbox = []
    today_is(dt.date(2025, 3, 31))
    in_force(accepted, actors, units.a1, plans["gx_designated_disease"], people, 2)
    waiting = accepted(
        units.a1, plans["gx_group_accident"], people[:2], 1
    )  # accepted: to be invoiced

    first = premiums_daily.delay("2026-02-20").get(timeout=60)
    assert (first["invoices"], first["renewals_prepared"], first["queued"], first["notified"]) == (
        1,
        1,
        1,
        1,
    )
    state = (
        Enrolment.objects.count(),
        EnrolmentLine.objects.count(),
        Invoice.objects.count(),
        Renewal.objects.count(),
        Notification.objects.count(),
    )

    second = premiums_daily.delay("2026-02-20").get(timeout=60)  # redelivered, or beat twice
    assert (
        second["invoices"],
        second["renewals_prepared"],
        second["queued"],
        second["notified"],
    ) == (0, 0, 0, 0)
    assert (
        Enrolment.objects.count(),
        EnrolmentLine.objects.count(),
        Invoice.objects.count(),
        Renewal.objects.count(),
        Notification.objects.count(),
    ) == state
    assert Invoice.objects.filter(enrolment=waiting).exists()

    # The mails went out on commit, through the worker, once per notification (the mail
    # task queued after the others runs after them on the solo worker).
    from mutualaid.notifications.tasks import send_notification_mail

    send_notification_mail.delay().get(timeout=30)
    kinds = sorted(
        n.kind for n in Notification.objects.filter(recipient=world.agent, emailed_at__isnull=False)
    )
    assert "premiums.renewal_prepared" in kinds
    assert len(mail.outbox) == Notification.objects.filter(recipient=world.agent).count()
    assert all(message.to == ["agent@a1.example"] for message in mail.outbox)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_daily_task_split_in_parts_on_the_worker(
    celery_worker_thread, world, accepted, actors, plans, units, people, today_is, settings
):
    settings.RENEWAL_PARTS = 2
    today_is(dt.date(2025, 3, 31))
    in_force(accepted, actors, units.a1, plans["gx_designated_disease"], people[:3], 2)
    other = factories.make_member(units.a1, name="周建华")
    in_force(accepted, actors, units.a1, plans["gx_group_accident"], [other], 1, ref="A1-2")
    for _ in range(2):  # twice: the second run adds nothing
        assert premiums_daily.delay("2026-02-20").get(timeout=60)["renewal_parts"] == 2
        deadline = time.monotonic() + 60
        while Renewal.objects.count() < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        from mutualaid.notifications.tasks import send_notification_mail

        send_notification_mail.delay().get(timeout=30)  # queued behind the parts: they are done
        assert Renewal.objects.count() == 2
        assert Enrolment.objects.filter(kind="renewal").count() == 2
