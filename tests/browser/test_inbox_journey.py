"""The work inbox in a real browser (issue 15): the agent submits an enrolment; the county
cadre logs in, sees "待核定 1" on the home page, follows it and checks the enrolment; the
item is gone from the cadre's inbox and the agent's header shows a new notification.
Screenshots go to ``test-artifacts/screenshots/inbox-*.png`` (desktop and phone)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from enrolment.models import Enrolment, EnrolmentStatus
from enrolment.services.lines import lines_import
from tests import factories
from tests.browser.helpers import log_in, snap
from tests.enrolment.support import new_enrolment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(context, user):
    page = context.new_page()
    page.goto("/accounts/login/")
    log_in(page, user.username, factories.PASSWORD)
    return page


def test_the_cadre_finds_the_submitted_enrolment_on_the_home_page(world, new_context, live_server):
    plans = factories.load_seed_plans(world)
    unit = factories.make_unit(world.unit)
    agent = world.actor(world.agent)
    enrolment = new_enrolment(agent, unit, plans["gx_designated_disease"])
    members = [factories.make_member(unit, name=n) for n in ("韦国庆", "黄秀兰")]
    lines_import(
        actor=agent, enrolment=enrolment, rows=[{"member": m, "shares": 1} for m in members]
    )

    # 1. The agent submits the draft (it was on their home page as a draft to submit).
    agent_page = _login(new_context(), world.agent)
    expect(agent_page.get_by_test_id("inbox-enrolment.drafts")).to_contain_text("甲县医院工会")
    agent_page.goto(f"/enrolments/{enrolment.pk}/")
    agent_page.get_by_test_id("step-submit").click()
    expect(agent_page.get_by_test_id("status")).to_have_text(re.compile("已提交"))
    agent_page.goto("/")
    expect(agent_page.get_by_test_id("notification-count")).to_have_count(0)

    # 2. The county cadre logs in: the home page says what waits.
    cadre = _login(new_context(), world.county_cadre)
    count = cadre.get_by_test_id("inbox-count-enrolment.to_check")
    expect(count).to_have_text(re.compile(r"待核定\s*1"))
    expect(cadre.get_by_test_id("notification-count")).to_have_text("1")
    snap(cadre, "inbox-01-cadre-home")
    phone = _login(new_context(phone=True), world.county_cadre)
    expect(phone.get_by_test_id("inbox-count-enrolment.to_check")).to_be_visible()
    snap(phone, "inbox-01-cadre-home-phone")

    # 3. … follows it to the enrolment and checks it.
    count.click()
    cadre.get_by_test_id("inbox-enrolment.to_check").get_by_role(
        "link", name=re.compile("甲县医院工会")
    ).click()
    expect(cadre).to_have_url(re.compile(rf"/enrolments/{enrolment.pk}/$"))
    cadre.get_by_test_id("step-check").click()
    expect(cadre.get_by_test_id("status")).to_have_text(re.compile("已核定|核定"))
    assert Enrolment.objects.get(pk=enrolment.pk).status == EnrolmentStatus.CHECKED

    # 4. The item has left the cadre's inbox.
    cadre.goto("/")
    expect(cadre.get_by_test_id("inbox-count-enrolment.to_check")).to_have_count(0)
    expect(cadre.get_by_test_id("inbox-empty")).to_be_visible()
    snap(cadre, "inbox-02-cadre-home-after")

    # 5. The agent's header shows the new notification; the list reads it.
    agent_page.goto("/")
    expect(agent_page.get_by_test_id("notification-count")).to_have_text("1")
    snap(agent_page, "inbox-03-agent-header")
    agent_page.get_by_test_id("notifications-link").click()
    expect(agent_page.get_by_test_id("notification-list")).to_contain_text("核定")
    agent_page.get_by_test_id("read-all").click()
    agent_page.goto("/")
    expect(agent_page.get_by_test_id("notification-count")).to_have_count(0)
