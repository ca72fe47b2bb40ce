"""Each formula's parameter form, generated from the formula's own declarations.

A formula declares its parameters once, as plain data beside its code (``PARAMS`` in
``plans/rules/formulas/<kind>.py``, see ``spec.py``); ``PARAM_FORMS`` holds one form
class per registered formula, built here from those declarations, so a new formula
needs no form code. Each parameter becomes one field named after its key (a
``LOWER_TERM`` may name its field), bands become ``BAND_ROWS`` rows of
``band_<n>_lower|lower_term|upper|upper_term|value`` and a schedule the fields
``grade_<g>``; the template lays out ``band_rows`` and ``grade_fields``.

The form translates, it does not decide: ``to_params`` writes a required parameter
even when empty (as None) so that the engine names what is missing, writes optional
ones only when filled, and leaves every check to ``plans.rules.validate_formula``,
whose messages the view shows on the form as a whole.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from plans.forms.base import (
    LOWER_CHOICES,
    UPPER_CHOICES,
    check_field,
    int_field,
    money_field,
    money_str,
    number_str,
)
from plans.rules import FACTS, FORMULA_PARAMS, LOWER_TERMS, UPPER_TERMS
from plans.rules.formulas.spec import Param, ParamKind

BAND_ROWS = 4
GRADES = range(1, 11)
BAND_PARTS = ("lower", "lower_term", "upper", "upper_term", "value")


def _fields(p: Param) -> dict[str, forms.Field]:
    """The form fields of one parameter, by name, in the order they are shown."""
    label = gettext_lazy(p.label) if p.label else ""
    extra: dict[str, Any] = {"help_text": gettext_lazy(p.help)} if p.help else {}
    kind = p.kind
    if kind in (ParamKind.MONEY, ParamKind.RATIO):
        return {p.field_name: money_field(label, **extra)}
    if kind is ParamKind.COUNT:
        return {p.field_name: int_field(label, **extra)}
    if kind is ParamKind.FLAG:
        return {p.field_name: check_field(label, **extra)}
    # A choice shows the engine's default preselected: that is what an absent key means.
    if kind is ParamKind.FACT:
        choices = [(name, FACTS[name][0]) for name in p.choices]
        return {
            p.field_name: forms.ChoiceField(
                label=label, choices=choices, initial=p.default, **extra
            )
        }
    if kind is ParamKind.CHOICE:
        choices = list(dict(p.choices).items())
        return {
            p.field_name: forms.ChoiceField(
                label=label, choices=choices, required=False, initial=p.default, **extra
            )
        }
    if kind is ParamKind.LOWER_TERM:
        return {p.field_name: forms.ChoiceField(label=label, choices=LOWER_CHOICES, required=False)}
    if kind is ParamKind.TEXT:
        return {p.field_name: forms.CharField(label=label, required=False, max_length=200, **extra)}
    if kind is ParamKind.BANDS:
        fields: dict[str, forms.Field] = {}
        for n in range(1, BAND_ROWS + 1):
            fields[f"band_{n}_lower"] = money_field(gettext_lazy("from"))
            fields[f"band_{n}_lower_term"] = forms.ChoiceField(
                label=gettext_lazy("counting"), choices=LOWER_CHOICES, required=False
            )
            fields[f"band_{n}_upper"] = money_field(gettext_lazy("to"))
            fields[f"band_{n}_upper_term"] = forms.ChoiceField(
                label=gettext_lazy("counting"), choices=UPPER_CHOICES, required=False
            )
            fields[f"band_{n}_value"] = money_field(gettext_lazy(p.value_label))
        return fields
    if kind is ParamKind.SCHEDULE:
        return {f"grade_{g}": money_field(format_lazy(label, g)) for g in GRADES}
    raise ValueError(f"no form field for {kind} parameters: {p.key}")


class ParamsForm(forms.Form):
    """One formula's parameters; ``PARAM_FORMS`` holds a subclass per formula."""

    kind = ""
    params: tuple[Param, ...] = ()
    prefix = "p"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = {p.kind for p in self.params}
        self.band_rows = (
            [[self[f"band_{n}_{part}"] for part in BAND_PARTS] for n in range(1, BAND_ROWS + 1)]
            if ParamKind.BANDS in kinds
            else []
        )
        self.grade_fields = (
            [self[f"grade_{g}"] for g in GRADES] if ParamKind.SCHEDULE in kinds else []
        )

    @classmethod
    def initial_from(cls, params: dict[str, Any]) -> dict[str, Any]:
        """The fields' initial values for stored parameters."""
        initial: dict[str, Any] = {}
        for p in cls.params:
            if p.kind is ParamKind.BANDS:
                initial.update(_band_initial(p, params.get(p.key)))
            elif p.kind is ParamKind.SCHEDULE:
                for grade, percent in (params.get(p.key) or {}).items():
                    initial[f"grade_{grade}"] = percent
            elif p.kind is ParamKind.LOWER_TERM:
                initial[p.field_name] = "以上" if params.get(p.key, p.default) else "超过"
            elif p.key in params:
                initial[p.field_name] = params[p.key]
        return initial

    def to_params(self) -> dict[str, Any]:
        """The engine's plain parameters; a parameter tied to another (``of``) only with it."""
        out: dict[str, Any] = {}
        for p in self.params:
            if not p.of:
                self._write(p, out)
        for p in self.params:
            if p.of and p.of in out:
                self._write(p, out)
        return out

    def _write(self, p: Param, out: dict[str, Any]) -> None:
        cd = self.cleaned_data
        kind = p.kind
        if kind is ParamKind.BANDS:
            rows = self._band_values(p)
            if rows or p.required:
                out[p.key] = rows
            return
        if kind is ParamKind.SCHEDULE:
            out[p.key] = {
                str(g): number_str(cd[f"grade_{g}"])
                for g in GRADES
                if cd.get(f"grade_{g}") is not None
            }
            return
        value = cd[p.field_name]
        if kind is ParamKind.FLAG:
            if value or p.keep_false:
                out[p.key] = value
        elif kind is ParamKind.LOWER_TERM:
            out[p.key] = LOWER_TERMS[value or "以上"]
        elif kind in (ParamKind.FACT, ParamKind.CHOICE):
            out[p.key] = value or p.default
        elif kind is ParamKind.TEXT:
            if (value or "").strip():
                out[p.key] = value.strip()
        elif value is not None or p.required:
            out[p.key] = _convert(kind, value)

    def _band_values(self, p: Param) -> list[dict[str, Any]]:
        """Filled rows as the engine's bands; money bounds keep two places, like the seeds."""
        cd = self.cleaned_data
        money_bounds = FACTS[cd[p.unit_from]][2] == "money" if p.unit_from else p.unit == "元"
        bound_str = money_str if money_bounds else number_str
        bands = []
        for n in range(1, BAND_ROWS + 1):
            lower, upper, value = (
                cd.get(f"band_{n}_lower"),
                cd.get(f"band_{n}_upper"),
                cd.get(f"band_{n}_value"),
            )
            if lower is None and upper is None and value is None:
                continue
            band: dict[str, Any] = {}
            if lower is not None:
                band["lower"] = bound_str(lower)
                band["lower_inclusive"] = LOWER_TERMS[cd.get(f"band_{n}_lower_term") or "以上"]
            if upper is not None:
                band["upper"] = bound_str(upper)
                band["upper_inclusive"] = UPPER_TERMS[cd.get(f"band_{n}_upper_term") or "以下"]
            assert p.value_kind is not None
            band[p.value_key] = _convert(p.value_kind, value)
            bands.append(band)
        return bands


