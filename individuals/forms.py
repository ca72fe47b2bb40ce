"""The public application form. Inputs stay text: the service checks them all (one
validation path, ``members.validation``); the widgets only offer the choices."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ApplicationForm(forms.Form):
    plan = forms.CharField(label=_("Plan"), widget=forms.Select)
    name = forms.CharField(label=_("Full name"), max_length=50)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    occupation = forms.CharField(label=_("Occupation"), widget=forms.Select)
    platform = forms.CharField(label=_("Platform"), required=False, widget=forms.Select)

    def __init__(self, *args, versions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].widget.choices = [
            (str(v.pk), f"{v.plan.display_name}（{v.label}）") for v in versions
        ]
        occupations: list[str] = []
        platforms: list[str] = []
        for version in versions:
            offer = version.individual_offer or {}
            occupations += [o for o in offer.get("occupations", []) if o not in occupations]
            platforms += [p for p in offer.get("platforms", []) if p not in platforms]
        self.fields["occupation"].widget.choices = [("", _("Choose…"))] + [
            (o, o) for o in occupations
        ]
        self.fields["platform"].widget.choices = [("", _("Choose…"))] + [(p, p) for p in platforms]


class DecideForm(forms.Form):
    ids = forms.MultipleChoiceField(required=False)
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("refuse", "refuse")])
    reason = forms.CharField(required=False, max_length=1000)
