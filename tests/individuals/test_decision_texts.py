"""The applicant is told the decision by text message (individuals.services.decision_texts_send,
through the outbox once the cadre's decision commits): in Chinese, naming the federation,
the plan, the cover's dates and where to sign in, or the cadre's reason; once each."""

from __future__ import annotations

import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from individuals import services
from individuals.models import IndividualApplication
from individuals.tasks import send_decision_texts
from mutualaid.notifications import sms
from mutualaid.outbox.models import OutboxMessage
from tests import factories
from tests.individuals.test_services import PEOPLE, apply

PHONES = ("13907740001", "13907740002", "13907740003")


@pytest.fixture(autouse=True)
def outbox_clean(settings):
    settings.PORTAL_URL = "https://huzhu.example.org"
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def _applicants(world, version):
    return [
        apply(world, version, name, occupation, platform, phone=phone)
        for (name, occupation, platform), phone in zip(PEOPLE, PHONES, strict=True)
    ]


def _queued(ids) -> OutboxMessage:
    [message] = OutboxMessage.objects.filter(task=services.DECISION_TEXTS_TASK)
    assert sorted(message.args[1]) == sorted(str(i) for i in ids)
    return message


@pytest.mark.django_db
def test_approved_applicants_are_told_their_cover_and_where_to_sign_in(
    world, actors, open_version, today
):
    applications = _applicants(world, open_version)
    ids = [a.pk for a in applications]
    services.applications_approve(actor=actors.city_cadre, ids=ids)
    assert sms.outbox == []  # nothing before the decision commits: the outbox sends it
    message = _queued(ids)

    with translation.override("en"):  # the cadre's language does not matter: Chinese
        assert send_decision_texts(*message.args) == 3
    texts = {m.to: m.text for m in sms.outbox}
    assert set(texts) == set(PHONES)
    text = texts[PHONES[0]]
    assert text.startswith("韦小宝")
    assert "甲市总工会" in text and "职工指定疾病" in text and "批准" in text
    assert "2026-12-06" in text and "2027-12-05" in text  # the cover's first and last day
    assert "https://huzhu.example.org/me/" in text and "身份证号" in text
    assert all(a.told_at is not None for a in IndividualApplication.objects.filter(pk__in=ids))


@pytest.mark.django_db
def test_a_worker_who_pays_is_told_the_amount_and_when_cover_starts(
    world, actors, open_version, today
):
    """A member-paid version waits for the worker's payment: no dates yet, the amount and
    that cover starts the day after the payment is recorded."""
    from plans.models import PlanVersion

    PlanVersion.objects.filter(pk=open_version.pk).update(
        individual_offer={**open_version.individual_offer, "funding": "member"}
    )
    application = apply(world, open_version, "韦小宝", phone=PHONES[0])
    services.applications_approve(actor=actors.city_cadre, ids=[application.pk])
    assert send_decision_texts(*_queued([application.pk]).args) == 1
    [message] = sms.outbox
    assert "¥40.00" in message.text and "缴费登记后次日起保障" in message.text
    assert "2026-12-06" not in message.text  # no date before the payment
    assert "https://huzhu.example.org/me/" in message.text


@pytest.mark.django_db
def test_refused_applicants_are_told_the_reason(world, actors, open_version, today):
    applications = _applicants(world, open_version)[:2]
    ids = [a.pk for a in applications]
    reason = "非本市登记的骑手，请向注册地总工会申请"
    services.applications_refuse(actor=actors.city_cadre, ids=ids, reason=reason)
    assert send_decision_texts(*_queued(ids).args) == 2
    [first, second] = sorted(sms.outbox, key=lambda m: m.to)
    assert first.to == PHONES[0] and first.text.startswith("韦小宝")
    assert reason in first.text and "未" in first.text and "甲市总工会" in first.text
    assert "/me/" not in first.text  # not a member: nothing to sign in to


@pytest.mark.django_db
def test_a_second_delivery_texts_nobody_again(world, actors, open_version, today):
    applications = _applicants(world, open_version)
    ids = [a.pk for a in applications]
    services.applications_approve(actor=actors.city_cadre, ids=ids)
    args = _queued(ids).args
    assert send_decision_texts(*args) == 3
    assert send_decision_texts(*args) == 0
    assert len(sms.outbox) == 3


@pytest.mark.django_db
def test_a_batch_refused_by_the_rules_queues_no_text(world, actors, open_version, units, today):
    """Approval is all or nothing: when the rules refuse one applicant (registered by an
    employer's union, who needs a transfer first), nobody is told anything: the outbox row
    rolled back with the batch."""
    member = factories.make_member(units.a1, name="陆春梅")
    ok = apply(world, open_version, "韦小宝")
    registered = apply(world, open_version, "陆春梅", id_number=member.id_number)
    with pytest.raises(ValidationError, match="陆春梅"):
        services.applications_approve(actor=actors.city_cadre, ids=[ok.pk, registered.pk])
    assert not OutboxMessage.objects.filter(task=services.DECISION_TEXTS_TASK).exists()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_the_texts_after_the_commit(
    world, actors, open_version, today, celery_worker_thread
):
    """Through Redis and a real worker: the decision commits, the outbox publishes, the
    worker texts each applicant in the tenant's scope."""
    applications = _applicants(world, open_version)[:2]
    services.applications_refuse(
        actor=actors.city_cadre, ids=[a.pk for a in applications], reason="材料不全"
    )
    deadline = time.monotonic() + 20
    while len(sms.outbox) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sorted(m.to for m in sms.outbox) == sorted(PHONES[:2])
    assert all("材料不全" in m.text for m in sms.outbox)
    connection.close()
