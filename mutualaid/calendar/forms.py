"""Forms translate input; the calendar services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from mutualaid.calendar.models import DayKind

# Long enough for any limit in the plans (claim expiry is 1 year), short enough to never
# overflow a date.
MAX_DAYS = 3660


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    kind = forms.ChoiceField(label=_("Kind"), choices=DayKind.choices)
    name = forms.CharField(
        label=_("Holiday"),
        max_length=100,
        required=False,
        help_text=_("For example: National Day."),
    )


class DateOnlyForm(forms.Form):
    date = forms.DateField(widget=forms.HiddenInput())


class DeadlineForm(forms.Form):
    start = forms.DateField(label=_("Start date"), widget=DateInput())
    days = forms.IntegerField(label=_("Days"), min_value=0, max_value=MAX_DAYS)
