"""Reads of the statistics summaries. Every figure is an aggregate computed by PostgreSQL.

The caller has already resolved the node with ``stats.access.access_node`` (404 outside
the actor's subtree); the reads here filter on that node and its tenant:

- ``NodeFigures`` rows of the node itself (its subtree's totals per plan and month) and of
  its children (``parent = node``): a few hundred to a few thousand rows at any tenant size;
- ``UnitFigures`` of the units below the node (``path LIKE 'node%'`` on the path index),
  grouped in one pass with GROUPING SETS by child node, ownership and industry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Max, Min, Sum

from members.models import Industry, Ownership
from mutualaid.core.paging import KeysetPage, keyset_page
from mutualaid.tenancy.models import Organisation, OrganisationKind
from plans.models import Plan
from stats.models import NodeFigures, PlanYearReserve, SummaryRefresh, UnitFigures

ZERO = Decimal("0.00")
HUNDRED = Decimal("100")
#: How many years the "members covered by plan and year" table shows.
YEARS_SHOWN = 5
#: Rows of a breakdown shown on a page (the .xlsx has them all) and bars in its chart.
PAGE_ROWS = 100
CHART_BARS = 20

_SUMS = {
    "policies_started": Sum("policies_started"),
    "premium_income": Sum("premium_income"),
    "claims_received": Sum("claims_received"),
    "claims_paid": Sum("claims_paid"),
    "amount_paid": Sum("amount_paid"),
    "largest_payout": Max("largest_payout"),
    "large_payouts": Sum("large_payouts"),
    "paid_with_due": Sum("paid_with_due"),
    "paid_on_time": Sum("paid_on_time"),
}


def rate(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """part / whole as a percentage with one decimal (half-up); None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


@dataclass(frozen=True)
class Totals:
    """Money and counts of a set of NodeFigures rows (a node, a plan, a month …)."""

    policies_started: int = 0
    premium_income: Decimal = ZERO
    claims_received: int = 0
    claims_paid: int = 0
    amount_paid: Decimal = ZERO
    largest_payout: Decimal = ZERO
    large_payouts: int = 0
    paid_with_due: int = 0
    paid_on_time: int = 0

    @classmethod
    def of(cls, row: dict | None) -> Totals:
        if not row:
            return cls()
        return cls(
            **{name: row.get(name) or cls.__dataclass_fields__[name].default for name in _SUMS}
        )

    @property
    def average_payout(self) -> Decimal | None:
        if not self.claims_paid:
            return None
        return (self.amount_paid / self.claims_paid).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )

    @property
    def on_time_rate(self) -> Decimal | None:
        return rate(self.paid_on_time, self.paid_with_due)


@dataclass(frozen=True)
class Coverage:
    """Units of a subtree (or of one ownership type, one industry) on the reference day."""

    units: int = 0
    units_enrolled: int = 0
    union_members: int = 0
    union_members_covered: int = 0
    members: int = 0
    members_covered: int = 0
    payouts_overdue: int = 0

    @property
    def blank_spots(self) -> int:
        return self.units - self.units_enrolled

    @property
    def rate(self) -> Decimal | None:
        """Coverage rate: union members covered / union members, in %."""
        return rate(self.union_members_covered, self.union_members)


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    totals: Totals | None = None
    coverage: Coverage | None = None
    organisation: Organisation | None = None


@dataclass
class CoverageBreakdown:
    total: Coverage
    by_node: list[Group] = field(default_factory=list)
    by_ownership: list[Group] = field(default_factory=list)
    by_industry: list[Group] = field(default_factory=list)


# --- The refresh ---------------------------------------------------------------------------------


def last_refresh(*, tenant_id) -> SummaryRefresh | None:
    return SummaryRefresh.objects.filter(tenant_id=tenant_id).first()


def node_years(*, node: Organisation) -> list[int]:
    """Years with any figure at the node, newest first (an index-only read)."""
    return list(
        NodeFigures.objects.filter(organisation_id=node.pk)
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )


# --- Money and claims (NodeFigures) --------------------------------------------------------------


def _own(node: Organisation):
    return NodeFigures.objects.filter(tenant_id=node.tenant_id, organisation_id=node.pk)


def node_totals(*, node: Organisation, year: int) -> Totals:
    return Totals.of(_own(node).filter(year=year).aggregate(**_SUMS))


