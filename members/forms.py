"""Forms translate input; the services decide (one validation path).

Fields the services validate are ``required=False`` here, so an empty or bad value
gets the service's message, the same one the API and the roster upload give.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import EmploymentStatus, Industry, MemberCategory, Ownership
from mutualaid.core.forms import AccountOnFileMixin


class UnitForm(AccountOnFileMixin, forms.Form):
    """A unit's registration data. ``account_on_file``: see ``AccountOnFileMixin``."""

    parent = forms.ModelChoiceField(label=_("Placed under"), queryset=None, to_field_name="pk")
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    code = forms.CharField(label=_("Code"), max_length=50, required=False)
    credit_code = forms.CharField(
        label=_("Unified social credit code"), max_length=40, required=False
    )
    ownership = forms.ChoiceField(label=_("Ownership"), choices=Ownership.choices)
    industry = forms.ChoiceField(
        label=_("Industry"), choices=[("", "—"), *Industry.choices], required=False
    )
    union_member_count = forms.IntegerField(
        label=_("Union members"),
        min_value=0,
        required=False,
        help_text=_("Headcount of union members, for coverage rates."),
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    bank_name = forms.CharField(label=_("Bank"), max_length=100, required=False)
    bank_account = forms.CharField(label=_("Bank account"), max_length=60, required=False)

    def __init__(self, *args, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        if parents is None:
            del self.fields["parent"]
        else:
            self.fields["parent"].queryset = parents
            self.fields["parent"].label_from_instance = lambda node: (
                ("— " * (node.depth - 1)) + node.name
            )


class MemberForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=100, required=False)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=60,
        required=False,
        help_text=_("18 characters; sex and birth date are read from it."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=MemberCategory.choices)
    employment_status = forms.ChoiceField(
        label=_("Employment status"), choices=EmploymentStatus.choices
    )
    is_union_member = forms.BooleanField(label=_("Union member"), required=False, initial=True)

    def __init__(self, *args, with_id_number=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_id_number:
            # The actor sees a masked number and cannot correct it (see members.access).
            del self.fields["id_number"]


class TransferForm(forms.Form):
    to_unit = forms.ModelChoiceField(label=_("To unit"), queryset=None, to_field_name="pk")
    date = forms.DateField(label=_("Transfer date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = units
        self.fields["to_unit"].label_from_instance = lambda unit: unit.organisation.name
