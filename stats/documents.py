"""The fund statement (page, PDF for the annual public notice, .xlsx) and the lines of a
monthly return. Official papers are in Simplified Chinese whatever the reader's language."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from mutualaid import pdf
from mutualaid.money import capitals, fmt_yuan
from plans.models import Plan
from plans.selectors import version_in_force
from stats import charts, selectors, tables
from stats.fund import FundStatement, Reserves, fund_statement

DOCUMENT_LANGUAGE = "zh-hans"


def statement_for(*, plan: Plan, year: int) -> FundStatement | None:
    """The plan's statement for the year from the summaries; None before the summaries have
    the year (or for a year the plan had no activity and no reserves)."""
    figures = selectors.fund_figures(plan=plan, year=year)
    closing = figures["closing"]
    if closing is None:
        return None
    opening = figures["opening"]
    totals: selectors.Totals = figures["totals"]
    version = version_in_force(plan=plan, on_date=closing.measured_on) or (
        plan.versions.filter(status="published").order_by("-valid_from", "-number").first()
    )
    rule = (version.terms.get("surplus_allocation") if version else None) or []
    return fund_statement(
        year=year,
        closing_on=closing.measured_on,
        premium_income=totals.premium_income,
        payouts=totals.amount_paid,
        opening=Reserves(opening.unearned_premium, opening.outstanding_payouts)
        if opening
        else Reserves(),
        closing=Reserves(closing.unearned_premium, closing.outstanding_payouts),
        rule=rule,
        claims_paid=totals.claims_paid,
        large_payouts=totals.large_payouts,
        largest_payout=totals.largest_payout,
        policies_started=totals.policies_started,
    )


def statement_lines(s: FundStatement) -> list[tuple[str, str, Decimal]]:
    """(number, label, amount) of the statement, in order."""
    return [
        ("1", _("Premium income"), s.premium_income),
        ("2", _("Payouts"), s.payouts),
        ("3", _("Reserves at the start of the year"), s.opening.total),
        ("3.1", _("of which unearned premium"), s.opening.unearned_premium),
        ("3.2", _("of which approved payouts not yet paid"), s.opening.outstanding_payouts),
        ("4", _("Reserves at the end of the period"), s.closing.total),
        ("4.1", _("of which unearned premium"), s.closing.unearned_premium),
        ("4.2", _("of which approved payouts not yet paid"), s.closing.outstanding_payouts),
        ("5", _("Surplus of the year (1 − 2 − (4 − 3))"), s.surplus),
    ]


def allocation_lines(s: FundStatement) -> list[tuple[str, str, Decimal]]:
    """(label, percent, amount) of the surplus's allocation."""
    out = []
    for line in s.allocation:
        label = line.label or (
            _("Carried forward to next year") if line.purpose == "carried_forward" else line.purpose
        )
        out.append((label, f"{line.percent}%", line.amount))
    return out


def statement_context(*, plan: Plan, statement: FundStatement) -> dict:
    s = statement
    chart = charts.column_chart(
        title=_("Income and spending"),
        categories=[_("Premium income"), _("Payouts"), _("Change in reserves"), _("Surplus")],
        series=[
            (
                str(s.year),
                [
                    s.premium_income,
                    s.payouts,
                    max(s.reserve_change, Decimal(0)),
                    max(s.surplus, Decimal(0)),
                ],
            )
        ],
        fmt=tables.fmt_money,
        height=220,
    )
    return {
        "plan": plan,
        "s": s,
        "lines": statement_lines(s),
        "allocation": allocation_lines(s),
        "chart": chart,
        "surplus_capitals": capitals(abs(s.surplus)),
        "fmt": fmt_yuan,
        "issuer": plan.tenant.name if hasattr(plan, "tenant") else "",
        "printed_on": timezone.localdate(),
    }


def statement_filename(plan: Plan, year: int, ext: str) -> str:
    return f"互助金收支情况-{plan.display_name}-{year}.{ext}"


def statement_pdf(*, plan: Plan, statement: FundStatement) -> bytes:
    with translation.override(DOCUMENT_LANGUAGE):
        return pdf.render_pdf(
            "pdf/fund_statement.html", statement_context(plan=plan, statement=statement)
        )


