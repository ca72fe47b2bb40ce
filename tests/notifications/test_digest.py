"""The daily digest through a real Celery worker on Redis and a real SMTP server on
loopback (aiosmtpd): the beat task runs twice for the same day, each user who chose the
digest receives exactly one mail, in Chinese, whose links open the pages they name."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import socket
import time

import pytest
from aiosmtpd.controller import Controller

from mutualaid.notifications.models import DeliveryPreference, DigestSent, Notification
from mutualaid.notifications.tasks import send_digest, send_digests
from tests import factories

BASE = "http://portal.example.test"


class Inbox:
    """An aiosmtpd handler that keeps every mail received."""

    def __init__(self):
        self.mails = []

    async def handle_DATA(self, server, session, envelope):
        self.mails.append(
            (
                list(envelope.rcpt_tos),
                email.message_from_bytes(envelope.content, policy=email.policy.default),
            )
        )
        return "250 OK"


@pytest.fixture
def smtp(settings):
    handler = Inbox()
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.PORTAL_URL = BASE
    yield handler
    controller.stop()


def wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the worker did not get there in time"
        time.sleep(0.2)


def _digest(user, world):
    user.email = f"{user.username}@union.example.test"
    user.save(update_fields=["email"])
    DeliveryPreference.objects.create(user=user, tenant=world.tenant, email_mode="digest")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_digest_runs_twice_and_each_user_gets_one_chinese_mail_with_working_links(
    celery_worker_thread, smtp, world, client
):
    _digest(world.county_cadre, world)
    _digest(world.agent, world)
    unit = world.unit
    # Two notifications for the cadre, one for the agent, each with a page to open.
    factories.make_notification(
        world.county_cadre, unit, kind="premiums.invoice_issued", link="/notifications/"
    )
    factories.make_notification(world.county_cadre, unit, link="/enrolments/")
    factories.make_notification(world.agent, unit, link="/claims/")
    # A user who kept "at once" is not in the digest (and their row is not touched by it).
    immediate = factories.make_notification(world.office_admin, unit, link="/")
    day = dt.date(2026, 12, 7).isoformat()

    send_digests.delay(day).get(timeout=30)
    wait_for(lambda: DigestSent.objects.count() == 2 and len(smtp.mails) == 2)
    send_digests.delay(day).get(timeout=30)  # the beat's second run of the same day
    # The solo worker takes tasks in order: once this one is done, so are the fan-out's.
    assert send_digest.delay(str(world.tenant.pk), day).get(timeout=30) == 0

    assert DigestSent.objects.count() == 2
    by_user = {}
    for rcpts, message in smtp.mails:
        (to,) = rcpts
        by_user.setdefault(to, []).append(message)
    assert sorted(by_user) == [
        "agent@union.example.test",
        "county_cadre@union.example.test",
    ]
    assert all(len(mails) == 1 for mails in by_user.values())

    cadre_mail = by_user["county_cadre@union.example.test"][0]
    assert cadre_mail["Subject"] == "互助保障：2026-12-07 共 2 条通知"
    body = cadre_mail.get_content()
    assert "您好" in body and "缴费通知" in body  # the notifications' text, in Chinese
    links = re.findall(rf"{re.escape(BASE)}(/\S*)", body)
    assert "/notifications/" in links and "/enrolments/" in links
    assert "/notifications/settings/" in links
    client.force_login(world.county_cadre)
    for path in links:
        assert client.get(path).status_code == 200, path

    agent_body = by_user["agent@union.example.test"][0].get_content()
    assert "共 1 条通知" in by_user["agent@union.example.test"][0]["Subject"]
    assert f"{BASE}/claims/" in agent_body
    # Digest rows are marked sent; the immediate user's row is the immediate task's.
    assert not Notification.objects.filter(
        recipient__in=[world.agent, world.county_cadre], emailed_at__isnull=True
    ).exists()
    immediate.refresh_from_db()
    assert immediate.emailed_at is None


@pytest.mark.django_db
def test_the_immediate_mail_leaves_digest_users_for_the_digest(world, mailoutbox):
    from mutualaid.notifications.services import notifications_mail_pending

    _digest(world.county_cadre, world)
    world.agent.email = "agent@union.example.test"
    world.agent.save(update_fields=["email"])
    factories.make_notification(world.county_cadre, world.unit)
    factories.make_notification(world.agent, world.unit)
    assert notifications_mail_pending(tenant_id=world.tenant.pk) == 1
    assert [m.to for m in mailoutbox] == [["agent@union.example.test"]]
    assert Notification.objects.filter(recipient=world.county_cadre, emailed_at=None).count() == 1
