"""Forms translate between people and the engine's terms; the engine decides.

No raw JSON for users: every term and every formula parameter has its own field.
A form turns its fields into the engine's plain data (``to_terms`` / ``to_params``)
and back (``initial_from_*``); the service validates the result with
``plans.rules.validate_version_terms`` and ``bind_errors`` puts each Chinese message
on the field its path names, or at the top of the form.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from mutualaid.money import parse_amount
from mutualaid.tenancy.models import Organisation
from plans.calculator import CalculatorInput, facts_from
from plans.models import PlanVersion
from plans.rules import (
    CAUSES,
    EVENT_KINDS,
    FACTS,
    FORMULA_LABELS,
    LOWER_TERMS,
    MEMBER_CATEGORIES,
    MID_TERM_ADDITION_RULES,
    UPPER_TERMS,
    ShareTranche,
)
from plans.rules.formulas.band_lump_sum import BASES as BAND_BASES
from plans.rules.formulas.ratio_of_amount import BANDINGS
from plans.rules.vocab import COUNT_FACTS, MONEY_FACTS

STAGE_ROWS = 3
BAND_ROWS = 4
TRANCHE_ROWS = 3
GRADES = range(1, 11)
STAGE_BENEFITS = [("none", _("Nothing is paid")), ("consolation", _("A consolation payment"))]
LOWER_CHOICES = [
    (term, term) for term, inclusive in LOWER_TERMS.items() if term in ("以上", "超过")
]
UPPER_CHOICES = [
    (term, term) for term, inclusive in UPPER_TERMS.items() if term in ("以下", "不满")
]


# --- plumbing ----------------------------------------------------------------------


def money_str(value: Decimal | None) -> str | None:
    """Money for the engine ("15000.00"); over two places goes through for the engine to refuse."""
    if value is None:
        return None
    if value == value.quantize(Decimal("0.01")):
        return f"{value:.2f}"
    return str(value)


def number_str(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)


def _dec(raw: Any) -> Decimal | None:
    if raw is None or raw == "":
        return None
    try:
        return parse_amount(raw if isinstance(raw, Decimal | int) else str(raw))
    except (TypeError, ValueError):
        return None


class FieldsetsMixin:
    """``fieldsets``: [(legend, [bound fields])] for templates that lay out long forms."""

    layout: list[tuple[Any, list[str]]] = []

    def fieldsets(self):
        out = []
        for legend, names in self.layout:
            fields = [self[name] for name in names if name in self.fields]
            if fields:
                out.append((legend, fields))
        return out


def _check(label, **kwargs) -> forms.BooleanField:
    return forms.BooleanField(label=label, required=False, **kwargs)


def _money(label, **kwargs) -> forms.DecimalField:
    kwargs.setdefault("required", False)
    return forms.DecimalField(label=label, max_digits=16, **kwargs)


def _int(label, **kwargs) -> forms.IntegerField:
    kwargs.setdefault("required", False)
    return forms.IntegerField(label=label, **kwargs)


def _date(label, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}), **kwargs)


def _checkboxes(label, choices, **kwargs) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple, **kwargs
    )


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


# --- plans -------------------------------------------------------------------------


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


# --- version terms -----------------------------------------------------------------

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


def _path_prefixes(path: str) -> list[str]:
    """ "a.b[2].c" → ["a.b[2].c", "a.b[2]", "a.b", "a"]."""
    out = [path]
    while True:
        stripped = re.sub(r"(\[\d+\]|\.[^.\[]+)$", "", path)
        if stripped == path or not stripped:
            return out
        out.append(stripped)
        path = stripped


class VersionForm(FieldsetsMixin, forms.Form):
    """A version's dates and every term except the benefit items (those have their own forms)."""

    label = forms.CharField(
        label=_("Label"), max_length=200, help_text=_("How people name these terms, e.g. 2026年版.")
    )
    valid_from = _date(_("Takes effect on"))
    valid_to = _date(
        _("Ends on"), required=False, help_text=_("Leave empty unless the plan stops being sold.")
    )

    term_months = _int(_("Coverage term (months)"), initial=12)
    premium_per_share = _money(_("Premium per share (yuan)"))
    max_shares = _int(_("Most shares per member"))
    uniform_shares = _check(_("All members of one unit hold the same number of shares"))
    max_shares_if_not_uniform = _int(
        _("Most shares per member when a unit's counts differ"),
        help_text=_("Only for plans that allow mixed counts; leave empty otherwise."),
    )
    renewal_keeps_previous_shares = _check(_("A renewal may keep last year's number of shares"))
    exclusive_group = forms.CharField(
        label=_("Mutually exclusive group"),
        max_length=50,
        required=False,
        help_text=_("Plans with the same group code cannot be held together, e.g. gx_core."),
    )

    in_service_only = _check(_("In-service members only"))
    sex = forms.ChoiceField(
        label=_("Sex"),
        required=False,
        choices=[("", _("Any")), ("F", _("Women only")), ("M", _("Men only"))],
    )
    min_age = _int(_("Minimum age"))
    max_age = _int(_("Maximum age"))
    member_categories = _checkboxes(
        _("Member categories (none ticked: all)"), list(MEMBER_CATEGORIES.items())
    )
    health_declaration = _check(_("Health declaration required"))
    min_ratio = _money(
        _("Minimum share of a unit's eligible members that must join"),
        help_text=_("A fraction, e.g. 0.8 for 80%; empty for no minimum."),
    )
    all_below_headcount = _int(_("Everyone must join below this headcount"))

    waiting_days = _int(
        _("Waiting period (days)"),
        initial=0,
        help_text=_("0 when there is none. Renewals in time skip it."),
    )

    report_days_default = _int(_("Report deadline, default (days)"), initial=10)
    claim_expiry_months = _int(_("Claims expire after (months)"), initial=12)
    payout_limit_working_days = _int(_("Pay within (working days)"), initial=30)
    renewal_rule = forms.ChoiceField(
        label=_("Renewal"),
        choices=[
            ("before_end", _("At the latest N days before the end")),
            ("after_end", _("Within N days after the end (cover stays continuous)")),
        ],
    )
    renewal_days = _int(_("N (days)"), initial=0)
    mid_term_addition = forms.ChoiceField(
        label=_("Members added mid-term"),
        required=False,
        choices=list(MID_TERM_ADDITION_RULES.items()),
    )
    resignation_ends_cover = _check(_("Resigning from the unit ends the cover"))

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
        help_text=_("One per line: code, a space, the wording. Example: suicide 自杀"),
    )

    waiting_consolation_amount = _money(
        _("Consolation when a covered condition is diagnosed in the waiting period (yuan)"),
        help_text=_("Empty when there is none."),
    )
    waiting_consolation_per_share = _check(_("per share"))
    death_consolation_amount = _money(_("Consolation on death from other causes (yuan)"))
    death_consolation_causes = _checkboxes(
        _("Only for deaths caused by (none ticked: any cause)"), list(CAUSES.items())
    )
    death_consolation_per_share = _check(_("per share"))
    annual_cap_amount = _money(_("Yearly cap per member on all benefits (yuan)"))
    annual_cap_per_share = _check(_("per share"))
    term_notes = forms.CharField(
        label=_("Notes printed with the terms"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One note per line; say here where a number was assumed."),
    )

    def __init__(self, *args, base_terms: dict | None = None, **kwargs):
        self.base_terms = copy.deepcopy(base_terms or {})
        super().__init__(*args, **kwargs)
        stage_names = []
        for n in range(1, STAGE_ROWS + 1):
            self.fields[f"stage_{n}_until_day"] = _int(format_lazy(_("Stage {} ends on day"), n))
            self.fields[f"stage_{n}_benefit"] = forms.ChoiceField(
                label=_("then"), choices=STAGE_BENEFITS, required=False
            )
            self.fields[f"stage_{n}_amount"] = _money(_("amount (yuan)"))
            self.fields[f"stage_{n}_per_share"] = _check(_("per share"))
            self.fields[f"stage_{n}_ends_cover"] = _check(_("ends the cover"))
            stage_names += [
                f"stage_{n}_{k}"
                for k in ("until_day", "benefit", "amount", "per_share", "ends_cover")
            ]
        report_names = ["report_days_default"]
        for kind, label in EVENT_KINDS.items():
            self.fields[f"report_days_{kind}"] = _int(label)
            report_names.append(f"report_days_{kind}")
        self.stage_rows = [
            [
                self[f"stage_{n}_{k}"]
                for k in ("until_day", "benefit", "amount", "per_share", "ends_cover")
            ]
            for n in range(1, STAGE_ROWS + 1)
        ]
        if self.base_terms.get("sale_mode") == "tiers":
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
        if not t:
            return initial
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

    def to_terms(self) -> dict[str, Any]:
        """The engine's terms dict; keys this form does not show (tiers, surplus rules) stay."""
        cd = self.cleaned_data
        t = copy.deepcopy(self.base_terms)
        t.pop("benefit_items", None)
        t["term_months"] = cd["term_months"]
        t["sale_mode"] = t.get("sale_mode", "shares")
        if t["sale_mode"] == "shares":
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
        match = re.match(r"^waiting_period\.stages\[(\d+)\]", path)
        if match and int(match.group(1)) < len(self._stage_numbers):
            return f"stage_{self._stage_numbers[int(match.group(1))]}_until_day"
        for prefix in _path_prefixes(path):
            if prefix in _TERMS_PATHS:
                return _TERMS_PATHS[prefix]
        return None


class CopyVersionForm(forms.Form):
    valid_from = _date(_("The new version takes effect on"))
    label = forms.CharField(label=_("Label of the new version"), max_length=200)


# --- benefit items -----------------------------------------------------------------


class ItemForm(FieldsetsMixin, forms.Form):
    """What every benefit item has; its formula's parameters are in a ``ParamsForm``."""

    formula = forms.CharField(widget=forms.HiddenInput, required=False)
    code = forms.CharField(
        label=_("Code"),
        max_length=50,
        required=False,
        help_text=_("Lower-case letters, digits and _, e.g. designated_disease."),
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    events = _checkboxes(_("Answers these events"), list(EVENT_KINDS.items()))
    causes = _checkboxes(_("Only when caused by (none ticked: any cause)"), list(CAUSES.items()))
    conditions = _checkboxes(_("Only for these conditions (none ticked: any)"), [])
    excluded_conditions = _checkboxes(_("Never for these conditions"), [])
    waiting_applies = _check(_("The waiting period applies"), initial=True)
    ends_cover = _check(_("Paying it ends the member's cover"))
    exclusive_group = forms.CharField(
        label=_("Exclusive with items of group"),
        max_length=50,
        required=False,
        help_text=_(
            "Items with the same group code pay only the larger one, e.g. death and disability."
        ),
    )
    annual_cap_amount = _money(_("Yearly cap on this item (yuan)"))
    annual_cap_per_share = _check(_("per share"))
    max_payouts_per_period = _int(_("Paid at most this many times per period"))
    limit_fact = forms.ChoiceField(
        label=_("Condition on a fact"),
        required=False,
        choices=[("", _("None")), *((k, v[0]) for k, v in FACTS.items())],
    )
    limit_lower = _money(_("from"))
    limit_lower_term = forms.ChoiceField(label=_("counting"), choices=LOWER_CHOICES, required=False)
    limit_upper = _money(_("to"))
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
        head = _path_prefixes(path)[-1]
        return {
            "events": "events",
            "causes": "causes",
            "conditions": "conditions",
            "excluded_conditions": "excluded_conditions",
            "annual_cap": "annual_cap_amount",
            "fact_limits": "limit_fact",
        }.get(head)


class ParamsForm(forms.Form):
    """One formula's parameters. Subclasses set ``kind`` and implement the two conversions."""

    kind = ""
    prefix = "p"

    @classmethod
    def initial_from(cls, params: dict[str, Any]) -> dict[str, Any]:
        return {name: params.get(name) for name in cls.base_fields if name in params}

    def to_params(self) -> dict[str, Any]:
        raise NotImplementedError

    def _put(self, out: dict, key: str, value, convert=money_str) -> None:
        if value is not None:
            out[key] = convert(value) if convert else value


class FixedPerShareParams(ParamsForm):
    kind = "fixed_per_share"
    amount = _money(_("Amount per share (yuan)"))

    def to_params(self):
        return {"amount": money_str(self.cleaned_data["amount"])}


class FixedParams(ParamsForm):
    kind = "fixed"
    amount = _money(_("Amount (yuan)"))

    def to_params(self):
        return {"amount": money_str(self.cleaned_data["amount"])}


def _fact_choices(names) -> list[tuple[str, str]]:
    return [(name, FACTS[name][0]) for name in names]


class PerUnitOfAmountParams(ParamsForm):
    kind = "per_unit_of_amount"
    base = forms.ChoiceField(label=_("Counted on"), choices=_fact_choices(MONEY_FACTS))
    unit = _money(_("For each whole (yuan)"), help_text=_("e.g. 10000 for “每满1万元”"))
    per_unit = _money(_("pay (yuan)"))
    min_base = _money(_("Counted only from (yuan)"))
    min_base_term = forms.ChoiceField(label=_("counting"), choices=LOWER_CHOICES, required=False)
    cap = _money(_("Cap (yuan)"))
    per_share = _check(_("Amounts are per share"))

    @classmethod
    def initial_from(cls, params):
        initial = super().initial_from(params)
        initial["min_base_term"] = "以上" if params.get("min_base_inclusive", True) else "超过"
        return initial

    def to_params(self):
        cd = self.cleaned_data
        out: dict[str, Any] = {
            "base": cd["base"],
            "unit": money_str(cd["unit"]),
            "per_unit": money_str(cd["per_unit"]),
        }
        if cd["min_base"] is not None:
            out["min_base"] = money_str(cd["min_base"])
            out["min_base_inclusive"] = LOWER_TERMS[cd["min_base_term"] or "以上"]
        self._put(out, "cap", cd["cap"])
        if cd["per_share"]:
            out["per_share"] = True
        return out


class BandRowsMixin:
    """Up to BAND_ROWS rows of: lower bound + 以上/超过, upper bound + 以下/不满, a value."""

    value_key = "amount"

    def add_band_fields(self, value_label) -> None:
        for n in range(1, BAND_ROWS + 1):
            self.fields[f"band_{n}_lower"] = _money(_("from"))
            self.fields[f"band_{n}_lower_term"] = forms.ChoiceField(
                label=_("counting"), choices=LOWER_CHOICES, required=False
            )
            self.fields[f"band_{n}_upper"] = _money(_("to"))
            self.fields[f"band_{n}_upper_term"] = forms.ChoiceField(
                label=_("counting"), choices=UPPER_CHOICES, required=False
            )
            self.fields[f"band_{n}_value"] = _money(value_label)
        self.band_rows = [
            [self[f"band_{n}_{k}"] for k in ("lower", "lower_term", "upper", "upper_term", "value")]
            for n in range(1, BAND_ROWS + 1)
        ]

    @classmethod
    def band_initial(cls, bands) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for n, band in enumerate(bands or [], start=1):
            if n > BAND_ROWS:
                break
            initial[f"band_{n}_lower"] = band.get("lower")
            initial[f"band_{n}_lower_term"] = (
                "以上" if band.get("lower_inclusive", True) else "超过"
            )
            initial[f"band_{n}_upper"] = band.get("upper")
            initial[f"band_{n}_upper_term"] = (
                "以下" if band.get("upper_inclusive", True) else "不满"
            )
            initial[f"band_{n}_value"] = band.get(cls.value_key)
        return initial

    def band_values(self, value_convert, bound_convert=money_str) -> list[dict[str, Any]]:
        """Filled rows as the engine's bands; money bounds keep two places, like the seeds."""
        cd = self.cleaned_data
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
                band["lower"] = bound_convert(lower)
                band["lower_inclusive"] = LOWER_TERMS[cd.get(f"band_{n}_lower_term") or "以上"]
            if upper is not None:
                band["upper"] = bound_convert(upper)
                band["upper_inclusive"] = UPPER_TERMS[cd.get(f"band_{n}_upper_term") or "以下"]
            band[self.value_key] = value_convert(value)
            bands.append(band)
        return bands


class BandLumpSumParams(BandRowsMixin, ParamsForm):
    kind = "band_lump_sum"
    value_key = "amount"
    base = forms.ChoiceField(label=_("Counted on"), choices=_fact_choices(BAND_BASES))
    per_share = _check(_("Amounts are per share"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_band_fields(_("pay (yuan)"))

    @classmethod
    def initial_from(cls, params):
        return {
            "base": params.get("base"),
            "per_share": params.get("per_share", False),
            **cls.band_initial(params.get("bands")),
        }

    def to_params(self):
        out: dict[str, Any] = {
            "base": self.cleaned_data["base"],
            "bands": self.band_values(
                money_str,
                money_str if self.cleaned_data["base"] in MONEY_FACTS else number_str,
            ),
        }
        if self.cleaned_data["per_share"]:
            out["per_share"] = True
        return out


class SchedulePercentParams(ParamsForm):
    kind = "schedule_percent"
    base = forms.ChoiceField(
        label=_("Table looked up by"),
        choices=_fact_choices(COUNT_FACTS),
        initial="disability_grade",
    )
    sum = _money(_("Sum the percentages apply to (yuan)"))
    per_share = _check(_("The sum is per share"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for grade in GRADES:
            self.fields[f"grade_{grade}"] = _money(format_lazy(_("Grade {} (%)"), grade))
        self.grade_fields = [self[f"grade_{g}"] for g in GRADES]

    @classmethod
    def initial_from(cls, params):
        initial = {
            "base": params.get("base"),
            "sum": params.get("sum"),
            "per_share": params.get("per_share", False),
        }
        for key, pct in (params.get("schedule") or {}).items():
            initial[f"grade_{key}"] = pct
        return initial

    def to_params(self):
        cd = self.cleaned_data
        schedule = {
            str(g): number_str(cd[f"grade_{g}"]) for g in GRADES if cd.get(f"grade_{g}") is not None
        }
        return {
            "base": cd["base"],
            "schedule": schedule,
            "sum": money_str(cd["sum"]),
            "per_share": cd["per_share"],
        }


class PerDayParams(ParamsForm):
    kind = "per_day"
    daily_amount = _money(_("Amount per day (yuan)"))
    deductible_days = _int(_("Days not paid (deductible)"))
    max_days = _int(_("Most days paid"))
    per_share = _check(_("The daily amount is per share"))

    def to_params(self):
        cd = self.cleaned_data
        out: dict[str, Any] = {"daily_amount": money_str(cd["daily_amount"])}
        self._put(out, "deductible_days", cd["deductible_days"], None)
        self._put(out, "max_days", cd["max_days"], None)
        if cd["per_share"]:
            out["per_share"] = True
        return out


class RatioOfAmountParams(BandRowsMixin, ParamsForm):
    kind = "ratio_of_amount"
    value_key = "ratio"
    base = forms.ChoiceField(label=_("Counted on"), choices=_fact_choices(MONEY_FACTS))
    deductible = _money(_("Deductible (yuan)"))
    cost_ceiling = _money(_("Costs counted up to (yuan)"))
    ratio = _money(
        _("One ratio for the whole cost"),
        help_text=_("A fraction, e.g. 0.8 for 80%. Or leave empty and fill the bands below."),
    )
    banding = forms.ChoiceField(
        label=_("Bands apply"), choices=list(BANDINGS.items()), required=False
    )
    cap = _money(_("Cap per claim (yuan)"))
    cap_per_share = _money(_("Cap per claim per share (yuan)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_band_fields(_("ratio (e.g. 0.7)"))

    @classmethod
    def initial_from(cls, params):
        initial = {
            k: params.get(k)
            for k in (
                "base",
                "deductible",
                "cost_ceiling",
                "ratio",
                "banding",
                "cap",
                "cap_per_share",
            )
        }
        return {**initial, **cls.band_initial(params.get("bands"))}

    def to_params(self):
        cd = self.cleaned_data
        out: dict[str, Any] = {"base": cd["base"]}
        for key in ("deductible", "cost_ceiling", "cap", "cap_per_share"):
            self._put(out, key, cd[key])
        self._put(out, "ratio", cd["ratio"], number_str)
        bands = self.band_values(number_str)
        if bands:
            out["bands"] = bands
            out["banding"] = cd["banding"] or "progressive"
        return out


class MonthlyAllowanceParams(ParamsForm):
    kind = "monthly_allowance"
    monthly_amount = _money(_("Amount per month (yuan)"))
    monthly_amount_basis = forms.CharField(
        label=_("Where the monthly amount comes from"),
        required=False,
        max_length=200,
        help_text=_("e.g. the city's minimum monthly wage"),
    )
    max_months = _int(_("Most months paid"))
    per_share = _check(_("The monthly amount is per share"))

    def to_params(self):
        cd = self.cleaned_data
        out: dict[str, Any] = {"monthly_amount": money_str(cd["monthly_amount"])}
        self._put(out, "max_months", cd["max_months"], None)
        if (cd["monthly_amount_basis"] or "").strip():
            out["monthly_amount_basis"] = cd["monthly_amount_basis"].strip()
        if cd["per_share"]:
            out["per_share"] = True
        return out


class DiscretionaryParams(ParamsForm):
    kind = "discretionary"
    cap = _money(
        _("Highest amount the committee may grant (yuan)"),
        help_text=_("Empty: no cap. Every payout of this item needs a second approver."),
    )

    def to_params(self):
        out: dict[str, Any] = {}
        self._put(out, "cap", self.cleaned_data["cap"])
        return out


PARAM_FORMS: dict[str, type[ParamsForm]] = {
    cls.kind: cls
    for cls in (
        FixedPerShareParams,
        FixedParams,
        PerUnitOfAmountParams,
        BandLumpSumParams,
        SchedulePercentParams,
        PerDayParams,
        RatioOfAmountParams,
        MonthlyAllowanceParams,
        DiscretionaryParams,
    )
}
assert set(PARAM_FORMS) == set(FORMULA_LABELS), "every engine formula needs a form"


class FormulaChoiceForm(forms.Form):
    formula = forms.ChoiceField(label=_("Formula"), choices=list(FORMULA_LABELS.items()))


# --- calculator --------------------------------------------------------------------


def _fact_label(name: str) -> str:
    label, unit, _kind = FACTS[name]
    return f"{label}({unit})"


class CalculatorForm(FieldsetsMixin, forms.Form):
    """Shares (or tranches), dates and facts for one assessment; nothing is stored."""

    version = forms.ModelChoiceField(
        label=_("Plan version"), queryset=PlanVersion.objects.none(), to_field_name="pk"
    )
    shares = _int(_("Shares held"), initial=1)
    previous_shares = _int(_("Shares held last year (renewals)"))
    renewed_in_time = _check(_("Renewed in time (no new waiting period for last year's shares)"))
    effective_date = _date(_("Cover starts on"))
    end_date = _date(
        _("Cover ends on"),
        required=False,
        help_text=_("Empty: the plan's term from the start date."),
    )
    event_kind = forms.ChoiceField(label=_("What happened"), choices=list(EVENT_KINDS.items()))
    event_date = _date(_("On"))
    condition = forms.ChoiceField(label=_("Condition diagnosed"), required=False, choices=[])
    cause = forms.ChoiceField(
        label=_("Cause"), required=False, choices=[("", "—"), *CAUSES.items()]
    )
    self_paid = _money(_fact_label("self_paid"))
    eligible_cost = _money(_fact_label("eligible_cost"))
    hospital_days = _int(_fact_label("hospital_days"))
    disability_grade = _int(_fact_label("disability_grade"))
    months = _int(_fact_label("months"))
    died_within_days = _int(_fact_label("died_within_days"))
    decided_amount = _money(_fact_label("decided_amount"))
    exclusions = _checkboxes(_("Exclusions found by the reviewer"), [])

    layout = [
        (
            _("Cover"),
            ["shares", "previous_shares", "renewed_in_time", "effective_date", "end_date"],
        ),
        (_("The event"), ["event_kind", "event_date", "condition", "cause"]),
        (
            _("Facts the formulas need"),
            [
                "self_paid",
                "eligible_cost",
                "hospital_days",
                "disability_grade",
                "months",
                "died_within_days",
                "decided_amount",
                "exclusions",
            ],
        ),
    ]

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["version"]
        field.queryset = versions
        field.label_from_instance = self._version_label
        for n in range(1, TRANCHE_ROWS + 1):
            self.fields[f"tranche_{n}_shares"] = _int(_("shares"))
            self.fields[f"tranche_{n}_start"] = _date(_("from"), required=False)
            self.fields[f"tranche_{n}_waiting_end"] = _date(_("covered from"), required=False)
        self.tranche_rows = [
            [self[f"tranche_{n}_{k}"] for k in ("shares", "start", "waiting_end")]
            for n in range(1, TRANCHE_ROWS + 1)
        ]
        listed = list(versions)
        self.chosen = self._chosen_version(listed)
        terms_list = [self.chosen.terms] if self.chosen else [v.terms for v in listed]
        conditions: dict[str, str] = {}
        exclusions: dict[str, str] = {}
        for terms in terms_list:
            for c in terms.get("covered_conditions") or ():
                conditions.setdefault(c.get("code"), c.get("name"))
            for c in terms.get("exclusions") or ():
                exclusions.setdefault(c.get("code"), c.get("name"))
        self.fields["condition"].choices = [
            ("", "—"),
            *((c, f"{n}") for c, n in conditions.items()),
        ]
        self.fields["exclusions"].choices = list(exclusions.items())

    @staticmethod
    def _version_label(version: PlanVersion) -> str:
        status = "" if version.is_published else f" [{version.get_status_display()}]"
        return f"{version.plan.display_name} · {version.label} (v{version.number}){status}"

    def _chosen_version(self, versions) -> PlanVersion | None:
        raw = self.data.get("version") if self.is_bound else self.initial.get("version")
        if isinstance(raw, PlanVersion):
            return raw
        if not raw:
            return None
        try:
            return next((v for v in versions if str(v.pk) == str(raw)), None)
        except (ValueError, TypeError):
            return None

    def to_input(self) -> CalculatorInput:
        cd = self.cleaned_data
        tranches = []
        for n in range(1, TRANCHE_ROWS + 1):
            shares = cd.get(f"tranche_{n}_shares")
            if shares is None:
                continue
            start: date = cd.get(f"tranche_{n}_start") or cd["effective_date"]
            waiting_end: date = cd.get(f"tranche_{n}_waiting_end") or start
            tranches.append(ShareTranche(shares=shares, start=start, waiting_end=waiting_end))
        facts = facts_from(cd)
        return CalculatorInput(
            effective_date=cd["effective_date"],
            end_date=cd["end_date"],
            shares=cd["shares"] if cd["shares"] is not None else 1,
            previous_shares=cd["previous_shares"] or 0,
            renewed_in_time=cd["renewed_in_time"],
            tranches=tuple(tranches),
            facts=facts,
        )
