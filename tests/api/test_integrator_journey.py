"""Issue 18, "Done when": an integrator's whole enrolment, using only HTTP and tokens made
through the token API, with the real Celery worker running the roster jobs.

A county federation's system signs in once as its cadre to make a token, then only sends
``Authorization: Token …``: it creates a unit, uploads a 1,000-row roster file with 10 bad
rows, reads the preview as JSON (row, column, message), downloads the errors file, imports
the valid rows, submits and checks; the office's token accepts and invoices; the finance
token records the payment; the 990 policies are in force.
"""

from __future__ import annotations

import datetime as dt
import io
import time

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from tests import factories

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

API = "/api/v1/"
ROWS, BAD_ROWS = 1000, {17, 101, 250, 333, 480, 512, 640, 777, 901, 998}  # 1-based data rows


def _token_of(user) -> str:
    """Sign in with the password (the login page), then POST /api/v1/tokens/."""
    browser = Client()
    signed_in = browser.post(
        "/accounts/login/", {"username": user.username, "password": factories.PASSWORD}
    )
    assert signed_in.status_code == 302, signed_in.content
    expires = str(timezone.localdate() + dt.timedelta(days=30))
    made = browser.post(
        API + "tokens/",
        {"name": f"{user.username} 对接", "expires_on": expires},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    return made.json()["secret"]


class Integrator:
    def __init__(self, secret: str):
        self.client = Client(HTTP_AUTHORIZATION=f"Token {secret}")

    @staticmethod
    def _url(path: str) -> str:
        # Relative to /api/v1/, or a whole path or link the API handed back.
        return path if path.startswith(("http", "/")) else API + path

    def get(self, path, **extra):
        return self.client.get(self._url(path), **extra)

    def post(self, path, body=None, expect=200):
        url = self._url(path)
        response = self.client.post(url, body or {}, content_type="application/json")
        assert response.status_code == expect, (path, response.status_code, response.content)
        return response.json()

    def upload(self, path, name, data):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return self.client.post(API + path, {"file": SimpleUploadedFile(name, data)})

    def wait(self, url, *, seconds=120):
        deadline = time.monotonic() + seconds
        while True:
            job = self.get(url).json()
            if job["status"] in ("succeeded", "failed") or time.monotonic() > deadline:
                return job
            time.sleep(0.3)


def _roster_file() -> tuple[bytes, dict[int, str]]:
    """1,000 members in an .xlsx as a federation exports it; 10 ID numbers with a wrong
    check digit. Returns the file and Excel row → the bad number."""
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号码", "份数"])
    bad = {}
    for n in range(1, ROWS + 1):
        # A birthday each (the order code gives only 500 numbers a day and sex).
        birth = dt.date(1975, 1, 1) + dt.timedelta(days=n)
        number = factories.make_id_number(birth=f"{birth:%Y%m%d}")
        if n in BAD_ROWS:
            number = number[:-1] + ("0" if number[-1] != "0" else "1")
            bad[n + 1] = number  # row 1 is the header
        ws.append([f"职工{n:04d}", number, 1])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue(), bad


def test_an_integrator_enrols_a_unit_from_a_roster_file_to_policies_in_force(
    world, celery_worker_thread
):
    plan = factories.load_seed_plans(world)["gx_designated_disease"]
    county = Integrator(_token_of(world.county_cadre))
    office = Integrator(_token_of(world.office_admin))
    finance = Integrator(_token_of(world.finance))

    # 1. A new unit below the county.
    unit = county.post(
        "units/",
        {"parent": str(world.county.pk), "name": "甲县自来水公司工会", "ownership": "state_owned"},
        expect=201,
    )
    start = timezone.localdate() + dt.timedelta(days=10)
    enrolment = county.post(
        "enrolments/",
        {
            "unit": unit["id"],
            "plan": str(plan.pk),
            "start_date": str(start),
            "funding_mode": "union",
        },
        expect=201,
    )
    base = f"enrolments/{enrolment['id']}/"

    # 2. The roster file: 202 Accepted and a job to poll.
    data, bad = _roster_file()
    uploaded = county.upload(base + "roster-files/", "自来水公司花名册.xlsx", data)
    assert uploaded.status_code == 202, uploaded.content
    job_url = API + base + f"roster-files/{uploaded.json()['id']}/"
    assert uploaded.json()["status"] in ("pending", "running", "succeeded")

    # 3. The preview as JSON: counts, and each bad row with its Excel row, column, message.
    job = county.wait(job_url)
    assert job["status"] == "succeeded", job["message"]
    preview = job["preview"]
    assert (preview["total"], preview["valid"], preview["invalid"]) == (1000, 990, 10), preview[
        "errors"
    ][:3]
    assert {e["row"] for e in preview["errors"]} == set(bad)
    assert {(e["column"], e["header"]) for e in preview["errors"]} == {("B", "身份证号码")}
    assert all(e["message"] and e["code"] for e in preview["errors"])
    assert county.get(base + "lines/").json()["results"] == []  # the preview wrote nothing

    # 4. The errors file: the 10 rows as they were.
    errors = county.get(job["errors_file"])
    assert errors.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(errors.streaming_content))).worksheets[0]
    assert sorted(int(r[0]) for r in sheet.iter_rows(min_row=2, values_only=True)) == sorted(bad)

    # 5. All rows are refused (with the page's words); only the valid ones are imported.
    refused = county.post(job["import_url"], {"only_valid": False}, expect=400)
    assert set(refused) == {"only_valid"}
    started = county.post(job["import_url"], {"only_valid": True}, expect=202)
    imported = county.wait(API + base + f"roster-files/{started['id']}/")
    assert imported["status"] == "succeeded", imported["message"]
    assert imported["imported"]["lines_written"] == 990

    # 6. Submit and check (the county), accept and invoice (the office).
    assert county.post(base + "submit/")["status"] == "submitted"
    assert county.post(base + "check/")["status"] == "checked"
    assert office.post(base + "accept/")["status"] == "accepted"
    invoice = office.post(base + "invoice/", expect=201)

    # 7. Finance records the payment; the enrolment comes into force.
    paid = finance.post(
        f"invoices/{invoice['id']}/payments/",
        {
            "bank_reference": "ZLS-2026-001",
            "paid_on": str(timezone.localdate()),
            "amount": invoice["amount"],
        },
        expect=201,
    )
    assert paid["invoice"]["status"] == "paid"
    assert paid["invoice"]["enrolment_status"] == "in_force"

    # 8. The 990 policies are in force, read page by page.
    policies, url = [], "policies/?page_size=500"
    while url:
        page = county.get(url).json()
        policies += page["results"]
        url = page["next"]
    mine = [p for p in policies if p["enrolment"] == enrolment["id"]]
    assert len(mine) == 990 and {p["status"] for p in mine} == {"in_force"}