def totals_by_plan_year(*, node: Organisation, years: Iterable[int]) -> dict[tuple, Totals]:
    """(plan id, year) → totals."""
    rows = _own(node).filter(year__in=list(years)).values("plan_id", "year").annotate(**_SUMS)
    return {(row["plan_id"], row["year"]): Totals.of(row) for row in rows}


def totals_by_year(*, node: Organisation, years: Iterable[int]) -> dict[int, Totals]:
    rows = _own(node).filter(year__in=list(years)).values("year").annotate(**_SUMS)
    return {row["year"]: Totals.of(row) for row in rows}


def totals_by_month(*, node: Organisation, year: int) -> dict[int, Totals]:
    rows = _own(node).filter(year=year).values("month").annotate(**_SUMS)
    return {row["month"]: Totals.of(row) for row in rows}


def totals_by_plan(*, node: Organisation, year: int) -> dict:
    rows = _own(node).filter(year=year).values("plan_id").annotate(**_SUMS)
    return {row["plan_id"]: Totals.of(row) for row in rows}


def totals_by_child(*, node: Organisation, year: int) -> list[Group]:
    """The node's children that have figures in the year, in tree order."""
    rows = {
        row["organisation_id"]: Totals.of(row)
        for row in NodeFigures.objects.filter(
            tenant_id=node.tenant_id, parent_id=node.pk, year=year
        )
        .values("organisation_id")
        .annotate(**_SUMS)
    }
    children = (
        Organisation.objects.filter(pk__in=list(rows))
        .order_by("path")
        .only("id", "name", "path", "kind")
    )
    return [Group(key=str(c.pk), label=c.name, totals=rows[c.pk], organisation=c) for c in children]


def plans_named(ids: Iterable) -> list[Plan]:
    return list(
        Plan.objects.filter(pk__in=list(ids))
        .order_by("code")
        .only("id", "code", "name", "short_name")
    )


# --- Coverage (UnitFigures) ----------------------------------------------------------------------

_COVERAGE_FIGURES = """
       count(*), count(*) FILTER (WHERE members_covered > 0),
       COALESCE(sum(union_members), 0), COALESCE(sum(union_members_covered), 0),
       COALESCE(sum(members), 0), COALESCE(sum(members_covered), 0),
           COALESCE(sum(payouts_overdue), 0)
"""
_COVERAGE_SQL = (
    "SELECT child, ownership, industry, GROUPING(child, ownership, industry) AS g, "
    + _COVERAGE_FIGURES
    + """
FROM (
    SELECT substr(path, 1, %(child_len)s) AS child, ownership, industry, union_members,
           union_members_covered, members, members_covered, payouts_overdue
    FROM stats_unitfigures
    WHERE tenant_id = %(tenant)s AND path LIKE %(prefix)s
) u
GROUP BY GROUPING SETS ((child), (ownership), (industry), ())
"""
)
_COVERAGE_TOTAL_SQL = (
    "SELECT NULL, NULL, NULL, 7, "
    + _COVERAGE_FIGURES
    + "FROM stats_unitfigures WHERE tenant_id = %(tenant)s AND path LIKE %(prefix)s"
)


def coverage(*, node: Organisation, breakdown: bool = True) -> CoverageBreakdown:
    """The subtree's units on the reference day: in total and, with ``breakdown``, by child
    node, ownership type and industry — one scan of the units' rows."""
    by_child = breakdown and node.kind != OrganisationKind.UNIT
    with connection.cursor() as cur:
        cur.execute(
            _COVERAGE_SQL if breakdown else _COVERAGE_TOTAL_SQL,
            {
                "child_len": len(node.path) + node.steplen,
                "tenant": str(node.tenant_id),
                "prefix": node.path + "%",
            },
        )
        rows = cur.fetchall()
    total = Coverage()
    children: dict[str, Coverage] = {}
    ownership: dict[str, Coverage] = {}
    industry: dict[str, Coverage] = {}
    for child, own, ind, g, *numbers in rows:
        figures = Coverage(*numbers)
        if g == 0b111:  # the grand total
            total = figures
        elif g == 0b011:  # grouped by child only (a unit's "child" is the unit itself)
            if by_child:
                children[child] = figures
        elif g == 0b101:
            ownership[own] = figures
        elif g == 0b110:
            industry[ind] = figures
    out = CoverageBreakdown(total=total)
    if children:
        nodes = (
            Organisation.objects.filter(tenant_id=node.tenant_id, path__in=list(children))
            .order_by("path")
            .only("id", "name", "path", "kind")
        )
        out.by_node = [
            Group(key=n.path, label=n.name, coverage=children[n.path], organisation=n)
            for n in nodes
        ]
    out.by_ownership = [
        Group(key=value, label=str(label), coverage=ownership[value])
        for value, label in Ownership.choices
        if value in ownership
    ]
    labels = dict(Industry.choices)
    out.by_industry = [
        Group(
            key=value or "-",
            label=f"{value} {labels[value]}" if value in labels else "—",
            coverage=figures,
        )
        for value, figures in sorted(industry.items(), key=lambda item: item[0] or "~")
    ]
    return out


