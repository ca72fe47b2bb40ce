"""Payout notices (给付通知书, SPEC §8.5): the text read back with pypdf shows the member,
the payee, the engine's assessment and the amount in Chinese capitals; the ID number
and the account are masked; a batch's notices come in one PDF, a page per claim."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from claims import access, documents
from claims.services import payouts
from mutualaid import pdf
from mutualaid.core.cleaning import mask_id_number
from tests.claims.payout_support import CARD, approved_claim, approved_claims
from tests.premiums.pdfcheck import fonts_of, glyph_ids, text_of

pytestmark = pytest.mark.django_db


def squeeze(text: str) -> str:
    """pypdf may break lines or put spaces between CJK glyphs: compare without them."""
    return "".join(text.split())


@pytest.fixture
def approved(world, covered):
    member, plan, _policy = covered
    return approved_claim(world, member, plan)


def test_notice_of_one_claim_reads_back(approved, world):
    data = documents.notice_pdf(approved, actor=world.actor(world.reviewer))
    assert data.startswith(b"%PDF")
    text = squeeze(text_of(data))
    member = approved.member
    assert member.name in text
    assert approved.number in text and approved.report.number in text
    assert "人民币肆万伍仟元整" in text  # 45,000.00 in capitals
    assert "¥45,000.00" in text
    assert mask_id_number(member.id_number) in text
    assert member.id_number not in text  # even for a reviewer, who may see it on screen
    assert CARD not in text and CARD[-4:] in text  # the account masked, its end shown
    assert "中国工商银行梧州分行" in text
    # The engine's explanation and items are on it.
    for line in approved.assessment["lines"]:
        assert squeeze(line["item_name"]) in text
    assert squeeze(approved.assessment["explanation"][0]) in text


def test_notice_uses_only_the_bundled_font(approved):
    data = documents.notice_pdf(approved)
    assert fonts_of(data) == {pdf.FONT_FAMILY.replace(" ", "-")}
    assert 0 not in glyph_ids(data), "a character is missing from the font"


def test_a_claim_without_an_approved_amount_has_no_notice(world, covered):
    from tests.claims.payout_support import submitted_claim

    member, plan, _ = covered
    claim = submitted_claim(world, member, plan)
    assert not access.has_notice(claim)
    with pytest.raises(ValueError):
        documents.notice_pdf(claim)


def test_a_batch_prints_every_notice_in_one_pdf_in_line_order(world, covered, seed_plans):
    member, plan, _ = covered
    first = approved_claim(world, member, plan)
    others = approved_claims(world, plan, ["1234.50", "300.00"], names=["李秀英", "张伟"])
    batch = payouts.batch_build(actor=world.actor(world.finance), tenant_id=world.tenant.pk)
    assert batch.line_count == 3
    data = documents.batch_notices_pdf(batch)
    reader = PdfReader(io.BytesIO(data))
    pages = [squeeze(page.extract_text() or "") for page in reader.pages]
    assert len(pages) >= 3
    text = "".join(pages)
    for claim, capitals in (
        (first, "人民币肆万伍仟元整"),
        (others[0], "人民币壹仟贰佰叁拾肆元伍角整"),
        (others[1], "人民币叁佰元整"),
    ):
        assert claim.member.name in text and claim.number in text
        assert capitals in text
        assert batch.number in text
    # Line order: the first page starting with a claim's notice belongs to the first line.
    starts = [
        next(c.number for c in (first, *others) if c.number in page)
        for page in pages
        if any(c.number in page for c in (first, *others))
    ]
    order = list(batch.lines.order_by("id").values_list("claim__number", flat=True))
    assert list(dict.fromkeys(starts)) == order


def test_batch_notices_query_count_does_not_grow_with_the_claims(
    world, seed_plans, django_assert_num_queries
):
    plan = seed_plans["gx_designated_disease"]
    approved_claims(world, plan, ["100.00"] * 5)
    batch = payouts.batch_build(actor=world.actor(world.finance), tenant_id=world.tenant.pk)
    # 1 the lines with their claims, members, units, plans, reports, tenants, policies and
    # versions (one join); 1 the batch's tenant for the footer.
    with django_assert_num_queries(2):
        documents.batch_notices_pdf(batch)
