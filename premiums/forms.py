"""Forms translate input; the services decide (one validation path)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from premiums.models import Party


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PaymentForm(forms.Form):
    bank_reference = forms.CharField(
        label=_("Bank reference"),
        max_length=100,
        help_text=_("The transfer's reference (流水号) as on the bank statement."),
    )
    paid_on = forms.DateField(label=_("Date received"), widget=DateInput())
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), max_digits=14, decimal_places=2, min_value=0
    )
    party = forms.ChoiceField(
        label=_("Paid by"), required=False, choices=[("", _("(not said)")), *Party.choices]
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, parties=None, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("paid_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        if parties:
            self.fields["party"].choices = [("", _("(not said)"))] + [
                (value, label) for value, label in Party.choices if value in parties
            ]


class RefundForm(forms.Form):
    bank_reference = forms.CharField(label=_("Bank reference of the refund"), max_length=100)
    paid_on = forms.DateField(label=_("Date paid back"), widget=DateInput())
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), max_digits=14, decimal_places=2, min_value=0
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("paid_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class QueueFilterForm(forms.Form):
    status = forms.CharField(required=False)
    plan = forms.UUIDField(required=False)
    issued_from = forms.DateField(required=False, widget=DateInput())
    issued_to = forms.DateField(required=False, widget=DateInput())
    number = forms.CharField(required=False, max_length=30)