# --- Blank spots ---------------------------------------------------------------------------------


def blank_spots(*, node: Organisation):
    """Units below the node with nobody covered on the reference day, in tree order."""
    return UnitFigures.objects.filter(
        tenant_id=node.tenant_id, path__startswith=node.path, members_covered=0
    ).select_related("unit__organisation")


def blank_spot_page(*, node: Organisation, after: str | None, size: int = 50) -> KeysetPage:
    page = keyset_page(blank_spots(node=node), order=("path",), after=after, size=size)
    _attach_parents(page.rows, tenant_id=node.tenant_id)
    return page


def _attach_parents(rows: list[UnitFigures], *, tenant_id) -> None:
    """Each row's ``parent_name`` (the node above the unit), one query for the page."""
    paths = {row.path[: -Organisation.steplen] for row in rows}
    names = dict(
        Organisation.objects.filter(tenant_id=tenant_id, path__in=paths).values_list("path", "name")
    )
    for row in rows:
        row.parent_name = names.get(row.path[: -Organisation.steplen], "")


def blank_spot_rows(*, node: Organisation):
    """All blank spots below the node as value tuples for the .xlsx (a server-side cursor)."""
    parents = dict(
        Organisation.objects.filter(tenant_id=node.tenant_id, path__startswith=node.path)
        .exclude(kind=OrganisationKind.UNIT)
        .values_list("path", "name")
    )
    ownership = dict(Ownership.choices)
    industry = dict(Industry.choices)
    step = Organisation.steplen
    rows = (
        blank_spots(node=node)
        .order_by("path")
        .values_list(
            "unit__organisation__name",
            "path",
            "unit__credit_code",
            "ownership",
            "industry",
            "union_members",
            "members",
            "last_cover_end",
        )
        .iterator(chunk_size=2000)
    )
    for name, path, credit_code, own, ind, union, members, last_end in rows:
        yield (
            name,
            parents.get(path[:-step], ""),
            credit_code,
            str(ownership.get(own, own)),
            f"{ind} {industry[ind]}" if ind in industry else "",
            union,
            members,
            last_end,
        )


# --- Fund ----------------------------------------------------------------------------------------


def fund_figures(*, plan: Plan, year: int) -> dict:
    """The plan's year at the tenant's office node (whose rows cover the whole tenant), and
    its reserves at the end of the year and of the year before."""
    root = Organisation.objects.get(tenant_id=plan.tenant_id, depth=1)
    totals = Totals.of(
        NodeFigures.objects.filter(organisation_id=root.pk, plan_id=plan.pk, year=year).aggregate(
            **_SUMS
        )
    )
    reserves = {
        r.year: r
        for r in PlanYearReserve.objects.filter(plan_id=plan.pk, year__in=[year - 1, year])
    }
    return {"totals": totals, "closing": reserves.get(year), "opening": reserves.get(year - 1)}


def fund_years(*, plan: Plan) -> list[int]:
    """Years the plan has reserves for (every year with activity), newest first."""
    bounds = PlanYearReserve.objects.filter(plan_id=plan.pk).aggregate(
        first=Min("year"), last=Max("year")
    )
    if bounds["first"] is None:
        return []
    # The first row is the opening balance of the first year with activity.
    return list(range(bounds["last"], bounds["first"], -1))


def reference_day(refresh: SummaryRefresh | None) -> dt.date | None:
    return refresh.as_of if refresh else None
