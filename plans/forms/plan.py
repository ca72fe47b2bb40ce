"""The plan form, and the version form that edits every term but the benefit items.

``VersionForm.initial_from`` and ``to_terms`` are inverse on every stored term the
form shows; terms it does not show (surplus rules) pass through from ``base_terms``
untouched. Tiers — and each tier's amounts for the version's items — are edited
through ``plans.forms.tiers``. ``field_for`` maps an engine path back to the widget that
produced it, so each Chinese message lands next to its field.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from mutualaid.tenancy.models import Organisation
from plans.forms.base import (
    FieldsetsMixin,
    check_field,
    checkboxes_field,
    date_field,
    int_field,
    money_field,
    money_str,
    number_str,
    path_prefixes,
)
from plans.forms.tiers import TierFieldsMixin
from plans.models import PlanVersion
from plans.rules import CAUSES, EVENT_KINDS, MEMBER_CATEGORIES, MID_TERM_ADDITION_RULES

STAGE_ROWS = 3
STAGE_BENEFITS = [("none", _("Nothing is paid")), ("consolation", _("A consolation payment"))]


def parse_named_lines(text: str) -> list[dict[str, str]]:
    """ "malignant_tumour 原发性恶性肿瘤" per line → [{"code", "name"}]; the engine checks them."""
    out = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        code, _sep, name = line.partition(" ")
        out.append({"code": code.strip(), "name": name.strip()})
    return out


def format_named_lines(entries: Iterable[dict[str, str]] | None) -> str:
    return "\n".join(f"{e.get('code', '')} {e.get('name', '')}" for e in entries or ())


class PlanForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=Organisation.objects.none(),
        to_field_name="pk",
        help_text=_(
            "The office for a plan of the whole tenant; a city federation for a local plan."
        ),
    )
    code = forms.CharField(
        label=_("Code"),
        max_length=50,
        help_text=_("A short code for reports and imports, e.g. gx_comprehensive."),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    short_name = forms.CharField(label=_("Short name"), max_length=100, required=False)
    source = forms.CharField(
        label=_("Source"),
        max_length=200,
        required=False,
        help_text=_("The document the terms come from."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, owners=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["organisation"]
            del self.fields["code"]
        else:
            self.fields["organisation"].queryset = owners
            self.fields["organisation"].label_from_instance = lambda node: (
                ("— " * (node.depth - 1)) + node.name
            )


_TERMS_PATHS = {
    "term_months": "term_months",
    "premium_per_share": "premium_per_share",
    "max_shares": "max_shares",
    "uniform_shares": "uniform_shares",
    "max_shares_if_not_uniform": "max_shares_if_not_uniform",
    "renewal_keeps_previous_shares": "renewal_keeps_previous_shares",
    "exclusive_group": "exclusive_group",
    "eligibility.in_service_only": "in_service_only",
    "eligibility.sex": "sex",
    "eligibility.min_age": "min_age",
    "eligibility.max_age": "max_age",
    "eligibility.member_categories": "member_categories",
    "eligibility.health_declaration": "health_declaration",
    "participation.min_ratio": "min_ratio",
    "participation.all_below_headcount": "all_below_headcount",
    "waiting_period": "waiting_days",
    "report_deadline_days": "report_days_default",
    "claim_expiry_months": "claim_expiry_months",
    "payout_limit_working_days": "payout_limit_working_days",
    "renewal": "renewal_days",
    "mid_term_addition": "mid_term_addition",
    "resignation_ends_cover": "resignation_ends_cover",
    "covered_conditions": "covered_conditions",
    "exclusions": "exclusions",
    "consolations.waiting_period": "waiting_consolation_amount",
    "consolations.death_other_causes": "death_consolation_amount",
    "annual_cap": "annual_cap_amount",
    "notes": "term_notes",
    "label": "label",
    "valid_from": "valid_from",
    "valid_to": "valid_to",
}


class VersionForm(TierFieldsMixin, FieldsetsMixin, forms.Form):
    """A version's dates and every term except the benefit items (those have their own forms)."""

    label = forms.CharField(
        label=_("Label"), max_length=200, help_text=_("How people name these terms, e.g. 2026年版.")
    )
    valid_from = date_field(_("Takes effect on"))
    valid_to = date_field(
        _("Ends on"), required=False, help_text=_("Leave empty unless the plan stops being sold.")
    )

    term_months = int_field(_("Coverage term (months)"), initial=12)
    premium_per_share = money_field(_("Premium per share (yuan)"))
    max_shares = int_field(_("Most shares per member"))
    uniform_shares = check_field(_("All members of one unit hold the same number of shares"))
    max_shares_if_not_uniform = int_field(
        _("Most shares per member when a unit's counts differ"),
        help_text=_("Only for plans that allow mixed counts; leave empty otherwise."),
    )
    renewal_keeps_previous_shares = check_field(
        _("A renewal may keep last year's number of shares")
    )
    exclusive_group = forms.CharField(
        label=_("Mutually exclusive group"),
        max_length=50,
        required=False,
        help_text=_("Plans with the same group code cannot be held together, e.g. gx_core."),
    )

    in_service_only = check_field(_("In-service members only"))
    sex = forms.ChoiceField(
        label=_("Sex"),
        required=False,
        choices=[("", _("Any")), ("F", _("Women only")), ("M", _("Men only"))],
    )
    min_age = int_field(_("Minimum age"))
    max_age = int_field(_("Maximum age"))
    member_categories = checkboxes_field(
        _("Member categories (none ticked: all)"), list(MEMBER_CATEGORIES.items())
    )
    health_declaration = check_field(_("Health declaration required"))
    min_ratio = money_field(
        _("Minimum share of a unit's eligible members that must join"),
        help_text=_("A fraction, e.g. 0.8 for 80%; empty for no minimum."),
    )
    all_below_headcount = int_field(_("Everyone must join below this headcount"))

    waiting_days = int_field(
        _("Waiting period (days)"),
        initial=0,
        help_text=_("0 when there is none. Renewals in time skip it."),
    )

    report_days_default = int_field(_("Report deadline, default (days)"), initial=10)
    claim_expiry_months = int_field(_("Claims expire after (months)"), initial=12)
    payout_limit_working_days = int_field(_("Pay within (working days)"), initial=30)
    renewal_rule = forms.ChoiceField(
        label=_("Renewal"),
        choices=[
            ("before_end", _("At the latest N days before the end")),
            ("after_end", _("Within N days after the end (cover stays continuous)")),
        ],
    )
    renewal_days = int_field(_("N (days)"), initial=0)
    mid_term_addition = forms.ChoiceField(
        label=_("Members added mid-term"),
        required=False,
        choices=list(MID_TERM_ADDITION_RULES.items()),
    )
    resignation_ends_cover = check_field(_("Resigning from the unit ends the cover"))

    covered_conditions = forms.CharField(
        label=_("Covered conditions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "class": "mono"}),
        help_text=_(
            "One per line: a code (lower-case letters, digits, _), a space, the name. "
            "Example: malignant_tumour 原发性恶性肿瘤"
        ),
    )
    exclusions = forms.CharField(
        label=_("Exclusions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "class": "mono"}),
        help_text=_("One per line: code, a space, the wording. Example: self_harm 自残"),
    )

    waiting_consolation_amount = money_field(
        _("Consolation when a covered condition is diagnosed in the waiting period (yuan)"),
        help_text=_("Empty when there is none."),
    )
    waiting_consolation_per_share = check_field(_("per share"))
    death_consolation_amount = money_field(_("Consolation on death from other causes (yuan)"))
    death_consolation_causes = checkboxes_field(
        _("Only for deaths caused by (none ticked: any cause)"), list(CAUSES.items())
    )
    death_consolation_per_share = check_field(_("per share"))
    annual_cap_amount = money_field(_("Yearly cap per member on all benefits (yuan)"))
    annual_cap_per_share = check_field(_("per share"))
    term_notes = forms.CharField(
        label=_("Notes printed with the terms"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One note per line; say here where a number was assumed."),
    )

    individual_open = check_field(
        _("Open to individual applications (new-form workers apply on the public page)")
    )
    individual_occupations = forms.CharField(
        label=_("Occupations that may apply"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, e.g. 快递员, 外卖配送员, 网约车司机, 货车司机."),
    )
    individual_platforms = forms.CharField(
        label=_("Platforms"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, e.g. 美团, 饿了么, 滴滴, 顺丰; empty: any platform."),
    )
    individual_funding = forms.ChoiceField(
        label=_("Who pays for individual cover"),
        required=False,
        choices=[
            ("federation_gift", _("Gift of the city federation (赠送保障)")),
            ("member", _("The worker pays an invoice")),
        ],
    )
    individual_shares = int_field(_("Shares per individual"), initial=1)

    def __init__(
        self, *args, base_terms: dict | None = None, items: list[dict] | None = None, **kwargs
    ):
        self.base_terms = copy.deepcopy(base_terms or {})
        self.items = list(items or [])  # the version's benefit items: the tiers' amounts
        super().__init__(*args, **kwargs)
        self.add_tier_fields()
        stage_names = []
        for n in range(1, STAGE_ROWS + 1):
            self.fields[f"stage_{n}_until_day"] = int_field(
                format_lazy(_("Stage {} ends on day"), n)
            )
            self.fields[f"stage_{n}_benefit"] = forms.ChoiceField(
                label=_("then"), choices=STAGE_BENEFITS, required=False
            )
            self.fields[f"stage_{n}_amount"] = money_field(_("amount (yuan)"))
            self.fields[f"stage_{n}_per_share"] = check_field(_("per share"))
            self.fields[f"stage_{n}_ends_cover"] = check_field(_("ends the cover"))
            stage_names += [
                f"stage_{n}_{k}"
                for k in ("until_day", "benefit", "amount", "per_share", "ends_cover")
            ]
        report_names = ["report_days_default"]
        for kind, label in EVENT_KINDS.items():
            self.fields[f"report_days_{kind}"] = int_field(label)
            report_names.append(f"report_days_{kind}")
        self.stage_rows = [
            [
                self[f"stage_{n}_{k}"]
                for k in ("until_day", "benefit", "amount", "per_share", "ends_cover")
            ]
            for n in range(1, STAGE_ROWS + 1)
        ]
        self.sale_mode = (self.data.get("sale_mode") if self.is_bound else "") or (
            self.base_terms.get("sale_mode", "shares")
        )
        if self.sale_mode == "tiers":
            for name in (
                "premium_per_share",
                "max_shares",
                "uniform_shares",
                "max_shares_if_not_uniform",
                "renewal_keeps_previous_shares",
            ):
                del self.fields[name]
        self.layout = [
            (_("Version"), ["label", "valid_from", "valid_to"]),
            (
                _("Cover and shares"),
                [
                    "sale_mode",
                    "term_months",
                    "premium_per_share",
                    "max_shares",
                    "uniform_shares",
                    "max_shares_if_not_uniform",
                    "renewal_keeps_previous_shares",
                    "exclusive_group",
                ],
            ),
            (
                _("Who may join"),
                [
                    "in_service_only",
                    "sex",
                    "min_age",
                    "max_age",
                    "member_categories",
                    "health_declaration",
                    "min_ratio",
                    "all_below_headcount",
                ],
            ),
            (_("Report deadlines (days; empty: the default)"), report_names),
            (
                _("Deadlines and renewal"),
                [
                    "claim_expiry_months",
                    "payout_limit_working_days",
                    "renewal_rule",
                    "renewal_days",
                    "mid_term_addition",
                    "resignation_ends_cover",
                ],
            ),
            (_("Covered conditions and exclusions"), ["covered_conditions", "exclusions"]),
            (
                _("Consolations and caps"),
                [
                    "waiting_consolation_amount",
                    "waiting_consolation_per_share",
                    "death_consolation_amount",
                    "death_consolation_causes",
                    "death_consolation_per_share",
                    "annual_cap_amount",
                    "annual_cap_per_share",
                ],
            ),
            (_("Notes"), ["term_notes"]),
            (
                _("Individual applications"),
                [
                    "individual_open",
                    "individual_occupations",
                    "individual_platforms",
                    "individual_funding",
                    "individual_shares",
                ],
            ),
        ]
        self._stage_numbers: list[int] = []

    @staticmethod
    def initial_from(
        version: PlanVersion | None = None, terms: dict | None = None, **extra
    ) -> dict[str, Any]:
        t = terms if terms is not None else (version.terms if version else {})
        initial: dict[str, Any] = dict(extra)
        if version is not None:
            initial.update(
                label=version.label, valid_from=version.valid_from, valid_to=version.valid_to
            )
            offer = version.individual_offer or {}
            initial.update(
                individual_open=bool(offer.get("open")),
                individual_occupations="\n".join(offer.get("occupations") or []),
                individual_platforms="\n".join(offer.get("platforms") or []),
                individual_funding=offer.get("funding") or "federation_gift",
                individual_shares=offer.get("shares") or 1,
            )
        if not t:
            return initial
        initial.update(TierFieldsMixin.tiers_initial(t))
        for key in (
            "term_months",
            "premium_per_share",
            "max_shares",
            "uniform_shares",
            "max_shares_if_not_uniform",
            "renewal_keeps_previous_shares",
            "claim_expiry_months",
            "payout_limit_working_days",
            "mid_term_addition",
            "resignation_ends_cover",
        ):
            if t.get(key) is not None:
                initial[key] = t[key]
        initial["exclusive_group"] = t.get("exclusive_group") or ""
        el = t.get("eligibility") or {}
        for key in ("in_service_only", "min_age", "max_age", "health_declaration"):
            initial[key] = el.get(key)
        initial["sex"] = el.get("sex") or ""
        initial["member_categories"] = el.get("member_categories") or []
        part = t.get("participation") or {}
        initial["min_ratio"] = part.get("min_ratio")
        initial["all_below_headcount"] = part.get("all_below_headcount")
        wp = t.get("waiting_period") or {}
        initial["waiting_days"] = wp.get("days")
        for n, stage in enumerate(wp.get("stages") or [], start=1):
            if n > STAGE_ROWS:
                break
            initial[f"stage_{n}_until_day"] = stage.get("until_day")
            initial[f"stage_{n}_benefit"] = stage.get("benefit", "none")
            initial[f"stage_{n}_amount"] = stage.get("amount")
            initial[f"stage_{n}_per_share"] = stage.get("per_share", False)
            initial[f"stage_{n}_ends_cover"] = stage.get("ends_cover", False)
        for key, days in (t.get("report_deadline_days") or {}).items():
            initial[f"report_days_{key}"] = days
        renewal = t.get("renewal") or {}
        if renewal.get("grace_days_after_end") is not None:
            initial["renewal_rule"], initial["renewal_days"] = (
                "after_end",
                renewal["grace_days_after_end"],
            )
        else:
            initial["renewal_rule"] = "before_end"
            initial["renewal_days"] = renewal.get("deadline_days_before_end")
        initial["covered_conditions"] = format_named_lines(t.get("covered_conditions"))
        initial["exclusions"] = format_named_lines(t.get("exclusions"))
        consolations = t.get("consolations") or {}
        wc = consolations.get("waiting_period") or {}
        initial["waiting_consolation_amount"] = wc.get("amount")
        initial["waiting_consolation_per_share"] = wc.get("per_share", False)
        dc = consolations.get("death_other_causes") or {}
        initial["death_consolation_amount"] = dc.get("amount")
        initial["death_consolation_causes"] = dc.get("causes") or []
        initial["death_consolation_per_share"] = dc.get("per_share", False)
        cap = t.get("annual_cap") or {}
        initial["annual_cap_amount"] = cap.get("amount")
        initial["annual_cap_per_share"] = cap.get("per_share", False)
        initial["term_notes"] = "\n".join(t.get("notes") or [])
        return initial

    def individual_offer(self) -> dict[str, Any]:
        """What ``plans.individuals.clean_offer`` reads (it validates: one path)."""
        cd = self.cleaned_data
        return {
            "open": cd.get("individual_open"),
            "occupations": cd.get("individual_occupations") or "",
            "platforms": cd.get("individual_platforms") or "",
            "funding": cd.get("individual_funding") or "federation_gift",
            "shares": cd.get("individual_shares") or 1,
        }

    def to_terms(self) -> dict[str, Any]:
        """The engine's terms dict; keys this form does not show (surplus rules) stay."""
        cd = self.cleaned_data
        t = copy.deepcopy(self.base_terms)
        t.pop("benefit_items", None)
        t["term_months"] = cd["term_months"]
        self.tiers_to_terms(t)
        if t["sale_mode"] == "shares":
            t.pop("tiers", None)
            t["premium_per_share"] = money_str(cd["premium_per_share"])
            t["max_shares"] = cd["max_shares"]
            t["uniform_shares"] = cd["uniform_shares"]
            t["max_shares_if_not_uniform"] = cd["max_shares_if_not_uniform"]
            t["renewal_keeps_previous_shares"] = cd["renewal_keeps_previous_shares"]
        t["exclusive_group"] = (cd["exclusive_group"] or "").strip() or None
        t["eligibility"] = {
            "in_service_only": cd["in_service_only"],
            "sex": cd["sex"] or None,
            "min_age": cd["min_age"],
            "max_age": cd["max_age"],
            "member_categories": list(cd["member_categories"]),
            "health_declaration": cd["health_declaration"],
        }
        t["participation"] = {
            "min_ratio": number_str(cd["min_ratio"]),
            "all_below_headcount": cd["all_below_headcount"],
        }
        stages = []
        self._stage_numbers = []
        for n in range(1, STAGE_ROWS + 1):
            until = cd.get(f"stage_{n}_until_day")
            if until is None:
                continue
            benefit = cd.get(f"stage_{n}_benefit") or "none"
            stage: dict[str, Any] = {"until_day": until, "benefit": benefit}
            if benefit == "consolation":
                stage["amount"] = money_str(cd.get(f"stage_{n}_amount"))
                stage["per_share"] = cd.get(f"stage_{n}_per_share", False)
                stage["ends_cover"] = cd.get(f"stage_{n}_ends_cover", False)
            stages.append(stage)
            self._stage_numbers.append(n)
        t["waiting_period"] = {"days": cd["waiting_days"]}
        if stages:
            t["waiting_period"]["stages"] = stages
        deadlines: dict[str, Any] = {}
        if cd["report_days_default"] is not None:
            deadlines["default"] = cd["report_days_default"]
        for kind in EVENT_KINDS:
            if cd.get(f"report_days_{kind}") is not None:
                deadlines[kind] = cd[f"report_days_{kind}"]
        t["report_deadline_days"] = deadlines
        t["claim_expiry_months"] = cd["claim_expiry_months"]
        t["payout_limit_working_days"] = cd["payout_limit_working_days"]
        key = (
            "grace_days_after_end"
            if cd["renewal_rule"] == "after_end"
            else "deadline_days_before_end"
        )
        t["renewal"] = {key: cd["renewal_days"]}
        t["mid_term_addition"] = cd["mid_term_addition"] or None
        t["resignation_ends_cover"] = cd["resignation_ends_cover"]
        t["covered_conditions"] = parse_named_lines(cd["covered_conditions"])
        t["exclusions"] = parse_named_lines(cd["exclusions"])
        consolations: dict[str, Any] = {}
        if cd["waiting_consolation_amount"] is not None:
            consolations["waiting_period"] = {"amount": money_str(cd["waiting_consolation_amount"])}
            if cd["waiting_consolation_per_share"]:
                consolations["waiting_period"]["per_share"] = True
        if cd["death_consolation_amount"] is not None:
            consolations["death_other_causes"] = {
                "amount": money_str(cd["death_consolation_amount"])
            }
            if cd["death_consolation_causes"]:
                consolations["death_other_causes"]["causes"] = list(cd["death_consolation_causes"])
            if cd["death_consolation_per_share"]:
                consolations["death_other_causes"]["per_share"] = True
        t["consolations"] = consolations
        t["annual_cap"] = (
            {"amount": money_str(cd["annual_cap_amount"]), "per_share": cd["annual_cap_per_share"]}
            if cd["annual_cap_amount"] is not None
            else None
        )
        t["notes"] = [
            line.strip() for line in (cd["term_notes"] or "").splitlines() if line.strip()
        ]
        return t

    def field_for(self, path: str) -> str | None:
        if path.startswith("individual_") and path in self.fields:
            return path
        if path.startswith(("tiers", "sale_mode")):
            return self.tier_field_for(path)
        match = re.match(r"^waiting_period\.stages\[(\d+)\]", path)
        if match and int(match.group(1)) < len(self._stage_numbers):
            return f"stage_{self._stage_numbers[int(match.group(1))]}_until_day"
        for prefix in path_prefixes(path):
            if prefix in _TERMS_PATHS:
                return _TERMS_PATHS[prefix]
        return None


class CopyVersionForm(forms.Form):
    valid_from = date_field(_("The new version takes effect on"))
    label = forms.CharField(label=_("Label of the new version"), max_length=200)
