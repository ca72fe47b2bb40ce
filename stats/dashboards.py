"""The dashboard pages of a node, assembled from the selectors into tables and charts.

Three pages per node (each a handful of indexed reads of the summaries, see
docs/benchmarks.md): the overview (headline figures, members covered by plan and year,
money by month), claims (by plan and by child node) and coverage (by child node,
ownership type and industry; units enrolled and blank spots). The same builders serve
the .xlsx download of each table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mutualaid.tenancy.models import Organisation, OrganisationKind
from stats import selectors, tables
from stats.models import SummaryRefresh

PAGES = ("overview", "claims", "coverage")
#: Which page builds each downloadable table.
TABLE_PAGES = {
    "plan_year": "overview",
    "monthly": "overview",
    "claims_by_plan": "claims",
    "claims_by_node": "claims",
    "coverage_by_node": "coverage",
    "coverage_by_ownership": "coverage",
    "coverage_by_industry": "coverage",
}


@dataclass
class Dashboard:
    node: Organisation
    page: str
    refresh: SummaryRefresh | None
    year: int
    years: list[int]
    tables: list[tables.Table] = field(default_factory=list)
    totals: selectors.Totals | None = None
    coverage: selectors.Coverage | None = None

    @property
    def year_choices(self) -> list[int]:
        return sorted(set(self.years) | {self.year}, reverse=True)

    def table(self, key: str) -> tables.Table | None:
        return next((t for t in self.tables if t.key == key), None)


def choose_year(raw, years: list[int], refresh: SummaryRefresh | None) -> int:
    default = refresh.as_of.year if refresh else timezone.localdate().year
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return default
    return year if year in years or year == default else default


def build(*, node: Organisation, page: str, year_param=None) -> Dashboard:
    refresh = selectors.last_refresh(tenant_id=node.tenant_id)
    years = selectors.node_years(node=node) if page != "coverage" else []
    year = choose_year(year_param, years, refresh)
    board = Dashboard(node=node, page=page, refresh=refresh, year=year, years=years)
    if page == "overview":
        _overview(board)
    elif page == "claims":
        _claims(board)
    else:
        _coverage(board)
    return board


def _overview(board: Dashboard) -> None:
    node, year = board.node, board.year
    board.totals = selectors.node_totals(node=node, year=year)
    board.coverage = selectors.coverage(node=node, breakdown=False).total
    shown_years = sorted({y for y in board.years if y <= year} | {year}, reverse=True)[
        : selectors.YEARS_SHOWN
    ]
    by_plan_year = selectors.totals_by_plan_year(node=node, years=shown_years)
    by_year = selectors.totals_by_year(node=node, years=shown_years)
    plans = selectors.plans_named({plan_id for plan_id, _y in by_plan_year})
    board.tables = [
        tables.plan_year_table(
            plans=plans, years=shown_years, figures=by_plan_year, totals_by_year=by_year
        ),
        tables.monthly_table(
            year=year, by_month=selectors.totals_by_month(node=node, year=year), total=board.totals
        ),
    ]


def _claims(board: Dashboard) -> None:
    node, year = board.node, board.year
    board.totals = selectors.node_totals(node=node, year=year)
    by_plan = selectors.totals_by_plan(node=node, year=year)
    plans = selectors.plans_named(by_plan)
    board.tables = [
        tables.claims_table(
            key="claims_by_plan",
            title=_("Claims by plan"),
            first=_("Plan"),
            groups=[(p.display_name, by_plan[p.pk]) for p in plans],
            total=board.totals,
        )
    ]
    if node.kind != OrganisationKind.UNIT:
        children = selectors.totals_by_child(node=node, year=year)
        table = tables.claims_table(
            key="claims_by_node",
            title=_("Claims by organisation"),
            first=_("Organisation"),
            groups=[(g.label, g.totals) for g in children],
            total=board.totals,
        )
        table.links = [
            f"{reverse('stats:claims', args=[g.organisation.pk])}?year={year}" for g in children
        ]
        board.tables.append(table)


def _coverage(board: Dashboard) -> None:
    cov = selectors.coverage(node=board.node)
    board.coverage = cov.total
    if board.node.kind != OrganisationKind.UNIT:
        table = tables.coverage_table(
            key="coverage_by_node",
            title=_("Coverage by organisation"),
            first=_("Organisation"),
            groups=cov.by_node,
            total=cov.total,
            enrolled_chart=True,
        )
        table.links = [reverse("stats:coverage", args=[g.organisation.pk]) for g in cov.by_node]
        board.tables.append(table)
    board.tables += [
        tables.coverage_table(
            key="coverage_by_ownership",
            title=_("Coverage by ownership type"),
            first=_("Ownership"),
            groups=cov.by_ownership,
            total=cov.total,
        ),
        tables.coverage_table(
            key="coverage_by_industry",
            title=_("Coverage by industry"),
            first=_("Industry"),
            groups=cov.by_industry,
            total=cov.total,
        ),
    ]
