"""Helpers shared by the benefit-engine tests (pure Python, no Django)."""

from __future__ import annotations

import copy
import csv
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from plans.rules import PlanTerms, PolicySnapshot, new_policy_snapshot
from plans.seed_plans import plan_by_key

#: /work/shared/acceptance, resolved from the repository root (tests/plans/ → repo → ..).
ACCEPTANCE_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "acceptance"


def read_acceptance(name: str) -> list[dict[str, str]]:
    with (ACCEPTANCE_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def one_year_from(start: date) -> date:
    """Last covered day of a 12-month period starting on ``start`` (no 29 Feb in our cases)."""
    return date(start.year + 1, start.month, start.day) - timedelta(days=1)


def seed_terms(key: str) -> PlanTerms:
    return PlanTerms.from_dict(plan_by_key(key)["version"]["terms"])


def seed_policy(
    key: str, *, shares: int = 1, start: date = date(2026, 3, 16), **kwargs: Any
) -> PolicySnapshot:
    plan = plan_by_key(key)
    return new_policy_snapshot(
        terms=PlanTerms.from_dict(plan["version"]["terms"]),
        start=start,
        end=kwargs.pop("end", one_year_from(start)),
        shares=shares,
        plan_name=plan["name"],
        **kwargs,
    )


def minimal_terms(**overrides: Any) -> dict[str, Any]:
    """A small valid version (one fixed_per_share item); override any top-level key."""
    terms: dict[str, Any] = {
        "term_months": 12,
        "sale_mode": "shares",
        "premium_per_share": "40.00",
        "max_shares": 5,
        "uniform_shares": True,
        "max_shares_if_not_uniform": None,
        "renewal_keeps_previous_shares": False,
        "waiting_period": {"days": 0},
        "report_deadline_days": {"default": 10},
        "renewal": {"deadline_days_before_end": 0},
        "mid_term_addition": "prorate_monthly",
        "resignation_ends_cover": False,
        "covered_conditions": [{"code": "cancer", "name": "恶性肿瘤"}],
        "benefit_items": [
            {
                "code": "disease",
                "name": "重大疾病",
                "events": ["illness"],
                "conditions": ["cancer"],
                "formula": "fixed_per_share",
                "params": {"amount": "10000.00"},
            }
        ],
    }
    terms.update(copy.deepcopy(overrides))
    return terms


def item(code: str, formula: str, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A benefit item answering ``illness`` unless ``events`` is given."""
    return {
        "code": code,
        "name": extra.pop("name", code),
        "events": extra.pop("events", ["illness"]),
        "formula": formula,
        "params": params,
        **extra,
    }


def terms_with_items(*items: dict[str, Any], **overrides: Any) -> PlanTerms:
    return PlanTerms.from_dict(minimal_terms(benefit_items=list(items), **overrides))
