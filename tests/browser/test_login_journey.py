"""The login journey in a real browser: a unit agent and the office admin (on a phone).

Screenshots of each step go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.helpers import horizontal_overflow, log_in, snap

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_login_journey(world, page, new_context, live_server):
    base = live_server.url

    # 1. The home page sends an anonymous visitor to the login page, in Chinese by default.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#id_username")).to_be_visible()
    expect(page.get_by_test_id("who")).to_have_count(0)
    snap(page, "journey-01-login-page")

    # 2. A wrong password: Django's own message, translated to Chinese, and no session.
    log_in(page, "agent", "not-the-password")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    error = page.locator("ul.errorlist")
    expect(error).to_be_visible()
    expect(error).to_contain_text("用户名")
    expect(error).to_contain_text("密码")
    expect(page.get_by_test_id("who")).to_have_count(0)
    snap(page, "journey-02-login-error")

    # 3. The right password: home page, with name and organisation path in the header.
    log_in(page, "agent", factories.PASSWORD)
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_test_id("who")).to_have_text(str(world.agent))
    expect(page.get_by_test_id("orgpath")).to_have_text(
        f"{world.tenant.name} / {world.city.name} / {world.county.name} / {world.unit.name}"
    )
    expect(page.locator("details.menu")).to_have_attribute("open", "")  # desktop: menu unfolded
    snap(page, "journey-03-home-desktop")

    # 4. The same session on a phone: the menu starts folded.
    phone = new_context(phone=True, storage_state=page.context.storage_state()).new_page()
    phone.goto("/")
    expect(phone.get_by_test_id("who")).to_have_text(str(world.agent))
    expect(phone.locator("details.menu")).not_to_have_attribute("open", re.compile(".*"))
    expect(phone.locator("nav.mainnav")).to_be_hidden()
    snap(phone, "journey-04-home-phone-menu-folded")
    phone.context.close()

    # 5. Organisations: the agent's own unit, not the sibling unit under the same county.
    page.locator("nav.mainnav").get_by_role("link", name=re.compile("Organisations|组织")).click()
    expect(page).to_have_url(f"{base}/org/")
    table = page.locator("main table")
    expect(table).to_contain_text(world.unit.name)
    expect(table).not_to_contain_text(world.sibling_unit.name)
    expect(table).not_to_contain_text(world.other_county_unit.name)
    snap(page, "journey-05-organisations")

    # 6. Switch to English: the same page comes back with English navigation.
    page.locator("form.lang button[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{base}/org/")
    nav = page.locator("nav.mainnav")
    expect(nav.get_by_role("link", name="Home", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Organisations", exact=True)).to_be_visible()
    expect(page.locator("form.lang button[value=zh-hans]")).to_have_text("中文")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    snap(page, "journey-06-organisations-english")

    # 7. Log out: back on the login page, and the home page asks for a login again.
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_test_id("who")).to_have_count(0)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    snap(page, "journey-07-logged-out")


def test_office_admin_home_on_phone(world, phone_page):
    page = phone_page
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    snap(page, "phone-01-login")
    log_in(page, "office_admin", factories.PASSWORD)
    expect(page.get_by_test_id("who")).to_have_text(str(world.office_admin))

    # Nothing sticks out sideways on a 390 px wide screen.
    assert page.evaluate("window.innerWidth") == 390
    overflow = horizontal_overflow(page)
    assert overflow["scrollWidth"] <= overflow["innerWidth"] + 1, overflow

    # The menu is folded, and a tap opens it.
    menu = page.locator("details.menu")
    assert menu.evaluate("el => el.open") is False
    expect(page.locator("nav.mainnav")).to_be_hidden()
    snap(page, "phone-02-admin-home-menu-folded")

    page.locator("details.menu > summary").tap()
    expect(menu).to_have_attribute("open", "")
    nav = page.locator("nav.mainnav")
    expect(nav).to_be_visible()
    # The office admin sees the admin-only entries too.
    expect(nav.locator("a[href='/users/']")).to_be_visible()
    expect(nav.locator("a[href='/audit/']")).to_be_visible()
    overflow = horizontal_overflow(page)
    assert overflow["scrollWidth"] <= overflow["innerWidth"] + 1, overflow
    snap(page, "phone-03-admin-menu-open")

    # Not asserted, for the screenshot review: the organisation tree on a phone.
    nav.locator("a[href='/org/']").tap()
    expect(page).to_have_url(re.compile(r"/org/$"))
    snap(page, "phone-04-admin-organisations")
