"""Forms translate input; the services decide (one validation path)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mutualaid.tenancy.models import Organisation, OrganisationKind, Role


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganisationKind.choices)
    code = forms.CharField(label=_("Code"), max_length=50, required=False)

    def __init__(self, *args, allowed_kinds=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if allowed_kinds is not None:
            self.fields["kind"].choices = [
                (k, OrganisationKind(k).label)
                for k in OrganisationKind.values
                if k in allowed_kinds
            ]
        if editing:
            del self.fields["kind"]


class StaffForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    display_name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=100)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), to_field_name="pk"
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )
    password = forms.CharField(
        label=_("Initial password"), widget=forms.PasswordInput(render_value=False), strip=False
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, organisations, editing=False, grantable_roles=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].label_from_instance = lambda node: (
            ("— " * (node.depth - 1)) + node.name
        )
        if grantable_roles is not None:
            self.fields["roles"].choices = [
                (r, Role(r).label) for r in Role.values if r in grantable_roles
            ]
        if editing:
            for name in ("username", "password", "email", "phone"):
                del self.fields[name]
        else:
            del self.fields["is_active"]
