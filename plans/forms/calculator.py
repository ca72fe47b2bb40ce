"""The calculator form: shares (or tranches), dates and facts for one assessment.

Nothing is stored. The version list is the caller's (already scoped) queryset; the
condition and exclusion choices come from the chosen version's terms, or from every
listed version's terms until one is chosen.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from plans.calculator import CalculatorInput, facts_from
from plans.forms.base import (
    FieldsetsMixin,
    check_field,
    checkboxes_field,
    date_field,
    int_field,
    money_field,
)
from plans.models import PlanVersion
from plans.rules import CAUSES, EVENT_KINDS, FACTS, ShareTranche

TRANCHE_ROWS = 3


def _fact_label(name: str) -> str:
    label, unit, _kind = FACTS[name]
    return f"{label}({unit})"


class CalculatorForm(FieldsetsMixin, forms.Form):
    """Shares (or tranches), dates and facts for one assessment; nothing is stored."""

    version = forms.ModelChoiceField(
        label=_("Plan version"), queryset=PlanVersion.objects.none(), to_field_name="pk"
    )
    shares = int_field(_("Shares held"), initial=1)
    tier = forms.ChoiceField(
        label=_("Tier held"),
        required=False,
        choices=[],
        help_text=_("Plans sold in tiers: the tier's amounts replace the items' own."),
    )
    previous_shares = int_field(_("Shares held last year (renewals)"))
    renewed_in_time = check_field(
        _("Renewed in time (no new waiting period for last year's shares)")
    )
    effective_date = date_field(_("Cover starts on"))
    end_date = date_field(
        _("Cover ends on"),
        required=False,
        help_text=_("Empty: the plan's term from the start date."),
    )
    event_kind = forms.ChoiceField(label=_("What happened"), choices=list(EVENT_KINDS.items()))
    event_date = date_field(_("On"))
    condition = forms.ChoiceField(label=_("Condition diagnosed"), required=False, choices=[])
    cause = forms.ChoiceField(
        label=_("Cause"), required=False, choices=[("", "—"), *CAUSES.items()]
    )
    self_paid = money_field(_fact_label("self_paid"))
    eligible_cost = money_field(_fact_label("eligible_cost"))
    hospital_days = int_field(_fact_label("hospital_days"))
    disability_grade = int_field(_fact_label("disability_grade"))
    months = int_field(_fact_label("months"))
    died_within_days = int_field(_fact_label("died_within_days"))
    decided_amount = money_field(_fact_label("decided_amount"))
    exclusions = checkboxes_field(_("Exclusions found by the reviewer"), [])

    layout = [
        (
            _("Cover"),
            [
                "shares",
                "tier",
                "previous_shares",
                "renewed_in_time",
                "effective_date",
                "end_date",
            ],
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
            self.fields[f"tranche_{n}_shares"] = int_field(_("shares"))
            self.fields[f"tranche_{n}_start"] = date_field(_("from"), required=False)
            self.fields[f"tranche_{n}_waiting_end"] = date_field(_("covered from"), required=False)
        self.tranche_rows = [
            [self[f"tranche_{n}_{k}"] for k in ("shares", "start", "waiting_end")]
            for n in range(1, TRANCHE_ROWS + 1)
        ]
        listed = list(versions)
        self.chosen = self._chosen_version(listed)
        terms_list = [self.chosen.terms] if self.chosen else [v.terms for v in listed]
        conditions: dict[str, str] = {}
        exclusions: dict[str, str] = {}
        tiers: dict[str, str] = {}
        for terms in terms_list:
            for t in terms.get("tiers") or ():
                tiers.setdefault(t.get("code"), f"{t.get('name')} (¥{t.get('premium')})")
            for c in terms.get("covered_conditions") or ():
                conditions.setdefault(c.get("code"), c.get("name"))
            for c in terms.get("exclusions") or ():
                exclusions.setdefault(c.get("code"), c.get("name"))
        self.fields["condition"].choices = [
            ("", "—"),
            *((c, f"{n}") for c, n in conditions.items()),
        ]
        self.fields["exclusions"].choices = list(exclusions.items())
        if tiers:
            self.fields["tier"].choices = [("", "—"), *tiers.items()]
        else:
            del self.fields["tier"]

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
            tier=cd.get("tier") or None,
        )
