"""One table of eligibility cases for the roster rules and the renewal job (SPEC §3, §5, §7).

A case is a member's facts on the first day of a period (``start``), the plan's terms for
that period, what else the member holds or is enrolled in (``cover``), and the verdict:

- ``refused``: the codes ``enrolment.rules.check_batch`` reports for the member on a new
  enrolment starting that day, in its order (empty: accepted);
- at renewal — a draft of an enrolment in force that ended the day before — the member
  continues when ``refused`` is empty, else is left out with the first of those problems,
  in the same words ("dropped from the draft with a reason", SPEC §7);
- ``renewal``: SPEC §7's own reason (died, left the employer, moved to another unit),
  which a renewal gives first, whatever the plan's terms. A new enrolment's roster rules
  judge the employment status only by the plan's ``in_service_only`` (SPEC §3), and a
  member registered in another unit is refused before the rules run.

Boundaries follow SPEC §3: 以上 / 以下 include the number, so a member exactly at the age
band's edge on the first day is in, ages are full years on that day (a 29 February
birthday counts from 1 March in other years), and cover that ends the day before the
period, or starts the day after it, does not overlap it.

``test_eligibility_cases.py`` runs every case through ``check_batch``, through the
renewal job's SQL (``enrolment.renewals``) and through the agent's renewal
(``enrolment_create(kind="renewal")``), and asserts they agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from enrolment.policies import requested_period

D = dt.date
START = D(2026, 3, 16)  # the new period's first day, unless a case says otherwise
GROUP = "gx_core"  # the exclusive group of the cover cases' plans

#: Every case's plan: shares sold one by one at ¥40, no share-set rule (those are roster
#: rules, not the member's), paid by the period's last day.
BASE_TERMS = MappingProxyType(
    {"uniform_shares": False, "max_shares": 5, "max_shares_if_not_uniform": None}
)
TIERS = {
    "sale_mode": "tiers",
    "premium_per_share": None,
    "max_shares": None,
    "renewal_keeps_previous_shares": None,
    "tiers": [
        {"code": "t26", "name": "26元档", "premium": "26.00"},
        {"code": "t50", "name": "50元档", "premium": "50.00"},
    ],
}
AGES_18_TO_60 = {"min_age": 18, "max_age": 60}
WOMEN_45_WORKERS_IN_SERVICE = {
    "sex": "F",
    "max_age": 45,
    "member_categories": ["worker"],
    "in_service_only": True,
}


@dataclass(frozen=True)
class Cover:
    """What the member holds (``policy``) or is on an open enrolment of (not ``policy``)
    besides: in this plan (``"same"``), another plan of its exclusive group (``"group"``)
    or a plan of no group (``"other"``), for a 12-month term from ``start``."""

    plan: str
    policy: bool
    start: dt.date

    @property
    def end(self) -> dt.date:
        return requested_period(self.start, 12).end


@dataclass(frozen=True)
class Case:
    id: str
    about: str
    eligibility: Mapping[str, Any] = field(default_factory=dict)
    terms: Mapping[str, Any] = field(default_factory=dict)  # other terms than BASE_TERMS
    start: dt.date = START
    sex: str = "female"
    birth: dt.date = D(1980, 1, 1)
    category: str = "worker"
    status: str = "in_service"
    moved: bool = False  # transferred to another unit since last year
    shares: int = 1
    tier: str = ""
    cover: Cover | None = None
    refused: tuple[str, ...] = ()
    renewal: str | None = None

    def plan_terms(self) -> dict[str, Any]:
        """The terms of the plan version in force from ``start`` (factories.plan_terms keys)."""
        return {**BASE_TERMS, **self.terms, "eligibility": dict(self.eligibility)}

    @property
    def renewal_code(self) -> str | None:
        """Why a renewal leaves the member out (None: the member continues)."""
        return self.renewal or (self.refused[0] if self.refused else None)


CASES = (
    # --- Age band 18–60 on the first day (以上 / 以下 include the number) ---------------------
    Case("age-18-today", "18 on the first day", AGES_18_TO_60, birth=D(2008, 3, 16)),
    Case("age-18-yesterday", "18 the day before", AGES_18_TO_60, birth=D(2008, 3, 15)),
    Case(
        "age-18-tomorrow",
        "17 on the first day, 18 the day after",
        AGES_18_TO_60,
        birth=D(2008, 3, 17),
        refused=("age_below_minimum",),
    ),
    Case("age-60-today", "60 on the first day", AGES_18_TO_60, birth=D(1966, 3, 16)),
    Case(
        "age-61-tomorrow",
        "still 60 on the first day, 61 the day after",
        AGES_18_TO_60,
        birth=D(1965, 3, 17),
    ),
    Case(
        "age-61-today",
        "61 on the first day",
        AGES_18_TO_60,
        birth=D(1965, 3, 16),
        refused=("age_above_maximum",),
    ),
    Case(
        "age-61-yesterday",
        "61 the day before",
        AGES_18_TO_60,
        birth=D(1965, 3, 15),
        refused=("age_above_maximum",),
    ),
    Case(
        "age-leap-1-march",
        "born 29 Feb: 18 on 1 March of a common year",
        {"min_age": 18},
        start=D(2026, 3, 1),
        birth=D(2008, 2, 29),
    ),
    Case(
        "age-leap-28-february",
        "born 29 Feb: still 17 on 28 February of a common year",
        {"min_age": 18},
        start=D(2026, 2, 28),
        birth=D(2008, 2, 29),
        refused=("age_below_minimum",),
    ),
    Case(
        "age-leap-max-28-february",
        "born 29 Feb: still 61 on 28 February, the band's top",
        {"max_age": 61},
        start=D(2026, 2, 28),
        birth=D(1964, 2, 29),
    ),
    Case(
        "age-leap-max-1-march",
        "born 29 Feb: 62 on 1 March",
        {"max_age": 61},
        start=D(2026, 3, 1),
        birth=D(1964, 2, 29),
        refused=("age_above_maximum",),
    ),
    Case(
        "age-start-29-february-in",
        "a period from 29 February: born 28 February 18 years before is 18",
        {"min_age": 18},
        start=D(2028, 2, 29),
        birth=D(2010, 2, 28),
    ),
    Case(
        "age-start-29-february-out",
        "a period from 29 February: born 1 March 18 years before is 17",
        {"min_age": 18},
        start=D(2028, 2, 29),
        birth=D(2010, 3, 1),
        refused=("age_below_minimum",),
    ),
    # --- Sex and category --------------------------------------------------------------------
    Case("sex-woman-womens-plan", "a woman, women's plan (女职工)", {"sex": "F"}),
    Case(
        "sex-man-womens-plan",
        "a man, women's plan (E5)",
        {"sex": "F"},
        sex="male",
        refused=("sex_not_eligible",),
    ),
    Case(
        "sex-woman-mens-plan",
        "a woman, men's plan",
        {"sex": "M"},
        refused=("sex_not_eligible",),
    ),
    Case(
        "category-listed",
        "a migrant worker, migrant workers' plan",
        {"member_categories": ["migrant_worker"]},
        category="migrant_worker",
    ),
    Case(
        "category-not-listed",
        "a worker, migrant workers' plan",
        {"member_categories": ["migrant_worker"]},
        refused=("category_not_eligible",),
    ),
    Case(
        "category-two-listed",
        "a union cadre, plan for workers and new forms of employment",
        {"member_categories": ["worker", "new_employment"]},
        category="union_cadre",
        refused=("category_not_eligible",),
    ),
    # --- Employment status and unit --------------------------------------------------------
    Case("status-in-service", "in service, in-service plan", {"in_service_only": True}),
    Case(
        "status-retired-in-service-plan",
        "retired, in-service plan",
        {"in_service_only": True},
        status="retired",
        refused=("not_in_service",),
    ),
    Case("status-retired", "retired, plan open to retirees", status="retired"),
    Case(
        "status-left",
        "left the employer, plan open to all statuses",
        status="left",
        renewal="left_employer",
    ),
    Case(
        "status-left-in-service-plan",
        "left the employer, in-service plan",
        {"in_service_only": True},
        status="left",
        refused=("not_in_service",),
        renewal="left_employer",
    ),
    Case("status-died", "deceased, plan open to all statuses", status="died", renewal="deceased"),
    Case(
        "status-died-in-service-plan",
        "deceased, in-service plan",
        {"in_service_only": True},
        status="died",
        refused=("not_in_service",),
        renewal="deceased",
    ),
    Case("moved", "moved to another unit", moved=True, renewal="moved"),
    Case(
        "moved-retired",
        "moved to another unit and retired, in-service plan",
        {"in_service_only": True},
        status="retired",
        moved=True,
        refused=("not_in_service",),
        renewal="moved",
    ),
    # --- Shares and tiers ----------------------------------------------------------------------
    Case("shares-at-max", "3 shares, at most 3 (以内)", terms={"max_shares": 3}, shares=3),
    Case(
        "shares-over-max",
        "4 shares, at most 3",
        terms={"max_shares": 3},
        shares=4,
        refused=("shares_max",),
    ),
    Case("tier-sold", "a tier the plan sells", terms=TIERS, tier="t50"),
    Case(
        "tier-withdrawn",
        "a tier the new version no longer sells",
        terms=TIERS,
        tier="t74",
        refused=("tier_invalid",),
    ),
    # --- Several problems: every one for a new enrolment, the first at renewal ---------------
    Case(
        "many-all",
        "a retired union cadre, a man of 46, women workers' plan up to 45, in service",
        WOMEN_45_WORKERS_IN_SERVICE,
        sex="male",
        category="union_cadre",
        status="retired",
        refused=(
            "sex_not_eligible",
            "age_above_maximum",
            "category_not_eligible",
            "not_in_service",
        ),
    ),
    Case(
        "many-age-first",
        "a retired union cadre, a woman of 46",
        WOMEN_45_WORKERS_IN_SERVICE,
        category="union_cadre",
        status="retired",
        refused=("age_above_maximum", "category_not_eligible", "not_in_service"),
    ),
    Case(
        "many-status-then-shares",
        "a retired woman of 40 with 4 shares of at most 3",
        WOMEN_45_WORKERS_IN_SERVICE,
        terms={"max_shares": 3},
        birth=D(1986, 1, 1),
        status="retired",
        shares=4,
        refused=("not_in_service", "shares_max"),
    ),
    Case(
        "many-died",
        "deceased, and 46",
        WOMEN_45_WORKERS_IN_SERVICE,
        status="died",
        refused=("age_above_maximum", "not_in_service"),
        renewal="deceased",
    ),
    # --- Cover held or enrolled for over the period (E4; no overlap in the same plan) -------
    Case(
        "cover-group-policy",
        "holds another plan of the group over the period",
        terms={"exclusive_group": GROUP},
        cover=Cover("group", True, D(2026, 1, 1)),
        refused=("exclusive_group",),
    ),
    Case(
        "cover-group-policy-ends-day-before",
        "another plan of the group, ending the day before the period",
        terms={"exclusive_group": GROUP},
        cover=Cover("group", True, D(2025, 3, 16)),
    ),
    Case(
        "cover-group-policy-from-last-day",
        "another plan of the group, from the period's last day",
        terms={"exclusive_group": GROUP},
        cover=Cover("group", True, D(2027, 3, 15)),
        refused=("exclusive_group",),
    ),
    Case(
        "cover-group-policy-from-day-after",
        "another plan of the group, from the day after the period",
        terms={"exclusive_group": GROUP},
        cover=Cover("group", True, D(2027, 3, 16)),
    ),
    Case(
        "cover-group-enrolled",
        "on an open enrolment of another plan of the group",
        terms={"exclusive_group": GROUP},
        cover=Cover("group", False, D(2026, 6, 1)),
        refused=("exclusive_group",),
    ),
    Case(
        "cover-same-enrolled",
        "on another open enrolment of this plan",
        terms={"exclusive_group": GROUP},
        cover=Cover("same", False, D(2026, 6, 1)),
        refused=("already_enrolled",),
    ),
    Case(
        "cover-same-policy",
        "already holds this plan from the first day",
        terms={"exclusive_group": GROUP},
        cover=Cover("same", True, START),
        refused=("overlapping_cover",),
    ),
    Case(
        "cover-other-plan",
        "holds a plan of no group over the period",
        terms={"exclusive_group": GROUP},
        cover=Cover("other", True, D(2026, 1, 1)),
    ),
    Case(
        "cover-and-sex",
        "a man holding another plan of the group, women's plan: the sex first",
        {"sex": "F"},
        terms={"exclusive_group": GROUP},
        sex="male",
        cover=Cover("group", True, D(2026, 1, 1)),
        refused=("sex_not_eligible", "exclusive_group"),
    ),
    Case(
        "cover-and-died",
        "deceased, holding another plan of the group",
        terms={"exclusive_group": GROUP},
        status="died",
        cover=Cover("group", True, D(2026, 1, 1)),
        refused=("exclusive_group",),
        renewal="deceased",
    ),
)
