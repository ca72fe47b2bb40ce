"""The API token page and the docs page in a real browser, on a desktop and a phone: an
office admin makes a service account and a token for it, sees the secret once, revokes it;
the docs page needs a login and leads back to the portal. Screenshots:
``test-artifacts/screenshots/api-tokens-*.png``."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests import factories
from tests.browser.helpers import log_in, snap

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_an_office_admin_makes_a_token_for_a_service_account(world, new_context, phone):
    page = new_context(phone=phone).new_page()
    page.goto("/api/docs/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/api/docs/"))
    log_in(page, world.office_admin.username, factories.PASSWORD)
    expect(page.get_by_test_id("back-to-portal")).to_be_visible()
    expect(page.locator("#swagger-ui")).to_contain_text("职工互助保障", timeout=15_000)
    snap(page, f"api-tokens-docs-{'phone' if phone else 'desktop'}")

    page.get_by_role("link", name="接口令牌").first.click()
    expect(page).to_have_url(re.compile(r"/account/tokens/$"))
    account = "bank-sync" + ("-m" if phone else "")
    page.locator("#id_username").fill(account)
    page.locator("#id_display_name").fill("银行对账")
    page.get_by_label("财务", exact=True).check()
    page.get_by_role("button", name="创建服务账号").click()
    expect(page.locator(".messages")).to_contain_text("已创建")

    page.locator("#id_name").fill("银行对账系统")
    page.locator("#id_service_account").select_option(label=f"银行对账 ({account})")
    page.get_by_role("button", name="创建令牌").click()
    secret = page.locator("code.secret").inner_text()
    assert secret.startswith("mah_")
    snap(page, f"api-tokens-created-{'phone' if phone else 'desktop'}")
    api = Client(HTTP_AUTHORIZATION=f"Token {secret}")
    assert api.get("/api/v1/me/").json()["roles"] == ["finance"]

    page.goto("/account/tokens/")
    expect(page.locator("code.secret")).to_have_count(0)
    row = page.locator("tr", has_text="银行对账系统")
    row.get_by_role("button", name="撤销").click()
    expect(page.locator("tr", has_text="银行对账系统")).to_contain_text("已撤销")
    assert api.get("/api/v1/me/").status_code == 401
    snap(page, f"api-tokens-revoked-{'phone' if phone else 'desktop'}")
