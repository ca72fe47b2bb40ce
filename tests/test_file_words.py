"""Files speak Chinese too (issue 14): the text of every kind of PDF the portal makes, and
the file names, sheet names, titles and headers of every .xlsx and .csv, carry no Latin
words outside the crawler's short allowlist (``tests/crawl.py``). Made from the demo data,
through the pages a user downloads them from (the name is the Content-Disposition's)."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from claims.models import Claim, PayoutBatch
from enrolment.models import Enrolment
from mutualaid.tenancy.models import User
from premiums.models import Payment
from stats.dashboards import TABLE_PAGES
from stats.models import StatisticalReturn
from tests.crawl import filename_of, latin_words
from tests.premiums.pdfcheck import text_of

pytestmark = pytest.mark.django_db

#: Words of the demo data itself that a file may repeat (none today).
DATA_WORDS: set[str] = set()


@pytest.fixture
def demo(db):
    call_command("seed_demo", force=True, verbosity=0)


def client_of(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(
        User.objects.get(username=username), backend="django.contrib.auth.backends.ModelBackend"
    )
    return client


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def assert_chinese(what: str, text: str) -> None:
    words = latin_words(text, DATA_WORDS)
    assert not words, f"{what}: Latin words {sorted(set(words))} in {text[:300]!r}"


def check_pdf(response, what: str) -> None:
    assert response.status_code == 200, (what, response.status_code)
    assert response["Content-Type"] == "application/pdf", what
    assert_chinese(f"{what} file name", filename_of(response))
    text = text_of(body(response))
    assert len(text) > 50, what
    assert_chinese(what, text)


def check_xlsx(response, what: str) -> None:
    assert response.status_code == 200, (what, response.status_code)
    assert_chinese(f"{what} file name", filename_of(response))
    book = load_workbook(io.BytesIO(body(response)), read_only=True)
    for sheet in book.worksheets:
        assert_chinese(f"{what} sheet name", sheet.title)
        # The title row and the header row (the first two): what a reader sees first.
        for row in sheet.iter_rows(min_row=1, max_row=2, values_only=True):
            assert_chinese(f"{what} header", " ".join(str(v) for v in row if v is not None))


def test_every_pdf_kind_speaks_chinese(demo):
    finance = client_of("gx_finance")
    admin = client_of("gx_admin")
    payment = Payment.objects.filter(tenant__slug="guangxi").exclude(receipt_number="").first()
    check_pdf(finance.get(reverse("premiums:receipt", args=[payment.pk])), "receipt")
    enrolment = Enrolment.objects.filter(tenant__slug="guangxi", status="in_force").first()
    check_pdf(admin.get(reverse("premiums:certificate", args=[enrolment.pk])), "certificate")
    claim = Claim.objects.filter(
        tenant__slug="guangxi", status__in=("approved", "in_batch", "paid")
    ).first()
    check_pdf(admin.get(reverse("claims:claim_notice", args=[claim.pk])), "payout notice")
    batch = PayoutBatch.objects.filter(tenant__slug="guangxi").first()
    check_pdf(finance.get(reverse("claims:batch_notices", args=[batch.pk])), "batch notices")
    from plans.models import Plan

    zj_admin = client_of("zj_admin")
    plan = Plan.objects.get(tenant__slug="zhejiang", code="sx_union_cadres")
    check_pdf(
        zj_admin.get(reverse("stats:fund_statement_pdf", args=[plan.pk, 2026])), "fund statement"
    )


def test_every_spreadsheet_has_chinese_names_and_headers(demo):
    finance = client_of("gx_finance")
    admin = client_of("gx_admin")
    batch = PayoutBatch.objects.filter(
        tenant__slug="guangxi", status__in=("approved", "closed")
    ).first()
    check_xlsx(finance.get(reverse("claims:batch_bank_xlsx", args=[batch.pk])), "bank file")
    bank_csv = finance.get(reverse("claims:batch_bank_csv", args=[batch.pk]))
    assert bank_csv.status_code == 200
    assert_chinese("bank csv file name", filename_of(bank_csv))
    header = next(csv.reader(io.StringIO(body(bank_csv).decode("utf-8-sig"))))
    assert_chinese("bank csv header", " ".join(header))
    office = User.objects.get(username="gx_admin").staff.organisation
    for table in TABLE_PAGES:
        check_xlsx(
            admin.get(reverse("stats:table_xlsx", args=[office.pk, table])), f"table {table}"
        )
    check_xlsx(admin.get(reverse("stats:blank_spots_xlsx", args=[office.pk])), "blank spots")
    zj_admin = client_of("zj_admin")
    from plans.models import Plan

    plan = Plan.objects.get(tenant__slug="zhejiang", code="sx_union_cadres")
    check_xlsx(
        zj_admin.get(reverse("stats:fund_statement_xlsx", args=[plan.pk, 2026])), "fund xlsx"
    )
    ret = StatisticalReturn.objects.filter(tenant__slug="guangxi").first()
    check_xlsx(admin.get(reverse("stats:return_xlsx", args=[ret.pk])), "monthly return")
    agent = client_of("cw_hospital_agent")
    draft = Enrolment.objects.filter(
        organisation=User.objects.get(username="cw_hospital_agent").staff.organisation,
        status="draft",
    ).first()
    check_xlsx(agent.get(reverse("enrolments:upload_template", args=[draft.pk])), "template")


def test_the_roster_export_and_the_errors_file(demo):
    from enrolment import exports
    from enrolment.roster.errors_file import build_errors_xlsx
    from mutualaid.jobs.services import job_create
    from mutualaid.tenancy.scoping import actor_for

    user = User.objects.get(username="cw_hospital_agent")
    actor = actor_for(user)
    job = job_create(actor=actor, kind=exports.KIND, title="花名册导出", params={"unit": ""})
    from django.utils import translation

    with translation.override("zh-hans"):
        outcome = exports.run_export(job, lambda *a: None, actor)
    assert_chinese("roster export file name", outcome.download_name)
    book = load_workbook(outcome.file_path, read_only=True)
    for sheet in book.worksheets:
        assert_chinese("roster export sheet", sheet.title)
        for row in sheet.iter_rows(min_row=1, max_row=2, values_only=True):
            assert_chinese("roster export header", " ".join(str(v) for v in row if v))
    with translation.override("zh-hans"):
        errors = load_workbook(io.BytesIO(build_errors_xlsx([], [])), read_only=True)
    for sheet in errors.worksheets:
        for row in sheet.iter_rows(min_row=1, max_row=2, values_only=True):
            assert_chinese("errors file header", " ".join(str(v) for v in row if v))
