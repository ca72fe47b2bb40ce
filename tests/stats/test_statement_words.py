"""The fund statement and the monthly return are headed "项目" (a line of the statement),
not "给付项目" (a benefit item of a plan): one English word, two meanings, two contexts.
Their files carry Chinese names and no English words (issue 14)."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import unquote

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from stats import services
from stats.models import StatisticalReturn
from tests.premiums.pdfcheck import text_of
from tests.stats.test_fund import shaoxing  # noqa: F401 - fixture
from tests.stats.test_returns import calendar  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def rows_of(response) -> list[list]:
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def filename_of(response) -> str:
    disposition = response["Content-Disposition"]
    assert "filename*=UTF-8''" in disposition, disposition
    return unquote(disposition.split("filename*=UTF-8''", 1)[1])


def test_fund_statement_is_headed_item_not_benefit_item(shaoxing, world, login):  # noqa: F811
    client = login(world.city_cadre)
    page = client.get(reverse("stats:fund_statement", args=[shaoxing.pk, 2026])).content.decode()
    assert "<th>项目</th>" in page and "给付项目" not in page
    pdf = client.get(reverse("stats:fund_statement_pdf", args=[shaoxing.pk, 2026]))
    text = "".join(text_of(pdf.content).split())
    assert "项目" in text and "给付项目" not in text
    sheet = client.get(reverse("stats:fund_statement_xlsx", args=[shaoxing.pk, 2026]))
    header = rows_of(sheet)[1]
    assert header[:3] == ["序号", "项目", "金额（元）"]
    assert filename_of(sheet).startswith("互助金收支情况-")


def test_monthly_return_speaks_chinese_in_page_and_file(stats_world, calendar, login):  # noqa: F811
    services.returns_daily(today=dt.date(2026, 11, 2))
    ret = StatisticalReturn.objects.get(organisation=stats_world.w.city)
    client = login(stats_world.w.city_cadre)
    page = client.get(reverse("stats:return_detail", args=[ret.pk])).content.decode()
    assert "<th>项目</th>" in page and "给付项目" not in page
    response = client.get(reverse("stats:return_xlsx", args=[ret.pk]))
    rows = rows_of(response)
    assert rows[1][0] == "项目"
    labels = [row[0] for row in rows[2:] if row[0]]
    assert any("（截至 " in label for label in labels), labels
    assert not any("as of" in label for label in labels), labels
    assert "统计月报" in rows[0][0]
    assert filename_of(response).startswith(f"统计月报-{stats_world.w.city.name}-")
