"""Waiting periods: the W1 row, share tranches, renewals and staged waits (SPEC §3, §5, §7)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from plans.rules import (
    ClaimFacts,
    PolicySnapshot,
    ReasonCode,
    ShareTranche,
    assess,
    build_tranches,
    waiting_period_end,
)

from .support import item, one_year_from, read_acceptance, seed_policy, seed_terms, terms_with_items

W1 = next(r for r in read_acceptance("deadlines.csv") if r["case"] == "W1")


def test_w1_first_covered_day() -> None:
    start = date.fromisoformat(W1["start"])
    assert waiting_period_end(start, int(W1["n"])) == date.fromisoformat(W1["expected"])


@pytest.mark.parametrize(
    "event_date, total, reason",
    [
        # 2026-07-13 is still inside the 120-day wait: only the ¥500 consolation.
        ("2026-07-13", "500.00", ReasonCode.IN_WAITING_PERIOD),
        # 2026-07-14 is the first covered day: 3 × ¥15,000.
        ("2026-07-14", "45000.00", None),
    ],
)
def test_w1_through_the_engine(event_date: str, total: str, reason: ReasonCode | None) -> None:
    policy = seed_policy("gx_designated_disease", shares=3, start=date.fromisoformat(W1["start"]))
    result = assess(
        policy, ClaimFacts("illness", date.fromisoformat(event_date), condition="malignant_tumour")
    )
    assert result.total == Decimal(total)
    assert (reason in result.reasons) if reason else not result.reasons


def test_zero_day_wait_covers_from_the_first_day() -> None:
    assert waiting_period_end(date(2026, 3, 16), 0) == date(2026, 3, 16)
    with pytest.raises(ValueError):
        waiting_period_end(date(2026, 3, 16), -1)


def test_renewal_in_time_skips_the_wait_for_held_shares_only() -> None:
    start = date(2027, 3, 16)
    tranches = build_tranches(
        start=start, shares=5, waiting_days=120, previous_shares=3, renewed_in_time=True
    )
    assert tranches == (
        ShareTranche(3, start, start),
        ShareTranche(2, start, date(2027, 7, 14)),
    )


def test_late_renewal_waits_again() -> None:
    start = date(2027, 4, 20)
    assert build_tranches(
        start=start, shares=3, waiting_days=120, previous_shares=3, renewed_in_time=False
    ) == (ShareTranche(3, start, start + timedelta(days=120)),)


def test_only_shares_past_their_wait_are_paid() -> None:
    # Renewed 3 shares in time, added 2 at renewal; diagnosis 30 days in.
    policy = seed_policy(
        "gx_designated_disease",
        shares=5,
        start=date(2027, 3, 16),
        previous_shares=3,
        renewed_in_time=True,
    )
    result = assess(policy, ClaimFacts("illness", date(2027, 4, 15), condition="malignant_tumour"))
    assert result.total == Decimal("45000.00")
    assert ReasonCode.IN_WAITING_PERIOD in result.reasons
    # something else was payable, so no waiting-period consolation
    assert [line.item_code for line in result.lines] == ["designated_disease"]


def test_mid_term_tranche_has_its_own_wait_and_start() -> None:
    terms = seed_terms("gx_designated_disease")
    start = date(2026, 3, 16)
    added = date(2026, 6, 1)
    policy = PolicySnapshot(
        terms=terms,
        start=start,
        end=one_year_from(start),
        tranches=(
            ShareTranche(2, start, start + timedelta(days=120)),
            ShareTranche(1, added, added + timedelta(days=120)),
        ),
    )
    # Before the added tranche starts it is not held; after the first wait only 2 shares count.
    assert assess(
        policy, ClaimFacts("illness", date(2026, 8, 1), condition="coronary_stent")
    ).total == Decimal("6000.00")
    # After both waits: 3 shares.
    assert assess(
        policy, ClaimFacts("illness", date(2026, 10, 1), condition="coronary_stent")
    ).total == Decimal("9000.00")


def test_items_without_waiting_pay_from_day_one() -> None:
    policy = seed_policy("gx_comprehensive", shares=2, start=date(2026, 3, 16))
    facts = ClaimFacts("death", date(2026, 3, 20), cause="accident")
    result = assess(policy, facts)
    # 意外伤害身故 2 × 5,000 + 身故保障(意外) 2 × 5,000; neither waits.
    assert result.total == Decimal("20000.00")
    assert result.ends_cover


def test_shaoxing_wait_is_for_critical_illness_only() -> None:
    policy = seed_policy("sx_union_cadres", start=date(2026, 1, 10))
    inside = date(2026, 2, 8)  # day 30: still waiting (first covered day 2026-02-09)
    illness = assess(
        policy,
        ClaimFacts("illness", inside, condition="malignant_tumour", self_paid=Decimal(50000)),
    )
    assert illness.total == 0 and illness.reasons == (ReasonCode.IN_WAITING_PERIOD,)
    stay = assess(
        policy, ClaimFacts("hospital_stay", inside, cause="illness", self_paid=Decimal(5000))
    )
    assert stay.total == Decimal("2000.00")
    covered = assess(
        policy,
        ClaimFacts(
            "illness", date(2026, 2, 9), condition="malignant_tumour", self_paid=Decimal(50000)
        ),
    )
    assert covered.total == Decimal("10000.00")


STAGED = {
    "waiting_period": {
        "days": 60,
        "stages": [
            {"until_day": 30, "benefit": "none"},
            {
                "until_day": 60,
                "benefit": "consolation",
                "amount": "1000.00",
                "per_share": True,
                "ends_cover": True,
            },
        ],
    },
}


@pytest.mark.parametrize(
    "day_number, total, ends_cover",
    [
        (1, "0.00", False),
        (30, "0.00", False),  # days 1–30: nothing
        (31, "3000.00", True),  # days 31–60: ¥1,000/份, cover ends
        (60, "3000.00", True),
        (61, "30000.00", False),  # afterwards the full benefit
    ],
)
def test_staged_waiting_period(day_number: int, total: str, ends_cover: bool) -> None:
    terms = terms_with_items(
        item("disease", "fixed_per_share", {"amount": "10000.00"}, conditions=["cancer"]), **STAGED
    )
    start = date(2026, 3, 16)
    policy = PolicySnapshot(
        terms=terms,
        start=start,
        end=one_year_from(start),
        tranches=build_tranches(start=start, shares=3, waiting_days=60),
    )
    result = assess(
        policy, ClaimFacts("illness", start + timedelta(days=day_number - 1), condition="cancer")
    )
    assert result.total == Decimal(total), "\n".join(result.explanation)
    assert result.ends_cover is ends_cover
