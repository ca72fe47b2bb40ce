"""The delivery choice form: it translates input; the service decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from mutualaid.notifications.models import EmailMode


class PreferenceForm(forms.Form):
    email_mode = forms.ChoiceField(
        label=_("By e-mail"), choices=EmailMode.choices, widget=forms.RadioSelect
    )
    sms = forms.BooleanField(label=_("Also by text message, at once"), required=False)
    mobile = forms.CharField(label=_("Mobile number"), required=False, max_length=30)
