"""The benefit-item form: what every item has, whatever its formula.

The formula's own parameters are a separate form (``plans.forms.params``), shown
inside this one under the prefix "p"; ``to_item(params)`` puts the two together.
Conditions on facts beyond the one row this form shows are kept as they were.
"""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from plans.forms.base import (
    LOWER_CHOICES,
    UPPER_CHOICES,
    FieldsetsMixin,
    check_field,
    checkboxes_field,
    int_field,
    money_field,
    money_str,
    number_str,
    path_prefixes,
)
from plans.rules import CAUSES, EVENT_KINDS, FACTS, FORMULA_LABELS, LOWER_TERMS, UPPER_TERMS


class ItemForm(FieldsetsMixin, forms.Form):
    """What every benefit item has; its formula's parameters are in a ``params.ParamsForm``."""

    formula = forms.CharField(widget=forms.HiddenInput, required=False)
    code = forms.CharField(
        label=_("Code"),
        max_length=50,
        required=False,
        help_text=_("Lower-case letters, digits and _, e.g. designated_disease."),
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    events = checkboxes_field(_("Answers these events"), list(EVENT_KINDS.items()))
    causes = checkboxes_field(
        _("Only when caused by (none ticked: any cause)"), list(CAUSES.items())
    )
    conditions = checkboxes_field(_("Only for these conditions (none ticked: any)"), [])
    excluded_conditions = checkboxes_field(_("Never for these conditions"), [])
    waiting_applies = check_field(_("The waiting period applies"), initial=True)
    ends_cover = check_field(_("Paying it ends the member's cover"))
    exclusive_group = forms.CharField(
        label=_("Exclusive with items of group"),
        max_length=50,
        required=False,
        help_text=_(
            "Items with the same group code pay only the larger one, e.g. death and disability."
        ),
    )
    annual_cap_amount = money_field(_("Yearly cap on this item (yuan)"))
    annual_cap_per_share = check_field(_("per share"))
    max_payouts_per_period = int_field(_("Paid at most this many times per period"))
    limit_fact = forms.ChoiceField(
        label=_("Condition on a fact"),
        required=False,
        choices=[("", _("None")), *((k, v[0]) for k, v in FACTS.items())],
    )
    limit_lower = money_field(_("from"))
    limit_lower_term = forms.ChoiceField(label=_("counting"), choices=LOWER_CHOICES, required=False)
    limit_upper = money_field(_("to"))
    limit_upper_term = forms.ChoiceField(label=_("counting"), choices=UPPER_CHOICES, required=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    layout = [
        (_("Item"), ["code", "name", "note"]),
        (
            _("When it pays"),
            ["events", "causes", "conditions", "excluded_conditions", "waiting_applies"],
        ),
        (
            _("Limits"),
            [
                "exclusive_group",
                "ends_cover",
                "annual_cap_amount",
                "annual_cap_per_share",
                "max_payouts_per_period",
            ],
        ),
    ]

    def __init__(
        self,
        *args,
        conditions: dict[str, str] | None = None,
        base_item: dict | None = None,
        **kwargs,
    ):
        self.base_item = copy.deepcopy(base_item or {})
        super().__init__(*args, **kwargs)
        choices = [(code, f"{name} ({code})") for code, name in (conditions or {}).items()]
        self.fields["conditions"].choices = choices
        self.fields["excluded_conditions"].choices = choices
        self.limit_row = [
            self[n]
            for n in (
                "limit_fact",
                "limit_lower",
                "limit_lower_term",
                "limit_upper",
                "limit_upper_term",
            )
        ]

    @staticmethod
    def initial_from(item: dict[str, Any]) -> dict[str, Any]:
        initial = {key: item.get(key) for key in ("formula", "code", "name", "note")}
        for key in ("events", "causes", "conditions", "excluded_conditions"):
            initial[key] = list(item.get(key) or [])
        initial["waiting_applies"] = item.get("waiting_applies", True)
        initial["ends_cover"] = item.get("ends_cover", False)
        initial["exclusive_group"] = item.get("exclusive_group") or ""
        cap = item.get("annual_cap") or {}
        initial["annual_cap_amount"] = cap.get("amount")
        initial["annual_cap_per_share"] = cap.get("per_share", False)
        initial["max_payouts_per_period"] = item.get("max_payouts_per_period")
        limits = item.get("fact_limits") or {}
        if limits:
            fact, band = next(iter(limits.items()))
            initial["limit_fact"] = fact
            initial["limit_lower"] = band.get("lower")
            initial["limit_lower_term"] = "以上" if band.get("lower_inclusive", True) else "超过"
            initial["limit_upper"] = band.get("upper")
            initial["limit_upper_term"] = "以下" if band.get("upper_inclusive", True) else "不满"
        return initial

    def to_item(self, params: dict[str, Any]) -> dict[str, Any]:
        cd = self.cleaned_data
        item: dict[str, Any] = {
            "code": (cd["code"] or "").strip(),
            "name": (cd["name"] or "").strip(),
            "events": list(cd["events"]),
            "formula": (cd["formula"] or "").strip(),
            "params": params,
            "waiting_applies": cd["waiting_applies"],
        }
        for key in ("causes", "conditions", "excluded_conditions"):
            if cd[key]:
                item[key] = list(cd[key])
        if cd["ends_cover"]:
            item["ends_cover"] = True
        if (cd["exclusive_group"] or "").strip():
            item["exclusive_group"] = cd["exclusive_group"].strip()
        if cd["annual_cap_amount"] is not None:
            item["annual_cap"] = {
                "amount": money_str(cd["annual_cap_amount"]),
                "per_share": cd["annual_cap_per_share"],
            }
        if cd["max_payouts_per_period"] is not None:
            item["max_payouts_per_period"] = cd["max_payouts_per_period"]
        # Conditions on facts beyond the one this form shows are kept as they were.
        limits = {
            k: v
            for k, v in (self.base_item.get("fact_limits") or {}).items()
            if k != (self.initial.get("limit_fact") or "")
        }
        if cd["limit_fact"]:
            band: dict[str, Any] = {}
            if cd["limit_lower"] is not None:
                band["lower"] = number_str(cd["limit_lower"])
                band["lower_inclusive"] = LOWER_TERMS[cd["limit_lower_term"] or "以上"]
            if cd["limit_upper"] is not None:
                band["upper"] = number_str(cd["limit_upper"])
                band["upper_inclusive"] = UPPER_TERMS[cd["limit_upper_term"] or "以下"]
            limits[cd["limit_fact"]] = band
        if limits:
            item["fact_limits"] = limits
        if (cd["note"] or "").strip():
            item["note"] = cd["note"].strip()
        return item

    def field_for(self, path: str) -> str | None:
        head = path_prefixes(path)[-1]
        return {
            "events": "events",
            "causes": "causes",
            "conditions": "conditions",
            "excluded_conditions": "excluded_conditions",
            "annual_cap": "annual_cap_amount",
            "fact_limits": "limit_fact",
        }.get(head)


class FormulaChoiceForm(forms.Form):
    formula = forms.ChoiceField(label=_("Formula"), choices=list(FORMULA_LABELS.items()))
