"""The E-rows of /work/shared/acceptance/enrolment.csv, table-driven, through ``lines_import``:
the service behind the line form, the instant check, the API and the roster upload.

C1, C2 and W1 of deadlines.csv run through ``enrolment_bring_into_force`` (coverage period
and waiting period end of the policies it writes).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from django.utils import translation

from enrolment.models import EnrolmentLine, Policy
from enrolment.services.common import RosterRejected
from enrolment.services.drafts import enrolment_create
from enrolment.services.lines import lines_import
from members.models import Member
from plans.rules import ShareTranche
from tests import factories
from tests.enrolment.support import codes, new_enrolment, roster, row_of

ACCEPTANCE = Path(__file__).resolve().parents[3] / "shared" / "acceptance"


def _rows(name: str) -> dict[str, dict]:
    with open(ACCEPTANCE / name, encoding="utf-8") as f:
        return {row["case"]: row for row in csv.DictReader(f)}


ENROLMENT_ROWS = _rows("enrolment.csv")
DEADLINE_ROWS = _rows("deadlines.csv")

PLAN_OF = {
    "GX 职工指定疾病(手术)": "gx_designated_disease",
    "GX 职工综合": "gx_comprehensive",
    "GX 女职工安康": "gx_female_workers",
    "any": "gx_designated_disease",
}

# Case → the reason code the refusal must carry (cases not listed are accepted).
REFUSED_WITH = {
    "E2": "mixed_cap",
    "E4": "exclusive_group",
    "E5": "sex_not_eligible",
    "E6": "shares_not_uniform",
    "E9": "id_number_checksum",
    "E10": "id_number_excel_precision",
    "E11": "duplicate_in_roster",
}


# --- One scenario per row: the roster to import, after whatever the situation needs ---------


def _e1(ctx):
    return roster(*[5] * 10)


def _e2(ctx):
    return roster(2, 4)


def _e3(ctx):
    return roster(2, 3)


def _e4(ctx):
    # The member holds 职工指定疾病(手术) (in force, paid 2026-03-15) and is put on a
    # 职工综合 roster for an overlapping period.
    member = factories.make_member(ctx.units.a1, name="韦国庆")
    designated = new_enrolment(ctx.actors.agent, ctx.units.a1, ctx.plans["gx_designated_disease"])
    lines_import(actor=ctx.actors.agent, enrolment=designated, rows=[row_of(member, 2)])
    ctx.flow(designated, paid=dt.date(2026, 3, 15))
    return [row_of(member, 1, row=2)]


def _e5(ctx):
    return roster(1, male=True)


def _e6(ctx):
    return roster(2, 3, 2)


def _e7(ctx):
    # Last year: X held 5 shares (all 5: a uniform roster). This year the unit renews with
    # X keeping 5 and a new member taking 2: the counts are mixed, X keeps last year's 5.
    x = factories.make_member(ctx.units.a1, name="覃美玲")
    z = factories.make_member(ctx.units.a1, name="黄海涛")
    last_year = new_enrolment(ctx.actors.agent, ctx.units.a1, ctx.plan, start=dt.date(2025, 3, 16))
    lines_import(actor=ctx.actors.agent, enrolment=last_year, rows=[row_of(x, 5), row_of(z, 5)])
    ctx.flow(last_year, paid=dt.date(2025, 3, 15))
    ctx.enrolment = enrolment_create(
        actor=ctx.actors.agent,
        unit=ctx.units.a1,
        kind="renewal",
        previous=last_year,
        copy_previous=False,
    )
    return [row_of(x, 5, row=2), *roster(2, first_row=3)]


def _e8(ctx):
    return [{"row": 2, "name": "张伟", "id_number": "11010519491231002X", "shares": 1}]


def _e9(ctx):
    return [{"row": 2, "name": "张伟", "id_number": "110105194912310021", "shares": 1}]


def _e10(ctx):
    # What a spreadsheet reader hands over for a cell Excel kept as a number.
    return [{"row": 2, "name": "张伟", "id_number": 1.10105194912310e17, "shares": 1}]


def _e11(ctx):
    rows = roster(1, 1, 1, 1, 1, 1, first_row=2)
    rows[5]["id_number"] = rows[1]["id_number"]  # rows 3 and 7
    return rows


SCENARIOS = {
    "E1": _e1,
    "E2": _e2,
    "E3": _e3,
    "E4": _e4,
    "E5": _e5,
    "E6": _e6,
    "E7": _e7,
    "E8": _e8,
    "E9": _e9,
    "E10": _e10,
    "E11": _e11,
}


def test_every_enrolment_row_has_a_scenario():
    assert set(ENROLMENT_ROWS) == set(SCENARIOS)
    for case, row in ENROLMENT_ROWS.items():
        assert row["expected"].startswith("rejected") == (case in REFUSED_WITH), case


class Ctx:
    pass


@pytest.mark.parametrize("case", sorted(SCENARIOS, key=lambda c: int(c[1:])))
def test_enrolment_row(case, world, plans, units, actors, flow):
    row = ENROLMENT_ROWS[case]
    ctx = Ctx()
    ctx.plans, ctx.units, ctx.actors, ctx.flow = plans, units, actors, flow
    ctx.plan = plans[PLAN_OF[row["plan"]]]
    ctx.enrolment = None
    rows = SCENARIOS[case](ctx)
    enrolment = ctx.enrolment or new_enrolment(actors.agent, units.a1, ctx.plan)
    members_before = Member.objects.count()

    with translation.override("en"):
        preview = lines_import(actor=actors.agent, enrolment=enrolment, rows=rows, preview=True)
        if case not in REFUSED_WITH:
            assert preview.errors == [], [e.text for e in preview.errors]
            report = lines_import(actor=actors.agent, enrolment=enrolment, rows=rows)
            assert report.written and report.lines_written == len(rows)
            assert EnrolmentLine.objects.filter(enrolment=enrolment).count() == len(rows)
            return
        with pytest.raises(RosterRejected) as refused:
            lines_import(actor=actors.agent, enrolment=enrolment, rows=rows)

    # Refused: the preview said the same, and nothing was written.
    report = refused.value.report
    assert REFUSED_WITH[case] in codes(report.errors), [e.text for e in report.errors]
    assert codes(preview.errors) == codes(report.errors)
    assert not report.written
    assert EnrolmentLine.objects.filter(enrolment=enrolment).count() == 0
    assert Member.objects.count() == members_before
    # Every refusal names the row and the column (the prefix is rendered when read).
    with translation.override("en"):
        for error in report.errors:
            assert error.row is not None and error.text.startswith(f"Row {error.row}, "), error.text
    if case == "E11":
        duplicates = [e for e in report.errors if e.code == "duplicate_in_roster"]
        assert sorted(e.row for e in duplicates) == [3, 7]
        assert all("rows 3, 7" in e.text for e in duplicates)


def test_e2_chinese_message_names_row_and_column(world, plans, units, actors):
    enrolment = new_enrolment(actors.agent, units.a1, plans["gx_designated_disease"])
    with translation.override("zh-hans"):
        # A missing translation is a failure, not a reason to skip: cadres read Chinese.
        prefix = "Row %(row)d, %(column)s: %(message)s"
        assert translation.gettext(prefix) != prefix, "zh_Hans has no roster row prefix"
        report = lines_import(
            actor=actors.agent, enrolment=enrolment, rows=roster(2, 4, first_row=12), preview=True
        )
        # The text is rendered in the language active when it is read.
        [error] = report.errors
        assert error.row == 13 and error.text.startswith("第 13 行 份数：")


# --- C1, C2, W1: the policies a payment brings into force -----------------------------------


def _span(expected: str) -> tuple[dt.date, dt.date]:
    start, end = expected.split("..")
    return dt.date.fromisoformat(start), dt.date.fromisoformat(end)


@pytest.mark.parametrize("case", ["C1", "C2"])
def test_coverage_period_rows(case, world, plans, units, actors, flow):
    row = DEADLINE_ROWS[case]
    paid = dt.date.fromisoformat(row["start"])
    enrolment = new_enrolment(
        actors.agent, units.a1, plans["gx_designated_disease"], start=paid + dt.timedelta(days=1)
    )
    lines_import(actor=actors.agent, enrolment=enrolment, rows=roster(1, 1))
    flow(enrolment, paid=paid)
    assert (enrolment.coverage_start, enrolment.coverage_end) == _span(row["expected"])
    assert {(p.start, p.end) for p in Policy.objects.filter(enrolment=enrolment)} == {
        _span(row["expected"])
    }


def test_waiting_period_row_w1(world, plans, units, actors, flow):
    row = DEADLINE_ROWS["W1"]
    effective = dt.date.fromisoformat(row["start"])
    plan = plans["gx_designated_disease"]
    assert plan.versions.get().terms["waiting_period"]["days"] == int(row["n"])
    enrolment = new_enrolment(actors.agent, units.a1, plan, start=effective)
    lines_import(actor=actors.agent, enrolment=enrolment, rows=roster(3))
    flow(enrolment, paid=effective - dt.timedelta(days=1))
    policy = Policy.objects.get(enrolment=enrolment)
    [tranche] = policy.tranches.all()
    assert policy.start == effective
    assert (tranche.shares, tranche.start) == (3, effective)
    assert tranche.waiting_end == dt.date.fromisoformat(row["expected"])
    # The engine reads the stored tranche: 2026-07-13 still inside the wait, 07-14 covered.
    engine = ShareTranche(tranche.shares, tranche.start, tranche.waiting_end)
    assert engine.waiting_on(dt.date(2026, 7, 13)) and not engine.waiting_on(dt.date(2026, 7, 14))