def statement_xlsx(*, plan: Plan, statement: FundStatement) -> Path:
    s = statement
    rows: list[tuple] = [(n, label, amount) for n, label, amount in statement_lines(s)]
    for label, percent, amount in allocation_lines(s):
        rows.append(
            (
                "6",
                _("Allocation of the surplus: %(label)s (%(percent)s)")
                % {"label": label, "percent": percent},
                amount,
            )
        )
    rows += [
        ("", _("Policies started (person-times)"), Decimal(s.policies_started)),
        ("", _("Claims paid"), Decimal(s.claims_paid)),
        ("", _("Payouts of ¥10,000 and more"), Decimal(s.large_payouts)),
        ("", _("Largest single payout (yuan)"), s.largest_payout),
    ]
    columns = [
        tables.Column(_("No."), tables.TEXT, 6),
        tables.Column(pgettext("statement line", "Item"), tables.TEXT, 48),
        tables.Column(_("Amount (yuan)"), tables.MONEY, 18),
    ]
    period = (
        f"{s.year}"
        if not s.provisional
        else _("%(year)s (to %(day)s)") % {"year": s.year, "day": s.closing_on.isoformat()}
    )
    return tables.write_xlsx(
        columns=columns, rows=rows, title=f"{plan.name} · {period}", sheet=_("Fund statement")
    )


# --- Monthly returns -----------------------------------------------------------------------------

_MONEY_KEYS = {"premium_income", "amount_paid", "average_payout", "largest_payout"}


def _value(raw, key: str):
    if raw is None:
        return None
    if key in _MONEY_KEYS:
        return Decimal(raw)
    if key in {"on_time_rate", "rate"}:
        return Decimal(raw)
    return raw


def return_lines(figures: dict) -> list[tuple[str, str, object, object]]:
    """(key, label, month value, year-to-date value) of a return's money and claim figures."""
    labels = [
        ("policies_started", _("Policies started (person-times)")),
        ("premium_income", _("Premium income (yuan)")),
        ("claims_received", _("Claims received")),
        ("claims_paid", _("Claims paid")),
        ("amount_paid", _("Amount paid (yuan)")),
        ("average_payout", _("Average payout (yuan)")),
        ("largest_payout", _("Largest single payout (yuan)")),
        ("large_payouts", _("Payouts of ¥10,000 and more")),
        ("on_time_rate", _("Paid on time (%)")),
    ]
    month = figures.get("month") or {}
    ytd = figures.get("ytd") or {}
    return [
        (key, label, _value(month.get(key), key), _value(ytd.get(key), key))
        for key, label in labels
    ]


def return_coverage_lines(figures: dict) -> list[tuple[str, str, object]]:
    cov = figures.get("coverage") or {}
    labels = [
        ("units", _("Units")),
        ("units_enrolled", _("Units enrolled")),
        ("blank_spots", _("Blank spots")),
        ("union_members", _("Union members")),
        ("union_members_covered", _("Union members covered")),
        ("rate", _("Coverage rate (%)")),
        ("members_covered", _("Members covered (all)")),
        ("payouts_overdue", _("Approved payouts past their pay-by day")),
    ]
    return [(key, label, _value(cov.get(key), key)) for key, label in labels]


def return_xlsx(ret) -> Path:
    rows = [(label, m, y) for _k, label, m, y in return_lines(ret.figures)]
    as_of = ret.figures.get("as_of") or ""
    rows += [
        (_("%(label)s (as of %(day)s)") % {"label": label, "day": as_of}, value, None)
        for _k, label, value in return_coverage_lines(ret.figures)
    ]

    def number(value):
        return value if value is None or isinstance(value, Decimal) else Decimal(value)

    rows = [(label, number(m), number(y)) for label, m, y in rows]
    # Counts and amounts share the columns: plain numbers (amounts keep their fen).
    columns = [
        tables.Column(pgettext("statement line", "Item"), tables.TEXT, 44),
        tables.Column(_("This month"), tables.NUMBER, 16),
        tables.Column(_("Year to date"), tables.NUMBER, 16),
    ]
    return tables.write_xlsx(
        columns=columns,
        rows=rows,
        title=_("%(node)s · Monthly return %(period)s")
        % {"node": ret.organisation.name, "period": ret.period_label},
        sheet=_("Monthly return"),
    )
