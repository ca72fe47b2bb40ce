"""An office admin builds a plan in a real browser and runs the calculator on it.

Plan → version (terms form) → two benefit items (forms that fit their formulas) →
publish → calculator → the amount. Screenshots of each step go to
``test-artifacts/screenshots/plans-*.png``; the plan card is also taken in print media.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from plans.models import Plan, VersionStatus
from tests import factories
from tests.browser.helpers import horizontal_overflow, log_in, snap

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_office_admin_builds_a_plan_and_assesses_a_claim(world, page, live_server):
    base = live_server.url
    page.goto("/plans/")
    log_in(page, "office_admin", factories.PASSWORD)
    expect(page).to_have_url(f"{base}/plans/")
    snap(page, "plans-01-empty-catalogue")

    # 1. The plan.
    page.locator("main a[href='/plans/new/']").click()
    page.locator("#id_code").fill("gx_browser")
    page.locator("#id_name").fill("广西职工指定疾病(手术)互助保障计划(测试)")
    page.locator("#id_short_name").fill("指定疾病(测试)")
    snap(page, "plans-02-new-plan")
    page.locator("main form.stack button[type=submit]").click()
    plan = Plan.objects.get(code="gx_browser")
    expect(page).to_have_url(f"{base}/plans/{plan.pk}/versions/new/")

    # 2. The version's terms; the first try has a negative premium and is refused on its field.
    page.locator("#id_label").fill("2026年版")
    page.locator("#id_valid_from").fill("2026-01-01")
    page.locator("#id_premium_per_share").fill("-40")
    page.locator("#id_max_shares").fill("5")
    page.locator("#id_waiting_days").fill("120")
    page.locator("#id_report_days_accident").fill("3")
    page.locator("#id_covered_conditions").fill(
        "malignant_tumour 原发性恶性肿瘤\ncoronary_stent 冠状动脉支架植入术"
    )
    page.locator("#id_exclusions").fill("pre_existing 参保前已患有保障范围内的疾病")
    page.locator("#id_waiting_consolation_amount").fill("500")
    page.locator("form.terms-form button[type=submit]").click()
    premium = page.locator(".field.has-error", has=page.locator("#id_premium_per_share"))
    expect(premium).to_contain_text("每份保费不能为负数")
    snap(page, "plans-03-terms-refused")
    page.locator("#id_premium_per_share").fill("40")
    page.locator("form.terms-form button[type=submit]").click()
    expect(page.get_by_test_id("plan-card")).to_be_visible()
    version = plan.versions.get()
    card_url = f"{base}/plans/{plan.pk}/versions/{version.pk}/"
    expect(page).to_have_url(card_url)
    expect(page.get_by_test_id("publication-problems")).to_contain_text("至少需要一个给付项目")
    snap(page, "plans-04-draft-card")

    # 3. Two benefit items, each with the form of its formula.
    page.get_by_role("link", name=re.compile("Add a benefit item|添加给付项目")).click()
    page.locator("#id_formula").select_option("fixed_per_share")
    page.locator("form.formula-choice button[type=submit]").click()
    page.locator("#id_code").fill("designated_disease")
    page.locator("#id_name").fill("指定疾病")
    page.locator("input[name=events][value=illness]").check()
    page.locator("input[name=conditions][value=malignant_tumour]").check()
    page.locator("#id_p-amount").fill("15000")
    snap(page, "plans-05-item-fixed-per-share")
    page.get_by_test_id("save-item").click()
    expect(page).to_have_url(card_url)

    page.get_by_role("link", name=re.compile("Add a benefit item|添加给付项目")).click()
    page.locator("#id_formula").select_option("band_lump_sum")
    page.locator("form.formula-choice button[type=submit]").click()
    page.locator("#id_code").fill("hospital_stay")
    page.locator("#id_name").fill("住院慰问金")
    page.locator("input[name=events][value=hospital_stay]").check()
    page.locator("#id_p-band_1_lower").fill("3000")
    page.locator("#id_p-band_1_upper").fill("10000")
    page.locator("#id_p-band_1_value").fill("2000")
    snap(page, "plans-06-item-band-lump-sum")
    page.get_by_test_id("save-item").click()
    expect(page).to_have_url(card_url)
    table = page.get_by_test_id("benefit-table")
    expect(table).to_contain_text("每份给付 ¥15,000.00")
    expect(table).to_contain_text("3,000元以上、10,000元以下给付 ¥2,000.00")
    expect(page.get_by_test_id("publication-problems")).to_have_count(0)
    snap(page, "plans-07-draft-card-with-items")

    # 4. Publish; the card then offers a copy instead of edits.
    page.get_by_role("link", name=re.compile("^(Publish|发布)$")).click()
    snap(page, "plans-08-publish-confirm")
    page.get_by_test_id("publish").click()
    expect(page).to_have_url(card_url)
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED
    expect(page.locator("a[href$='/edit/']")).to_have_count(0)
    snap(page, "plans-09-published-card")

    # 5. The calculator: 3 shares, a tumour after the 120-day wait → 3 × ¥15,000.
    page.get_by_role("link", name=re.compile("(Calculator|测算器)")).first.click()
    expect(page).to_have_url(re.compile(r"/plans/calculator/\?version="))
    form = page.get_by_test_id("calculator-form")
    expect(form.locator("#id_version")).to_have_value(str(version.pk))
    form.locator("#id_shares").fill("3")
    form.locator("#id_effective_date").fill("2026-03-16")
    form.locator("#id_event_kind").select_option("illness")
    form.locator("#id_event_date").fill("2026-08-01")
    form.locator("#id_condition").select_option("malignant_tumour")
    page.get_by_test_id("assess").click()
    expect(page.get_by_test_id("total")).to_have_text("¥45,000.00")
    expect(page.get_by_test_id("explanation")).to_contain_text("3 份 × ¥15,000.00 = ¥45,000.00")
    expect(page.get_by_test_id("four-eyes")).to_be_visible()
    snap(page, "plans-10-calculator-result")

    # The same form inside the wait: the consolation, and the reason.
    form.locator("#id_event_date").fill("2026-05-01")
    page.get_by_test_id("assess").click()
    expect(page.get_by_test_id("total")).to_have_text("¥500.00")
    expect(page.get_by_test_id("assessment")).to_contain_text("免责期")
    snap(page, "plans-11-calculator-waiting-period")


def test_seed_plan_card_on_screen_print_and_phone(world, page, new_context):
    plans = factories.load_seed_plans(world)
    version = plans["sx_union_cadres"].versions.get()
    url = f"/plans/{version.plan_id}/versions/{version.pk}/"
    page.goto(url)
    log_in(page, "agent", factories.PASSWORD)
    expect(page.get_by_test_id("plan-card")).to_contain_text("绍兴市工会干部互助保障计划")
    expect(page.get_by_test_id("plan-notes")).to_contain_text("假定")
    snap(page, "plans-20-seed-card")
    page.emulate_media(media="print")
    expect(page.locator("header.topbar")).to_be_hidden()
    snap(page, "plans-21-seed-card-print")
    page.emulate_media(media="screen")

    # The calculator without a version: pick one, and htmx reloads the form with its
    # conditions (the B7 case of benefits.csv: ¥35,000 self-paid → 3 × ¥2,000).
    page.goto("/plans/calculator/")
    form = page.get_by_test_id("calculator-form")
    form.locator("#id_version").select_option(str(version.pk))
    form.get_by_role("button", name=re.compile("Use this version|使用此版本")).click()
    expect(form.locator("#id_version")).to_have_value(str(version.pk))
    expect(form.locator("#id_condition option", has_text="非典型肺炎")).to_have_count(0)
    expect(form.locator("#id_condition option", has_text="急性心肌梗塞")).to_have_count(1)
    form = page.get_by_test_id("calculator-form")
    form.locator("#id_effective_date").fill("2026-01-10")
    form.locator("#id_event_kind").select_option("illness")
    form.locator("#id_event_date").fill("2026-06-01")
    form.locator("#id_condition").select_option("malignant_tumour")
    form.locator("#id_self_paid").fill("35000")
    page.get_by_test_id("assess").click()
    expect(page.get_by_test_id("total")).to_have_text("¥6,000.00")
    snap(page, "plans-25-calculator-seed-plan")

    page.goto("/plans/")
    expect(page.get_by_test_id("plan-list")).to_contain_text("绍兴市工会干部互助保障计划")
    snap(page, "plans-22-catalogue")

    phone = new_context(phone=True, storage_state=page.context.storage_state()).new_page()
    phone.goto(url)
    expect(phone.get_by_test_id("plan-card")).to_be_visible()
    snap(phone, "plans-23-seed-card-phone")
    phone.goto(f"/plans/calculator/?version={version.pk}")
    overflow = horizontal_overflow(phone)
    assert overflow["scrollWidth"] <= overflow["innerWidth"] + 1, overflow
    snap(phone, "plans-24-calculator-phone")
