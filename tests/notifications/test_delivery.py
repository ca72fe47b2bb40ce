"""Delivery choices, text messages, the archive (issue 15 items 3 and 4)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from mutualaid.notifications import sms
from mutualaid.notifications.models import (
    ArchivedNotification,
    DeliveryPreference,
    Notification,
)
from mutualaid.notifications.services import notifications_archive, notifications_mail_pending
from tests import factories


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("008613812345678", "13812345678"),
        ("12812345678", ""),  # no mobile range starts 12
        ("1381234567", ""),  # ten digits
        ("0771-5551234", ""),  # a landline
        ("", ""),
    ],
)
def test_mobile_numbers(raw, clean):
    assert sms.clean_mobile(raw) == clean


def test_the_file_backend_writes_json_lines(tmp_path):
    backend = sms.FileBackend(file_path=str(tmp_path / "sms.jsonl"))
    assert sms.send_sms("13812345678", "您的验证码是 123456", backend=backend) == 1
    assert sms.send_sms("not a number", "x", backend=backend) == 0
    (line,) = (tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["text"] == "您的验证码是 123456"


def test_the_console_backend_prints(capsys):
    sms.send_sms("13812345678", "测试", backend=sms.ConsoleBackend())
    assert "SMS to 13812345678: 测试" in capsys.readouterr().out


def test_the_settings_choose_the_backend(settings):
    settings.SMS_BACKEND = "mutualaid.notifications.sms.FileBackend"
    assert isinstance(sms.get_backend(), sms.FileBackend)


@pytest.mark.django_db
def test_a_user_who_asked_for_texts_gets_one_at_once(world, mailoutbox):
    sms.outbox.clear()
    DeliveryPreference.objects.create(
        user=world.agent, tenant=world.tenant, sms=True, mobile="13812345678"
    )
    factories.make_notification(world.agent, world.unit)
    notifications_mail_pending(tenant_id=world.tenant.pk)
    assert [(m.to, "缴费通知" in m.text or "JF1" in m.text) for m in sms.outbox] == [
        ("13812345678", True)
    ]
    notifications_mail_pending(tenant_id=world.tenant.pk)  # twice: nothing more
    assert len(sms.outbox) == 1


@pytest.mark.django_db
def test_the_preferences_page_saves_the_choice(world, client):
    client.force_login(world.agent)
    page = client.get("/notifications/settings/")
    assert page.status_code == 200 and "通知接收方式" in page.content.decode()
    refused = client.post(
        "/notifications/settings/", {"email_mode": "digest", "sms": "on", "mobile": ""}
    )
    assert refused.status_code == 200
    assert "接收短信须填写手机号码" in refused.content.decode()
    saved = client.post(
        "/notifications/settings/",
        {"email_mode": "digest", "sms": "on", "mobile": "138 1234 5678"},
    )
    assert saved.status_code == 302
    pref = DeliveryPreference.objects.get(user=world.agent)
    assert (pref.email_mode, pref.sms, pref.mobile, pref.tenant_id) == (
        "digest",
        True,
        "13812345678",
        world.tenant.pk,
    )


@pytest.mark.django_db
def test_old_notifications_move_to_the_archive_set_based_per_tenant(world, settings):
    settings.NOTIFICATION_ARCHIVE_DAYS = 90
    old = [factories.make_notification(world.agent, world.unit) for _ in range(3)]
    recent = factories.make_notification(world.agent, world.unit)
    foreign = factories.make_notification(world.other_tenant_agent, world.other_unit)
    long_ago = timezone.now() - dt.timedelta(days=91)
    Notification.objects.filter(pk__in=[n.pk for n in old] + [foreign.pk]).update(
        created_at=long_ago
    )
    assert notifications_archive(tenant_id=world.tenant.pk, chunk=2) == 3
    assert set(Notification.objects.values_list("pk", flat=True)) == {recent.pk, foreign.pk}
    archived = ArchivedNotification.objects.filter(tenant=world.tenant)
    assert {a.pk for a in archived} == {n.pk for n in old}
    assert all(a.created_at == long_ago and a.recipient_id == world.agent.pk for a in archived)
    assert notifications_archive(tenant_id=world.tenant.pk) == 0  # run again: nothing left


def test_the_beat_runs_the_digest_and_the_archive_once_a_day():
    from portal.celery import app

    tasks = [entry["task"] for entry in app.conf.beat_schedule.values()]
    assert tasks.count("mutualaid.notifications.tasks.send_digests") == 1
    assert tasks.count("mutualaid.notifications.tasks.archive_all") == 1
    assert "mutualaid.notifications.tasks.send_digests" in app.tasks
    assert "mutualaid.notifications.tasks.archive_all" in app.tasks
