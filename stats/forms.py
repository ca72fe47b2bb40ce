"""Statistics forms: a monthly return's submission, send-back and preparation, and the
tenant's return settings (due working day, reminder)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from stats.models import ReturnSettings


class SubmitForm(forms.Form):
    remarks = forms.CharField(
        label=_("Remarks for the office"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reviewed = forms.BooleanField(
        label=_("I have checked these figures against our records."),
        required=False,
    )


class SendBackForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it goes back"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PrepareForm(forms.Form):
    month = forms.CharField(label=_("Month"), max_length=7, help_text=_("YYYY-MM"))

    def clean_month(self):
        raw = self.cleaned_data["month"].strip()
        try:
            year, month = (int(part) for part in raw.split("-"))
        except ValueError:
            raise forms.ValidationError(_("Write the month as YYYY-MM, e.g. 2026-10.")) from None
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise forms.ValidationError(_("Write the month as YYYY-MM, e.g. 2026-10."))
        return year, month


class ReturnSettingsForm(forms.ModelForm):
    class Meta:
        model = ReturnSettings
        fields = ["due_working_day", "remind_working_days"]
