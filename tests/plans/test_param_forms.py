"""Each formula declares its parameters once; the engine and the item form both read that.

The form for a formula's parameters is generated from its ``PARAMS`` (plans/rules):
these tests pin that every registered formula has a declaration the engine checks
against, that the generated fields keep the names the pages post, and that every
seed plan's item parameters survive an open-and-save through the generated form.
"""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.utils import translation

from plans.forms.params import PARAM_FORMS
from plans.rules import FORMULA_PARAMS, FORMULAS, validate_formula
from plans.rules.formulas.spec import Param, ParamKind
from plans.seed_plans import PLANS as SEED_PLANS

BAND_PARTS = ("lower", "lower_term", "upper", "upper_term", "value")
BANDS = [f"band_{n}_{part}" for n in range(1, 5) for part in BAND_PARTS]
GRADES = [f"grade_{g}" for g in range(1, 11)]

#: The field names the item page posts (with the prefix "p-"), per formula, in order.
FIELD_NAMES = {
    "fixed_per_share": ["amount"],
    "fixed": ["amount"],
    "per_unit_of_amount": [
        "base",
        "unit",
        "per_unit",
        "min_base",
        "min_base_term",
        "cap",
        "per_share",
    ],
    "band_lump_sum": ["base", "per_share", *BANDS],
    "schedule_percent": ["base", "sum", "per_share", *GRADES],
    "per_day": ["daily_amount", "deductible_days", "max_days", "per_share"],
    "ratio_of_amount": [
        "base",
        "deductible",
        "cost_ceiling",
        "ratio",
        "banding",
        "cap",
        "cap_per_share",
        *BANDS,
    ],
    "monthly_allowance": ["monthly_amount", "monthly_amount_basis", "max_months", "per_share"],
    "discretionary": ["cap"],
}

#: Formulas no seed plan uses, with parameters as an office would store them.
EXTRA_EXAMPLES = [
    (
        "per_day",
        {"daily_amount": "50.00", "deductible_days": 3, "max_days": 180, "per_share": True},
    ),
]


def seed_params() -> list[tuple[str, dict[str, Any]]]:
    return [
        (item["formula"], item["params"])
        for plan in SEED_PLANS
        for item in plan["version"]["terms"]["benefit_items"]
    ] + EXTRA_EXAMPLES


def as_post(form: forms.Form) -> dict[str, Any]:
    """What a browser sends for an unbound form showing its initial values."""
    data: dict[str, Any] = {}
    for bound in form:
        value = bound.value()
        if isinstance(bound.field.widget, forms.CheckboxInput):
            if value:
                data[bound.html_name] = "on"
        elif value is not None:
            data[bound.html_name] = str(value)
    return data


def test_every_registered_formula_declares_its_parameters_and_has_a_form():
    assert set(FORMULA_PARAMS) == set(FORMULAS) == set(PARAM_FORMS) == set(FIELD_NAMES)
    for kind, module in FORMULAS.items():
        params = module.PARAMS
        assert params and all(isinstance(p, Param) for p in params), kind
        keys = [p.key for p in params]
        assert len(keys) == len(set(keys)), kind
        assert all(p.of in keys for p in params if p.of), kind
        # The engine allows exactly the declared keys: nothing else gets through.
        unknown = validate_formula(kind, {key: None for key in keys} | {"typo": 1})
        assert "未知参数: typo" in unknown, kind
        assert not any(m.startswith("未知参数") and m != "未知参数: typo" for m in unknown), kind


@pytest.mark.parametrize("kind", sorted(FIELD_NAMES))
def test_generated_fields_keep_the_names_the_pages_post(kind):
    form = PARAM_FORMS[kind]()
    assert list(form.fields) == FIELD_NAMES[kind]
    assert bool(form.band_rows) == any(p.kind is ParamKind.BANDS for p in FORMULA_PARAMS[kind])
    assert bool(form.grade_fields) == (kind == "schedule_percent")


@pytest.mark.parametrize("kind", sorted(FIELD_NAMES))
def test_every_generated_label_is_translated(kind):
    form = PARAM_FORMS[kind]()
    for name, field in form.fields.items():
        with translation.override("en"):
            english = str(field.label)
        with translation.override("zh-hans"):
            assert str(field.label) != english, (kind, name, english)
            if field.help_text:
                assert str(field.help_text) != english


def test_seed_items_and_examples_cover_every_formula():
    assert {kind for kind, _ in seed_params()} == set(FORMULAS)


@pytest.mark.parametrize(("kind", "params"), seed_params(), ids=[k for k, _ in seed_params()])
def test_generated_form_round_trips_the_seed_items_parameters(kind, params):
    form_class = PARAM_FORMS[kind]
    shown = form_class(initial=form_class.initial_from(params))
    posted = form_class(as_post(shown))
    assert posted.is_valid(), posted.errors
    assert posted.to_params() == params
    assert validate_formula(kind, posted.to_params()) == []


def test_an_empty_required_amount_reaches_the_engine_which_names_it():
    posted = PARAM_FORMS["fixed_per_share"]({})
    assert posted.is_valid(), posted.errors
    assert posted.to_params() == {"amount": None}
    assert validate_formula("fixed_per_share", posted.to_params()) == ["请填写每份给付金额"]


def test_tied_parameters_are_written_only_with_their_partner():
    ratio = PARAM_FORMS["ratio_of_amount"]({"p-base": "self_paid", "p-ratio": "0.8"})
    assert ratio.is_valid(), ratio.errors
    assert ratio.to_params() == {"base": "self_paid", "ratio": "0.8"}
    banded = PARAM_FORMS["ratio_of_amount"](
        {"p-base": "self_paid", "p-band_1_lower": "0", "p-band_1_value": "0.7"}
    )
    assert banded.is_valid(), banded.errors
    assert banded.to_params() == {
        "base": "self_paid",
        "bands": [{"lower": "0.00", "lower_inclusive": True, "ratio": "0.7"}],
        "banding": "progressive",
    }
    per_unit = PARAM_FORMS["per_unit_of_amount"](
        {"p-base": "self_paid", "p-unit": "10000", "p-per_unit": "2000", "p-min_base_term": "超过"}
    )
    assert per_unit.is_valid(), per_unit.errors
    assert "min_base_inclusive" not in per_unit.to_params()
