"""Forms translate input; the services decide (one validation path).

Values the services judge (amounts, shares, ID numbers, names) are plain optional text
fields here, so a bad value gets the service's message — the same the API, the admin
and the roster upload give.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from enrolment.models import FundingMode
from enrolment.rules import LineError
from members.models import MemberCategory


def _amount(label):
    return forms.CharField(label=label, max_length=20, required=False, initial="0.00")


class FundingFields(forms.Form):
    funding_mode = forms.ChoiceField(label=_("Funding"), choices=FundingMode.choices)
    administration_amount = _amount(_("Paid by the unit administration (yuan)"))
    union_amount = _amount(_("Paid by the union (yuan)"))
    member_amount = _amount(_("Paid by the members (yuan)"))
    federation_amount = _amount(_("Gifted by the federation (yuan)"))
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )


FUNDING_HELP = _(
    "A single payer pays the whole premium. With several payers, enter each party's amount: "
    "they must add up to the premium when the enrolment is submitted."
)


class EnrolmentForm(FundingFields):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, to_field_name="pk")
    plan = forms.ModelChoiceField(label=_("Plan"), queryset=None, to_field_name="pk")
    start_date = forms.DateField(
        label=_("Cover from"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "The plan version in force on this day applies. Cover starts on this day when "
            "paid before it, otherwise on the day after payment."
        ),
    )

    field_order = ["unit", "plan", "start_date", "funding_mode"]

    def __init__(self, *args, units, plans, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda unit: unit.organisation.name
        self.fields["plan"].queryset = plans
        self.fields["plan"].label_from_instance = lambda plan: plan.name
        self.fields["funding_mode"].help_text = FUNDING_HELP


class FollowUpForm(FundingFields):
    """A renewal (the period follows the previous one) or a mid-term addition (from a date)."""

    start_date = forms.DateField(
        label=_("Cover from"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )

    def __init__(self, *args, with_start: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_start:
            del self.fields["start_date"]
        self.fields["funding_mode"].help_text = FUNDING_HELP


class LineForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=100, required=False)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=60,
        required=False,
        help_text=_("18 characters; sex and birth date are read from it."),
    )
    shares = forms.CharField(label=_("Shares"), max_length=10, required=False)
    tier = forms.ChoiceField(label=_("Tier"), required=False, choices=())
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("As registered (new people: worker)")), *MemberCategory.choices],
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        help_text=_("For people not registered yet."),
    )

    def __init__(self, *args, tiers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if tiers:
            self.fields["tier"].choices = [("", "—"), *tiers]
            del self.fields["shares"]
        else:
            del self.fields["tier"]


class LineEditForm(forms.Form):
    shares = forms.CharField(label=_("Shares"), max_length=10, required=False)
    tier = forms.ChoiceField(label=_("Tier"), required=False, choices=())

    def __init__(self, *args, tiers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if tiers:
            self.fields["tier"].choices = [("", "—"), *tiers]
            del self.fields["shares"]
        else:
            del self.fields["tier"]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=1000
    )


class PolicyEndForm(forms.Form):
    on = forms.DateField(
        label=_("Last covered day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


def add_line_errors(form: forms.Form, errors: list[LineError]) -> None:
    """Put the rules' problems on the fields they name (on the form when it has no such field)."""
    for error in errors:
        target = error.field if error.field in form.fields else None
        form.add_error(target, error.message)
