"""The bank transfer file of a payout batch (SPEC §10), read back from the real files:
.xlsx with openpyxl (amounts are numbers with two decimals, accounts stay text), .csv
with the csv module (UTF-8 with BOM, so Excel opens the Chinese)."""

from __future__ import annotations

import csv
from decimal import Decimal

import openpyxl
import pytest

from claims import bankfile
from claims.models import LineStatus, PayoutLine
from claims.services import payouts, steps
from tests.claims.payout_support import approved_claims

pytestmark = pytest.mark.django_db

AMOUNTS = ["45000.00", "1234.50", "0.10", "88888.88"]
NAMES = ["王建国", "李秀英", '=HYPERLINK("x")', "张伟"]


@pytest.fixture
def batch(world, seed_plans):
    claims = approved_claims(world, seed_plans["gx_designated_disease"], AMOUNTS, names=NAMES)
    batch = payouts.batch_build(actor=world.actor(world.finance), tenant_id=world.tenant.pk)
    assert batch.line_count == len(claims)
    return batch


def expected_rows(batch):
    lines = PayoutLine.objects.filter(batch=batch).select_related("claim__member").order_by("id")
    return [
        (
            line.payee_name,
            line.bank_account,
            line.bank_name,
            line.amount,
            line.claim.number,
            line.claim.member.name,
        )
        for line in lines
    ]


def test_rows_come_in_line_order_with_payee_account_bank_amount_claim(batch, world):
    rows = list(bankfile.bank_rows(batch))
    assert [r[0] for r in rows] == [1, 2, 3, 4]
    assert [(r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows] == expected_rows(batch)
    assert {r[7] for r in rows} == {world.unit.name}
    assert all(r[5] in r[8] for r in rows)  # the purpose names the claim
    assert sum(r[4] for r in rows) == batch.total == sum(Decimal(a) for a in AMOUNTS)


def test_bank_rows_is_one_query_whatever_the_size(batch, django_assert_num_queries):
    # One server-side cursor over the lines joined to claim, member and unit.
    with django_assert_num_queries(1):
        assert len(list(bankfile.bank_rows(batch))) == 4


def test_xlsx_has_numbers_with_two_decimals_and_text_accounts(batch, tmp_path):
    path = tmp_path / "bank.xlsx"
    assert bankfile.write_xlsx(batch, path) == 4
    sheet = openpyxl.load_workbook(path).active
    cells = list(sheet.iter_rows(values_only=False))
    # Row 1: the title (batch number, count, total); row 2: headers; then the payees.
    assert batch.number in cells[0][0].value and "4" in cells[0][0].value
    assert [c.value for c in cells[1]] == bankfile.headers()
    body = cells[2:]
    assert len(body) == 4
    for row, (payee, account, bank, amount, number, member) in zip(
        body, expected_rows(batch), strict=True
    ):
        assert row[1].value == payee
        assert row[2].value == account and row[2].data_type == "s"  # text: every digit kept
        assert row[3].value == bank
        # A number (Excel sums it), shown with two decimals, equal to the Decimal to the fen.
        assert row[4].data_type == "n" and isinstance(row[4].value, int | float)
        assert row[4].number_format == "0.00"
        assert Decimal(str(row[4].value)).quantize(Decimal("0.01")) == amount
        assert row[5].value == number and row[6].value == member
    assert not (tmp_path / "bank.xlsx.part").exists()


def test_csv_is_utf8_with_bom_and_reads_back(batch, tmp_path):
    path = tmp_path / "bank.csv"
    assert bankfile.write_csv(batch, path) == 4
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel looks for
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == bankfile.headers()
    expected = expected_rows(batch)
    assert len(rows) == 1 + len(expected)
    for row, (payee, account, bank, amount, number, member) in zip(rows[1:], expected, strict=True):
        if payee.startswith("="):
            # A name that starts like a formula never runs as one in Excel.
            assert row[1] == "'" + payee
        else:
            assert row[1] == payee
        assert (row[2], row[3], row[5]) == (account, bank, number)
        assert row[4] == f"{amount:.2f}" and Decimal(row[4]) == amount
        assert row[6] in (member, "'" + member)


def test_settled_lines_are_not_sent_to_the_bank_again(batch, world, tmp_path):
    """A failed line goes back to the queue and a paid one is done: neither is in the file."""
    payouts.batch_approve(actor=world.actor(world.finance2), batch=batch)
    first, second, *_rest = PayoutLine.objects.filter(batch=batch).order_by("id")
    payouts.line_mark_failed(actor=world.actor(world.finance2), line=first, reason="户名不符")
    payouts.lines_mark_paid(
        actor=world.actor(world.finance2),
        batch=batch,
        paid_on=steps.today(),
        line_ids=[second.pk],
    )
    rows = list(bankfile.bank_rows(batch))
    assert len(rows) == 2
    assert {r[5] for r in rows} == set(
        PayoutLine.objects.filter(batch=batch, status=LineStatus.PENDING).values_list(
            "claim__number", flat=True
        )
    )
    assert bankfile.write_csv(batch, tmp_path / "b.csv") == 2
    assert bankfile.write_xlsx(batch, tmp_path / "b.xlsx") == 2


def test_file_names_carry_the_batch_number(batch):
    assert batch.number in bankfile.filename(batch, "xlsx")
    assert bankfile.filename(batch, "csv").endswith(".csv")


def test_only_an_approved_batch_goes_to_the_bank(batch, world):
    from mutualaid.core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        bankfile.check_sendable(batch)  # built by finance, nobody approved it yet
    assert set(refused.value.message_dict) == {"non_field_errors"}
    approved = payouts.batch_approve(actor=world.actor(world.finance2), batch=batch)
    bankfile.check_sendable(approved)


@pytest.mark.parametrize(
    "name",
    [
        "claims:batch_bank_xlsx",
        "claims:batch_bank_csv",
        "claims:batch_notices",
        "claims:batch_detail",
    ],
)
def test_an_agent_asking_for_the_office_s_bank_file_gets_404_not_403(batch, world, login, name):
    """SPEC §1: out of reach answers like missing (issue 14: a school agent got 403, which
    says the batch exists). Office staff without the role still get 403."""
    from django.urls import reverse

    url = reverse(name, args=[batch.pk])
    assert login(world.agent).get(url).status_code == 404
    assert login(world.reviewer).get(url).status_code == 403
