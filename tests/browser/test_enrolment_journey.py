"""An enrolment from a roster file to acceptance, in a real browser, with the real worker.

The unit's agent uploads a roster with errors, reads them (row and column), imports the
valid rows and submits; the county cadre checks; the office accepts. Screenshots of each
step go to ``test-artifacts/screenshots/enrolment-*.png``.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from enrolment.models import EnrolmentLine, EnrolmentStatus
from tests import factories
from tests.browser.helpers import log_in, snap
from tests.enrolment.support import new_enrolment
from tests.enrolment.test_upload import XLSX, roster_xlsx
from tests.enrolment.test_upload import _id as fresh_id

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


class Ids:
    def __init__(self):
        self.ok1, self.wide, self.ok2, self.dup = fresh_id(), fresh_id(), fresh_id(), fresh_id()
        self.as_number = fresh_id(digits_only=True)
        bad = fresh_id()
        self.bad = bad[:-1] + ("0" if bad[-1] != "0" else "1")


def _login(new_context, user):
    page = new_context().new_page()
    page.goto("/accounts/login/")
    log_in(page, user.username, factories.PASSWORD)
    return page


def test_an_uploaded_roster_goes_from_the_unit_to_the_office(
    world, new_context, live_server, celery_worker_thread
):
    plans = factories.load_seed_plans(world)
    enrolment = new_enrolment(
        world.actor(world.agent), factories.make_unit(world.unit), plans["gx_designated_disease"]
    )
    ids = Ids()
    detail = f"/enrolments/{enrolment.pk}/"

    # 1. The agent opens the draft and goes to the upload page.
    page = _login(new_context, world.agent)
    page.goto(detail)
    page.get_by_test_id("upload-roster").click()
    expect(page).to_have_url(re.compile(r"/upload/$"))
    expect(page.get_by_test_id("download-template")).to_be_visible()
    snap(page, "enrolment-01-upload-page")

    # 2. A roster with a merged title, a number-stored ID, full-width digits, a duplicate and
    #    a wrong check digit: the check runs in the background, then shows what is wrong.
    page.set_input_files(
        "#id_file",
        files=[{"name": "甲县医院花名册.xlsx", "mimeType": XLSX, "buffer": roster_xlsx(ids)}],
    )
    page.get_by_test_id("upload-submit").click()
    expect(page.get_by_test_id("rows-invalid")).to_have_text("4", timeout=30_000)
    expect(page.get_by_test_id("rows-valid")).to_have_text("3")
    errors = page.get_by_test_id("upload-errors")
    expect(errors.locator("tbody tr")).to_have_count(4)
    first = errors.locator("tbody tr").first
    expect(first.locator("td").nth(0)).to_have_text("5")
    expect(first.locator("td").nth(1)).to_have_text("C (身份证号码)")
    expect(page.get_by_test_id("import-all")).to_be_disabled()
    expect(page.get_by_test_id("download-errors")).to_be_visible()
    assert EnrolmentLine.objects.filter(enrolment=enrolment).count() == 0  # the check wrote nothing
    snap(page, "enrolment-02-preview-with-errors")

    # 3. The errors file downloads.
    with page.expect_download() as download:
        page.get_by_test_id("download-errors").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    # 4. Import only the valid rows: back on the enrolment, three members on the roster.
    page.get_by_test_id("import-valid").click()
    expect(page).to_have_url(re.compile(rf"{detail}$"), timeout=30_000)
    expect(page.get_by_test_id("member-total")).to_have_text("3")
    expect(page.locator(".messages")).to_be_visible()
    snap(page, "enrolment-03-imported")

    # 5. Submit.
    page.get_by_test_id("step-submit").click()
    expect(page.get_by_test_id("status")).to_have_text(re.compile("已提交|Submitted"))
    snap(page, "enrolment-04-submitted")

    # 6. The county cadre checks it.
    cadre = _login(new_context, world.county_cadre)
    cadre.goto(detail)
    expect(cadre.get_by_test_id("upload-roster")).to_have_count(0)
    cadre.get_by_test_id("step-check").click()
    expect(cadre.get_by_test_id("status")).to_have_text(re.compile("已核定|核定|Checked"))
    snap(cadre, "enrolment-05-checked-by-county")

    # 7. The office accepts it.
    office = _login(new_context, world.office_admin)
    office.goto(detail)
    office.get_by_test_id("step-accept").click()
    expect(office.get_by_test_id("status")).to_have_text(re.compile("已受理|受理|Accepted"))
    snap(office, "enrolment-06-accepted-by-office")
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACCEPTED and enrolment.member_count == 3

    # 8. The agent exports the unit's roster from the enrolment list (masked numbers).
    page.goto("/enrolments/")
    page.get_by_test_id("roster-export").click()
    snap(page, "enrolment-07-export-form")
