"""Acceptance table benefits.csv (B1–B11), read at test time and run through ``assess``.

Each row names a demo plan, the shares held, the effective date, the event in
English, the event date and extra facts; the maps below translate those words
into engine input. A new row whose plan or event is not mapped fails loudly
instead of being skipped.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from decimal import Decimal

import pytest

from plans.rules import ClaimFacts, assess

from .support import read_acceptance, seed_policy

ROWS = read_acceptance("benefits.csv")

PLAN_KEYS = {
    "GX 职工综合": "gx_comprehensive",
    "GX 职工指定疾病(手术)": "gx_designated_disease",
    "GX 农民工": "gx_migrant_workers",
    "GX 女职工安康": "gx_female_workers",
    "GX 团体人身意外伤害": "gx_group_accident",
    "SX 工会干部": "sx_union_cadres",
}

EVENTS: dict[str, dict[str, str]] = {
    "primary malignant tumour (lung)": {"event_kind": "illness", "condition": "malignant_tumour"},
    "primary malignant tumour": {"event_kind": "illness", "condition": "malignant_tumour"},
    "coronary stent": {"event_kind": "illness", "condition": "coronary_stent"},
    "death from a disease not covered": {"event_kind": "death", "cause": "illness"},
    "primary breast cancer": {"event_kind": "illness", "condition": "breast_cancer"},
    "critical illness (malignant tumour)": {
        "event_kind": "illness",
        "condition": "malignant_tumour",
    },
    "hospital stay for another disease": {"event_kind": "hospital_stay", "cause": "illness"},
    "injury death while defending workers' rights": {
        "event_kind": "death",
        "cause": "rights_defence",
    },
}

_FACT_TYPES = {f.name: f.type for f in dataclasses.fields(ClaimFacts)}


def parse_facts(text: str) -> dict[str, object]:
    """ "self_paid=35000; died_within_days=30" → typed ClaimFacts keyword arguments."""
    out: dict[str, object] = {}
    for part in filter(None, (p.strip() for p in re.split(r"[;,]", text))):
        name, value = (s.strip() for s in part.split("=", 1))
        if name not in _FACT_TYPES:
            raise KeyError(f"unknown fact in acceptance row: {name}")
        out[name] = Decimal(value) if "Decimal" in str(_FACT_TYPES[name]) else int(value)
    return out


def parse_shares(text: str) -> tuple[int, bool]:
    """ "3 new" → (3, False); "1 (per person)" → (1, False); "5 renewed" → (5, True)."""
    match = re.match(r"\s*(\d+)", text)
    assert match, f"cannot read shares from {text!r}"
    return int(match.group(1)), "renew" in text


@pytest.mark.parametrize("row", ROWS, ids=[r["case"] for r in ROWS])
def test_benefit_acceptance_row(row: dict[str, str]) -> None:
    shares, renewed = parse_shares(row["shares_and_tranches"])
    policy = seed_policy(
        PLAN_KEYS[row["plan"]],
        shares=shares,
        start=date.fromisoformat(row["effective_date"]),
        previous_shares=shares if renewed else 0,
        renewed_in_time=renewed,
    )
    facts = ClaimFacts(
        event_date=date.fromisoformat(row["event_date"]),
        **EVENTS[row["event"]],
        **parse_facts(row["facts"]),
    )

    result = assess(policy, facts)

    assert result.total == Decimal(row["expected_total"]), "\n".join(result.explanation)
    assert result.total.as_tuple().exponent == -2
    assert result.explanation[-1].startswith("合计应给付") or "合计应给付" in "".join(
        result.explanation
    )


def test_all_rows_present() -> None:
    assert [r["case"] for r in ROWS] == [f"B{i}" for i in range(1, 12)]


EXPECTED_REASONS = {
    "B3": ("IN_WAITING_PERIOD",),
    "B4": ("IN_WAITING_PERIOD",),
    "B10": ("BELOW_THRESHOLD",),
}


@pytest.mark.parametrize("case, reasons", sorted(EXPECTED_REASONS.items()))
def test_rows_not_fully_payable_say_why(case: str, reasons: tuple[str, ...]) -> None:
    row = next(r for r in ROWS if r["case"] == case)
    shares, _ = parse_shares(row["shares_and_tranches"])
    policy = seed_policy(
        PLAN_KEYS[row["plan"]], shares=shares, start=date.fromisoformat(row["effective_date"])
    )
    facts = ClaimFacts(
        event_date=date.fromisoformat(row["event_date"]),
        **EVENTS[row["event"]],
        **parse_facts(row["facts"]),
    )
    assert tuple(str(r) for r in assess(policy, facts).reasons) == reasons
