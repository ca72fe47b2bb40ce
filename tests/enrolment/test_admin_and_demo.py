"""The admin runs the enrolment rules; the demo seeds enrolments in every state, idempotently."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from enrolment.models import Enrolment, EnrolmentLine, EnrolmentStatus, Policy
from mutualaid.tenancy.models import User
from tests import factories
from tests.enrolment.support import new_enrolment


def _admin_client(client, user):
    User.objects.filter(pk=user.pk).update(is_staff=True)
    client.force_login(User.objects.get(pk=user.pk))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_admin_adds_a_line_through_the_rules(world, actors, units, plans, client):
    female = new_enrolment(actors.agent, units.a1, plans["gx_female_workers"])
    man = factories.make_member(units.a1, id_number=factories.make_id_number(male=True))
    woman = factories.make_member(units.a1, id_number=factories.make_id_number(male=False))
    User.objects.filter(pk=world.agent.pk).update(is_superuser=True)  # model permissions
    admin = _admin_client(client, world.agent)
    url = "/admin/enrolment/enrolmentline/add/"
    refused = admin.post(url, {"enrolment": female.pk, "member": man.pk, "shares": "1"})
    assert refused.status_code == 200
    assert "This plan is for women only" in refused.content.decode()
    assert (
        admin.post(url, {"enrolment": female.pk, "member": woman.pk, "shares": "1"}).status_code
        == 302
    )
    line = EnrolmentLine.objects.get(enrolment=female)
    assert line.member == woman
    female.refresh_from_db()
    assert female.member_count == 1  # the service kept the totals


def test_admin_lists_are_scoped(world, actors, units, plans, client):
    new_enrolment(actors.agent, units.a1, plans["gx_designated_disease"])
    User.objects.filter(pk=world.sibling_agent.pk).update(is_superuser=True)
    admin = _admin_client(client, world.sibling_agent)
    response = admin.get("/admin/enrolment/enrolment/")
    assert response.status_code == 200 and "甲县医院工会" not in response.content.decode()


@pytest.mark.django_db
def test_seed_demo_makes_enrolments_in_every_state_once(settings):
    settings.DEMO = True  # a new demo database, as `make demo` makes it
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    statuses = set(Enrolment.objects.values_list("status", flat=True))
    assert statuses == set(EnrolmentStatus.values)
    assert Policy.objects.filter(enrolment__kind="renewal", tranches__isnull=False).exists()
    count = Enrolment.objects.count()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert Enrolment.objects.count() == count
    # The demo's renewal kept continuity: no gap between the two years.
    # (the one in force: today's jobs may have drafted the next renewal too)
    renewal = Enrolment.objects.get(kind="renewal", status=EnrolmentStatus.IN_FORCE)
    assert renewal.coverage_start == renewal.previous.coverage_end + dt.timedelta(days=1)


@pytest.mark.django_db
def test_seed_demo_runs_todays_jobs_once_so_renewal_drafts_show(monkeypatch, settings):
    """Issue 16 item 9: on 2026-12-05 the hospital's 2026 cover (to 2026-12-31) is in its
    notice window; seed_demo's run of today's jobs drafts its renewal, once."""
    from django.utils import timezone

    from enrolment.roster_source import roster_lines
    from premiums.models import Renewal

    settings.DEMO = True  # a new demo database, as `make demo` makes it
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 12, 5))
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    drafts = Enrolment.objects.filter(kind="renewal", status=EnrolmentStatus.DRAFT)
    assert drafts.count() == 1
    draft = drafts.get()
    assert Renewal.objects.filter(enrolment=draft).exists()
    assert draft.start_date == dt.date(2027, 1, 1) and draft.member_count > 0
    assert roster_lines(draft).count() == draft.member_count
    assert Enrolment.objects.filter(status=EnrolmentStatus.ACCEPTED).exists()  # not invoiced
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert drafts.count() == 1