def _convert(kind: ParamKind, value: Any) -> Any:
    if kind is ParamKind.MONEY:
        return money_str(value)
    if kind is ParamKind.RATIO:
        return number_str(value)
    return value


def _band_initial(p: Param, bands: Any) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    for n, band in enumerate(bands or [], start=1):
        if n > BAND_ROWS:
            break
        initial[f"band_{n}_lower"] = band.get("lower")
        initial[f"band_{n}_lower_term"] = "以上" if band.get("lower_inclusive", True) else "超过"
        initial[f"band_{n}_upper"] = band.get("upper")
        initial[f"band_{n}_upper_term"] = "以下" if band.get("upper_inclusive", True) else "不满"
        initial[f"band_{n}_value"] = band.get(p.value_key)
    return initial


def params_form_for(kind: str, params: tuple[Param, ...]) -> type[ParamsForm]:
    """A form class for one formula, its fields in the declared order."""
    if sum(p.kind in (ParamKind.BANDS, ParamKind.SCHEDULE) for p in params) > 1:
        # The band and grade field names are not keyed by parameter.
        raise ValueError(f"{kind}: at most one band or schedule parameter per formula")
    attrs: dict[str, Any] = {"kind": kind, "params": params, "__module__": __name__}
    for p in params:
        attrs.update(_fields(p))
    name = "".join(word.title() for word in kind.split("_")) + "Params"
    return type(name, (ParamsForm,), attrs)


PARAM_FORMS: dict[str, type[ParamsForm]] = {
    kind: params_form_for(kind, params) for kind, params in FORMULA_PARAMS.items()
}
