"""The audit log and the home page's recent activity read as Chinese sentences (issue 14):
"财务 王五 将给付批次 GF2026000003 登记为已给付", never a code like ``claim.batch_paid`` or a
Python dict like ``{'status': 'in_batch'}``. Every action the code writes has its sentence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from mutualaid.audit.models import AuditEvent
from mutualaid.audit.sentences import SENTENCES, describe
from mutualaid.tenancy.models import Role
from tests import factories

ROOT = Path(settings.BASE_DIR)
SOURCES = [
    path
    for folder in ("mutualaid", "plans", "members", "enrolment", "premiums", "claims", "stats")
    for path in (ROOT / folder).rglob("*.py")
    if "migrations" not in path.parts
]


def written_actions() -> set[str]:
    """Every action code the services write: literals passed as ``action=``, in SQL, and
    the families of the claim and enrolment steps."""
    from claims.models import ClaimDecision
    from enrolment.services.workflow import STEP_FIELDS

    found = set()
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        found.update(re.findall(r'action="([a-z_]+\.[a-z_.]+)"', text))
        found.update(re.findall(r'"(claim\.late_report_[a-z]+)"', text))
        found.update(re.findall(r"'((?:claim|enrolment)\.[a-z_]+)'", text))
    found.update(f"claim.{code}" for code in ClaimDecision.Action.values)
    found.update(f"enrolment.{step}" for step in STEP_FIELDS)
    return found - {"enrolment.enrolment", "enrolment.policy"}  # object types, not actions


def test_every_action_written_has_a_sentence():
    actions = written_actions()
    assert len(actions) > 60, actions  # the scan found the services' actions
    assert sorted(actions - set(SENTENCES)) == []


@pytest.fixture
def batch_paid(world):
    finance = factories.make_staff(world.office, Role.FINANCE, username="wangwu")
    finance.display_name = "王五"
    finance.save(update_fields=["display_name"])
    from claims.models import PayoutBatch

    event = AuditEvent.objects.create(
        tenant_id=world.tenant.pk,
        organisation=world.office,
        actor=finance,
        action="claim.batch_paid",
        object_type=PayoutBatch._meta.label_lower,
        object_id="1",
        object_repr="GF2026000003",
        after={"lines": 3, "paid_on": "2026-12-05"},  # as payouts.batch_lines_paid writes
    )
    return event


def zh(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    return client


@pytest.mark.django_db
def test_the_sentence_names_role_person_object_and_what_was_done(batch_paid):
    from django.utils import translation

    with translation.override("zh-hans"):
        (event,) = describe([AuditEvent.objects.select_related("actor__staff").get()])
        assert event.sentence == "财务 王五 将给付批次 GF2026000003 登记为已给付"
        changes = {c.label: (c.before, c.after) for c in event.changes}
    assert changes == {"笔数": ("", "3"), "给付日期": ("", "2026-12-05")}


@pytest.mark.django_db
def test_audit_log_page_shows_sentences_not_codes(batch_paid, world, login):
    page = zh(login(world.auditor)).get("/audit/").content.decode()
    assert "财务 王五 将给付批次 GF2026000003 登记为已给付" in page
    assert "claim.batch_paid" not in page
    assert "{&#x27;" not in page and "{'" not in page  # no Python dicts


@pytest.mark.django_db
def test_recent_activity_on_the_home_page_reads_as_sentences(batch_paid, world, login):
    page = zh(login(world.office_admin)).get("/").content.decode()
    assert "财务 王五 将给付批次 GF2026000003 登记为已给付" in page
    assert "claim.batch_paid" not in page


@pytest.mark.django_db
def test_the_filter_offers_kinds_of_actions_in_words(batch_paid, world, login):
    client = zh(login(world.auditor))
    page = client.get("/audit/", {"action": "claims"}).content.decode()
    assert "理赔与给付" in page and "GF2026000003" in page
    other = client.get("/audit/", {"action": "plans"}).content.decode()
    assert "GF2026000003" not in other


@pytest.mark.django_db
def test_an_event_of_the_system_says_so(world, login):
    factories.make_audit_event(world.unit, actor_user=None, action="renewal.prepare")
    page = zh(login(world.auditor)).get("/audit/").content.decode()
    assert "系统 准备了" in page
