"""The roster template states and validates the plan version's share rules (issue 16 item 3):
a plan allowing 5 shares says "份数填 1 至 5", not 1 to 10; uniform and mixed-cap plans say
so; a plan with no maximum asks for 1 or more; a plan sold in tiers has a 档次 column whose
names import back."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from enrolment.roster.reader import read_roster
from enrolment.roster.template import build_template_xlsx, template_options
from enrolment.services.lines import lines_import
from plans.rules import PlanTerms
from tests import factories
from tests.enrolment.support import new_enrolment

TIERS = [
    {"code": "A", "name": "一档", "premium": "26.00"},
    {"code": "D", "name": "四档", "premium": "100.00"},
]


def _terms(**overrides) -> PlanTerms:
    return PlanTerms.from_dict(factories.plan_terms(**overrides))


def _sheet(terms: PlanTerms):
    with translation.override("zh-hans"):
        data = build_template_xlsx(unit_name="甲单位", plan_name="计划", **template_options(terms))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    validations = {str(v.sqref).split(":")[0][0]: v for v in sheet.data_validations.dataValidation}
    return data, sheet, validations


@pytest.mark.parametrize(
    ("overrides", "says", "validation"),
    [
        (
            {"max_shares": 5, "uniform_shares": True},
            ["份数填 1 至 5 的整数", "同一单位每人份数相同"],
            ("between", "1", "5"),
        ),
        (
            {"max_shares": 5, "uniform_shares": False, "max_shares_if_not_uniform": 3},
            ["份数填 1 至 5 的整数", "不一致时每人最多 3 份"],
            ("between", "1", "5"),
        ),
        (
            {"max_shares": 1, "uniform_shares": True},  # the boundary: one share only
            ["份数填 1 至 1 的整数"],
            ("between", "1", "1"),
        ),
        (
            {"max_shares": 3, "uniform_shares": False, "max_shares_if_not_uniform": None},
            ["份数填 1 至 3 的整数"],
            ("between", "1", "3"),
        ),
    ],
)
def test_the_template_follows_the_share_rules(overrides, says, validation):
    _data, sheet, validations = _sheet(_terms(**overrides))
    note = sheet["A3"].value
    for text in says:
        assert text in note
    assert "1 至 10" not in note
    shares = validations["D"]
    assert shares.type == "whole"
    assert (shares.operator or "between", shares.formula1, shares.formula2) == validation
    assert sheet["D4"].value == "份数"


def test_without_a_maximum_the_template_asks_for_one_or_more():
    with translation.override("zh-hans"):
        data = build_template_xlsx(unit_name="甲单位", plan_name="计划", max_shares=None)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert "份数填 1 或以上的整数" in sheet["A3"].value
    shares = next(v for v in sheet.data_validations.dataValidation if str(v.sqref)[0] == "D")
    assert (shares.operator, shares.formula1) == ("greaterThanOrEqual", "1")


def test_a_tiered_plan_has_a_tier_column_whose_names_import(world, actors, units):
    terms = dict(sale_mode="tiers", premium_per_share=None, max_shares=None, tiers=TIERS)
    data, sheet, validations = _sheet(_terms(**terms))
    assert sheet["D4"].value == "档次"
    assert validations["D"].type == "list" and validations["D"].formula1 == '"一档,四档"'
    assert "一档 ¥26.00" in sheet["A3"].value and "份数" not in sheet["A3"].value

    sheet["B5"], sheet["C5"], sheet["D5"] = "王芳", factories.make_id_number(), "四档"
    sheet["B6"], sheet["C6"], sheet["D6"] = "李娜", factories.make_id_number(), "A"  # a code
    buffer = io.BytesIO()
    sheet.parent.save(buffer)
    read = read_roster(buffer.getvalue(), "名册.xlsx")
    assert [r["tier"] for r in read.rows] == ["四档", "A"]

    plan = factories.make_plan(world.office, terms=factories.plan_terms(**terms))
    enrolment = new_enrolment(actors.agent, units.a1, plan)
    report = lines_import(actor=actors.agent, enrolment=enrolment, rows=read.rows)
    assert report.errors == [] and report.lines_written == 2
    assert sorted(enrolment.lines.values_list("tier", flat=True)) == ["A", "D"]


def test_the_download_uses_the_enrolments_plan_version(world, actors, units, plans, as_user):
    plan = plans["gx_designated_disease"]  # ≤ 5 uniform, ≤ 3 mixed (seed 004)
    draft = new_enrolment(actors.agent, units.a1, plan)
    response = as_user(world.agent, "zh-hans").get(
        reverse("enrolments:upload_template", args=[draft.pk])
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert "份数填 1 至 5 的整数" in sheet["A3"].value
    validations = {str(v.sqref).split(":")[0][0]: v for v in sheet.data_validations.dataValidation}
    assert validations["D"].formula2 == "5"
