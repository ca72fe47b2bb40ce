"""The payout notice goes to the member: it says what was paid and why, not how the office
approves (issue 14: "给付金额超过 ¥10,000.00, 须经两人审批" was printed on it). The
reviewer's page keeps the whole explanation."""

from __future__ import annotations

import pytest

from claims import documents
from plans.rules.assessment import explanation_for_member
from tests.claims.payout_support import approved_claim
from tests.premiums.pdfcheck import text_of

pytestmark = pytest.mark.django_db


def squeeze(text: str) -> str:
    return "".join(text.split())


def test_notice_leaves_out_the_office_s_approval_lines(world, covered):
    member, plan, _policy = covered
    claim = approved_claim(world, member, plan)  # ¥45,000: above the ¥10,000 threshold
    internal = [line for line in claim.assessment["explanation"] if "须经两人审批" in line]
    assert internal, "the engine's explanation names the second approval"
    text = squeeze(text_of(documents.notice_pdf(claim)))
    assert "两人审批" not in text and "须经" not in text
    # What the member needs is still there: the items and the total.
    assert "合计应给付¥45,000.00" in text or "合计应给付" in text
    for line in claim.assessment["lines"]:
        assert squeeze(line["item_name"]) in text


@pytest.mark.parametrize(
    ("sentence", "kept"),
    [
        ("给付金额超过 ¥10,000.00, 须经两人审批", False),
        ("本案含管委会决定金额的项目, 须经两人审批", False),
        ("  此项须经两人审批", False),
        ("  缺少事实: 待管委会研究决定金额", False),
        ("合计应给付 ¥45,000.00", True),
        ("给付后, 该会员在本计划的保障终止", True),
    ],
)
def test_which_sentences_reach_the_member(sentence, kept):
    assert (explanation_for_member([sentence]) == [sentence]) is kept
