"""Lists on a phone (issue 14): at 390 px the enrolment list squeezed its unit and plan to
one character per line. Now a row is a card: each value under its column's name, the
first one (the unit) across the card, and nothing sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.helpers import horizontal_overflow, log_in, snap

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_enrolment_list_is_cards_on_a_phone(world, phone_page):
    plan = factories.make_plan(world.office)
    members = [factories.make_member(world.unit, name=f"会员{n}") for n in range(3)]
    factories.make_enrolment(world.unit, plan, members=members, shares=2)
    page = phone_page
    page.goto("/accounts/login/")
    log_in(page, "agent", factories.PASSWORD)
    page.goto("/enrolments/")
    table = page.locator("main table")
    expect(table).to_have_class("cards")
    row = table.locator("tbody tr").first
    expect(page.locator("main thead")).to_be_hidden()
    unit_cell = row.locator("td").first
    expect(unit_cell).to_contain_text(world.unit.name)
    # The unit's name runs across the card: one line, not a column of single characters.
    box = unit_cell.bounding_box()
    assert box["width"] > 300 and box["height"] < 60, box
    # Every other value is labelled with its column's name.
    labels = row.locator("td").evaluate_all(
        "cells => cells.slice(1).map(c => c.getAttribute('data-label'))"
    )
    assert labels and all(labels), labels
    overflow = horizontal_overflow(page)
    assert overflow["scrollWidth"] <= overflow["innerWidth"] + 1, overflow
    snap(page, "phone-enrolment-list-cards")
