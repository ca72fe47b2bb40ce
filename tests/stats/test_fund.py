"""The fund statement: the arithmetic as a table of cases, then the Shaoxing plan's 80/20 rule
end to end (page, PDF for the public notice, .xlsx)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from plans.demo import load_seed_plan
from stats import documents
from stats.fund import Reserves, allocate, fund_statement
from stats.refresh import summaries_refresh
from tests import factories
from tests.premiums.pdfcheck import text_of
from tests.stats.conftest import AS_OF, pay

D = Decimal
SHAOXING = [
    {"purpose": "health_and_recuperation", "label": "组织疗休养和健康检查", "share": "0.80"},
    {"purpose": "carried_forward", "label": "滚存下一年度使用", "share": "0.20"},
]


@pytest.mark.parametrize(
    ("income", "payouts", "opening", "closing", "surplus", "amounts"),
    [
        # 1,200 − 200 − (151.23 − 0) = 848.77 → 80 % 679.02 (679.016), 20 % takes the rest.
        ("1200.00", "200.00", (0, 0), ("151.23", 0), "848.77", ["679.02", "169.75"]),
        # Reserves falling release money into the surplus.
        ("1000.00", "900.00", ("300.00", "100.00"), ("50.00", 0), "450.00", ["360.00", "90.00"]),
        # One fen: 80 % rounds to 0.01, the rest is 0.00.
        ("0.01", "0.00", (0, 0), (0, 0), "0.01", ["0.01", "0.00"]),
        # A deficit allocates nothing.
        ("1000.00", "1500.00", (0, 0), (0, 0), "-500.00", []),
        # Exactly nothing left: nothing to allocate either.
        ("1000.00", "1000.00", (0, 0), (0, 0), "0.00", []),
    ],
)
def test_surplus_and_its_allocation(income, payouts, opening, closing, surplus, amounts):
    s = fund_statement(
        year=2026,
        closing_on=dt.date(2026, 12, 31),
        premium_income=D(income),
        payouts=D(payouts),
        opening=Reserves(D(str(opening[0])), D(str(opening[1]))),
        closing=Reserves(D(str(closing[0])), D(str(closing[1]))),
        rule=SHAOXING,
    )
    assert s.surplus == D(surplus)
    assert [line.amount for line in s.allocation] == [D(a) for a in amounts]
    assert sum((line.amount for line in s.allocation), D("0")) == (D(surplus) if amounts else 0)
    assert not s.provisional


def test_without_a_rule_everything_is_carried_forward():
    lines, default = allocate(D("123.45"), None)
    assert default and [(line.purpose, line.amount) for line in lines] == [
        ("carried_forward", D("123.45"))
    ]


def test_money_is_never_float():
    with pytest.raises(TypeError):
        fund_statement(
            year=2026,
            closing_on=dt.date(2026, 12, 31),
            premium_income=1.5,
            payouts=D(0),
            opening=Reserves(),
            closing=Reserves(),
            rule=None,
        )


@pytest.fixture
def shaoxing(world):
    """The Shaoxing cadres' plan (local to the city) with one ¥1,200 cover paid 2026-01-05
    (cover 2026-01-06 … 2027-01-05) and one ¥200 payout."""
    plan, _ = load_seed_plan("sx_union_cadres", tenant=world.tenant, owner=world.city)
    member = factories.make_member(world.unit, name="钱干部")
    policy = factories.make_policy(member, plan, start=dt.date(2026, 1, 6), end=dt.date(2027, 1, 5))
    pay(policy, "1200.00", dt.date(2026, 1, 5))
    factories.make_claim(
        member, plan, status="paid", amount="200.00", event_date=dt.date(2026, 5, 1)
    )
    summaries_refresh(tenant_id=world.tenant.pk, as_of=AS_OF)
    return plan


@pytest.mark.django_db
def test_shaoxing_statement_allocates_80_20(shaoxing):
    s = documents.statement_for(plan=shaoxing, year=2026)
    assert s.premium_income == D("1200.00")
    assert s.payouts == D("200.00")
    # 46 of the 365 days are still to run after 2026-11-20: 1,200 × 46 / 365 = 151.23.
    assert s.closing.unearned_premium == D("151.23")
    assert s.surplus == D("848.77")
    assert [(line.label, line.amount) for line in s.allocation] == [
        ("组织疗休养和健康检查", D("679.02")),
        ("滚存下一年度使用", D("169.75")),
    ]
    assert s.provisional  # the year runs to the reference day
    assert s.payout_ratio == D("16.7")


@pytest.mark.django_db
def test_statement_page_pdf_and_xlsx(shaoxing, world, login):
    client = login(world.city_cadre)  # the plan is the city's: its cadres see the whole fund
    page = client.get(reverse("stats:fund_statement", args=[shaoxing.pk, 2026]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="fund-line-5">¥848.77' in html
    assert "¥679.02" in html and "¥169.75" in html

    pdf = client.get(reverse("stats:fund_statement_pdf", args=[shaoxing.pk, 2026]))
    assert pdf["Content-Type"] == "application/pdf"
    text = text_of(pdf.content)
    assert "绍兴市工会干部互助保障计划" in text
    for amount in ("1,200.00", "848.77", "679.02", "169.75"):
        assert amount in text, amount
    assert "组织疗休养和健康检查" in text and "80%" in text

    sheet = client.get(reverse("stats:fund_statement_xlsx", args=[shaoxing.pk, 2026]))
    rows = [
        list(r)
        for r in load_workbook(io.BytesIO(b"".join(sheet.streaming_content)), read_only=True)
        .worksheets[0]
        .iter_rows(values_only=True)
    ]
    by_number = {row[0]: row[2] for row in rows[2:] if row[0]}
    assert by_number["1"] == 1200.0 and by_number["2"] == 200.0 and by_number["5"] == 848.77
    assert [row[2] for row in rows if row[0] == "6"] == [679.02, 169.75]


@pytest.mark.django_db
def test_who_may_read_a_fund_statement(shaoxing, world, login):
    url = reverse("stats:fund_statement", args=[shaoxing.pk, 2026])
    assert login(world.office_admin).get(url).status_code == 200  # above the owner
    assert login(world.county_cadre).get(url).status_code == 404  # below it: part of the fund only
    assert login(world.agent).get(url).status_code == 403  # no money or statistics role
    assert login(world.other_tenant_admin).get(url).status_code == 404
    assert (
        login(world.city_cadre)
        .get(reverse("stats:fund_statement", args=[shaoxing.pk, 2019]))
        .status_code
        == 404
    )
    listing = login(world.city_cadre).get(reverse("stats:fund_list")).content.decode()
    assert "绍兴市工会干部互助保障计划" in listing and ">2026<" in listing
