"""Tiers (档) on the version form: each tier's code, name and premium, and its own amounts
for the version's benefit items (SPEC §3; issue 16 item 8).

The terms model a tier as ``{"code", "name", "premium", "item_params": {item code:
{parameter: value}}}`` (``plans.rules.terms.Tier``): a tier's parameters replace the item's
own for members holding it. The form offers, per tier and item, the item formula's money
parameters (from the formula's ``PARAMS``, as the item forms are generated), empty meaning
"the item's own amount"; other overrides a stored tier carries pass through untouched.
The engine validates everything (``validate_version_terms``: codes, premiums, overrides
against each item's formula); ``tier_field_for`` puts its messages on the row.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from plans.forms.base import money_field, money_str
from plans.rules import FORMULA_PARAMS
from plans.rules.formulas.spec import ParamKind

TIER_ROWS = 6
SALE_MODES = [("shares", _("In shares (份)")), ("tiers", _("In tiers (档)"))]


def tier_params(items: Iterable[Mapping[str, Any]]) -> list[tuple[Mapping[str, Any], Any]]:
    """(item, parameter) pairs a tier may set: each item's money parameters, in order."""
    out = []
    for item in items:
        for param in FORMULA_PARAMS.get(item.get("formula"), ()):
            if param.kind is ParamKind.MONEY:
                out.append((item, param))
    return out


def amount_field_name(n: int, item_code: str, key: str) -> str:
    return f"tier_{n}_{item_code}__{key}"


class TierFieldsMixin:
    """Adds the sale mode and ``TIER_ROWS`` tier rows to a version form built with the
    version's benefit items (``self.items``, engine dicts)."""

    items: list[dict[str, Any]]
    base_terms: dict[str, Any]

    def add_tier_fields(self) -> None:
        self.fields["sale_mode"] = forms.ChoiceField(
            label=_("Sold"),
            choices=SALE_MODES,
            required=False,
            help_text=_("In tiers: a few named levels, each with its own premium and amounts."),
        )
        pairs = tier_params(self.items)
        self.tier_rows = []
        for n in range(1, TIER_ROWS + 1):
            self.fields[f"tier_{n}_code"] = forms.CharField(
                label=format_lazy(_("Tier {} code"), n), max_length=50, required=False
            )
            self.fields[f"tier_{n}_name"] = forms.CharField(
                label=_("name"), max_length=100, required=False
            )
            self.fields[f"tier_{n}_premium"] = money_field(_("premium (yuan)"))
            names = [f"tier_{n}_code", f"tier_{n}_name", f"tier_{n}_premium"]
            for item, param in pairs:
                name = amount_field_name(n, item["code"], param.key)
                self.fields[name] = money_field(
                    format_lazy("{}: {}", item.get("name") or item["code"], _(param.label))
                )
                names.append(name)
            self.tier_rows.append([self[name] for name in names])
        self.tier_headers = [
            _("Code"),
            _("Name"),
            _("Premium (yuan)"),
            *(
                format_lazy("{}: {}", item.get("name") or item["code"], _(param.label))
                for item, param in pairs
            ),
        ]
        self._tier_numbers: list[int] = []

    @staticmethod
    def tiers_initial(terms: Mapping[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {"sale_mode": terms.get("sale_mode", "shares")}
        for n, tier in enumerate(terms.get("tiers") or [], start=1):
            if n > TIER_ROWS:
                break
            initial[f"tier_{n}_code"] = tier.get("code")
            initial[f"tier_{n}_name"] = tier.get("name")
            initial[f"tier_{n}_premium"] = tier.get("premium")
            for item_code, params in (tier.get("item_params") or {}).items():
                for key, value in (params or {}).items():
                    initial[amount_field_name(n, item_code, key)] = value
        return initial

    def tiers_to_terms(self, t: dict[str, Any]) -> None:
        """Write the sale mode and the tiers into ``t`` (the terms being built)."""
        cd = self.cleaned_data
        mode = cd.get("sale_mode") or t.get("sale_mode") or "shares"
        t["sale_mode"] = mode
        self._tier_numbers = []
        if mode != "tiers":
            return
        for key in ("premium_per_share", "max_shares_if_not_uniform"):
            if key in t:  # not used when sold in tiers (the engine refuses them)
                t[key] = None
        base = {tier.get("code"): tier for tier in self.base_terms.get("tiers") or ()}
        pairs = tier_params(self.items)
        tiers = []
        for n in range(1, TIER_ROWS + 1):
            code = (cd.get(f"tier_{n}_code") or "").strip()
            name = (cd.get(f"tier_{n}_name") or "").strip()
            premium = cd.get(f"tier_{n}_premium")
            if not (code or name or premium is not None):
                continue
            tier: dict[str, Any] = {"code": code, "name": name, "premium": money_str(premium)}
            overrides = copy.deepcopy(base.get(code, {}).get("item_params") or {})
            for item, param in pairs:
                value = cd.get(amount_field_name(n, item["code"], param.key))
                params = overrides.setdefault(item["code"], {})
                if value is None:
                    params.pop(param.key, None)
                else:
                    params[param.key] = money_str(value)
            overrides = {code_: params for code_, params in overrides.items() if params}
            if overrides:
                tier["item_params"] = overrides
            tiers.append(tier)
            self._tier_numbers.append(n)
        t["tiers"] = tiers

    def tier_field_for(self, path: str) -> str | None:
        if path == "tiers" or path == "sale_mode":
            return "tier_1_code" if path == "tiers" else "sale_mode"
        match = re.match(r"^tiers\[(\d+)\](?:\.(premium|item_params))?", path)
        if not match or int(match.group(1)) >= len(self._tier_numbers):
            return None
        n = self._tier_numbers[int(match.group(1))]
        return f"tier_{n}_premium" if match.group(2) == "premium" else f"tier_{n}_code"
