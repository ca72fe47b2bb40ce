"""Individual applications in a real browser, on a 390 × 844 phone (issue 17.4): a courier
applies on the city federation's public page with no account; the city's cadre, on a
phone too, ticks three applications and approves them; cover starts the next day.

Screenshots go to ``test-artifacts/screenshots/individuals-*.png``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from enrolment.models import EnrolmentStatus
from individuals.models import ApplicationStatus, IndividualApplication
from plans.models import PlanVersion
from tests import factories
from tests.browser.helpers import horizontal_overflow, log_in, snap

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFER = {
    "open": True,
    "occupations": ["快递员", "外卖配送员", "网约车司机", "货车司机"],
    "platforms": ["美团", "饿了么", "滴滴", "顺丰"],
    "funding": "federation_gift",
    "shares": 1,
}


def fits(page) -> None:
    width = horizontal_overflow(page)
    assert width["scrollWidth"] <= width["innerWidth"] + 1, width["offenders"]


def test_a_courier_applies_and_the_city_cadre_approves_a_batch(world, new_context, live_server):
    cache.delete("individuals:apply:127.0.0.1")
    plans = factories.load_seed_plans(world)
    version = plans["gx_designated_disease"].versions.get()
    PlanVersion.objects.filter(pk=version.pk).update(individual_offer=OFFER)
    version.refresh_from_db()
    for name in ("黄飞鸿", "覃阿四"):
        IndividualApplication.objects.create(
            tenant_id=world.tenant.pk,
            organisation=world.city,
            plan_version=version,
            name=name,
            id_number=factories.make_id_number(birth="19910303"),
            phone="13800138000",
            occupation="外卖配送员",
            platform="美团",
        )

    # 1. The courier, on a phone, with no account.
    person = new_context(phone=True).new_page()
    person.goto(f"/apply/{world.tenant.slug}/{world.city.pk}/")
    expect(person.get_by_test_id("apply-federation")).to_contain_text("甲市总工会")
    fits(person)
    form = person.get_by_test_id("apply-form")
    form.locator("#id_name").fill("韦小宝")
    form.locator("#id_id_number").fill(factories.make_id_number(birth="19900101")[:-1] + "0")
    form.locator("#id_phone").fill("13907740000")
    form.locator("#id_occupation").select_option("快递员")
    form.locator("#id_platform").select_option("顺丰")
    person.get_by_role("button", name="提交申请").click()
    # A wrong check digit is told on its field, in words a person can act on.
    expect(person.locator(".field.has-error", has=person.locator("#id_id_number"))).to_contain_text(
        "校验位"
    )
    snap(person, "individuals-01-check-digit")
    person.locator("#id_id_number").fill(factories.make_id_number(birth="19900101"))
    person.get_by_role("button", name="提交申请").click()
    expect(person.get_by_test_id("apply-sent")).to_be_visible()
    fits(person)
    snap(person, "individuals-02-sent")
    assert IndividualApplication.objects.filter(name="韦小宝").exists()

    # 2. The city's cadre, on a phone: the list, three ticked, approved.
    cadre = new_context(phone=True).new_page()
    cadre.goto("/individuals/")
    log_in(cadre, "city_cadre", factories.PASSWORD)
    table = cadre.get_by_test_id("application-list")
    expect(table).to_contain_text("韦小宝")
    fits(cadre)
    for box in table.locator("input[name=ids]").all():
        box.check()
    snap(cadre, "individuals-03-cadre-list")
    cadre.get_by_test_id("approve").click()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    expect(cadre.locator(".messages")).to_contain_text(tomorrow.isoformat())
    fits(cadre)
    snap(cadre, "individuals-04-approved")
    # The status tabs: the approved ones are under "Approved", and the page still fits.
    cadre.get_by_test_id("status-tabs").get_by_role("link", name="已审批").click()
    expect(cadre.get_by_test_id("application-list")).to_contain_text("韦小宝")
    fits(cadre)
    snap(cadre, "individuals-05-approved-tab")
    approved = IndividualApplication.objects.filter(status=ApplicationStatus.APPROVED)
    assert approved.count() == 3
    enrolment = approved.first().enrolment
    assert enrolment.status == EnrolmentStatus.IN_FORCE
    assert enrolment.coverage_start == tomorrow
