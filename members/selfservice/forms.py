from django import forms
from django.utils.translation import gettext_lazy as _


class SignInForm(forms.Form):
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    phone = forms.CharField(
        label=_("Mobile number on file"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("New mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )


class PhoneConfirmForm(forms.Form):
    old_code = forms.CharField(label=_("Code sent to the old number"), max_length=10)
    new_code = forms.CharField(label=_("Code sent to the new number"), max_length=10)
