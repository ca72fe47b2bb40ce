"""The API tokens page (/account/tokens/): create a named token with an expiry (shown once),
see when each was last used, revoke it; office admins also create service accounts of
their node and tokens for them. Thin over ``mutualaid.api.tokens``, like the API."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mutualaid.api import tokens
from mutualaid.core.errors import bind_to_form
from mutualaid.tenancy.access import staff_required
from mutualaid.tenancy.models import Role, User


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Token name"),
        max_length=100,
        help_text=gettext_lazy("The system that will use it, e.g. the membership database."),
    )
    expires_on = forms.DateField(
        label=gettext_lazy("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("At most a year; 90 days when left empty."),
    )
    service_account = forms.ChoiceField(label=gettext_lazy("The token acts as"), required=False)

    def __init__(self, *args, accounts=(), **kwargs):
        super().__init__(*args, **kwargs)
        if accounts:
            self.fields["service_account"].choices = [("", _("Myself"))] + [
                (str(s.user_id), f"{s.user.display_name} ({s.user.username})") for s in accounts
            ]
        else:
            del self.fields["service_account"]


class ServiceAccountForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("User name"), max_length=150)
    display_name = forms.CharField(label=gettext_lazy("Name"), max_length=100, required=False)
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )


@staff_required()
def token_list(request):
    actor = request.actor
    accounts = list(tokens.service_accounts_of(actor))
    is_admin = actor.has_role(Role.OFFICE_ADMIN)
    posted = request.POST.get("form") if request.method == "POST" else None
    form = TokenForm(request.POST if posted == "token" else None, accounts=accounts)
    account_form = ServiceAccountForm(request.POST if posted == "account" else None)
    created = None
    if posted == "token" and form.is_valid():
        data = form.cleaned_data
        account_id = data.get("service_account")
        try:
            created = tokens.token_create(
                actor=actor,
                name=data["name"],
                expires_on=data["expires_on"],
                service_account=User(pk=account_id) if account_id else None,
            )
        except ValidationError as error:
            bind_to_form(form, error)
        else:
            form = TokenForm(accounts=accounts)
    elif posted == "account" and is_admin and account_form.is_valid():
        try:
            staff = tokens.service_account_create(actor=actor, **account_form.cleaned_data)
        except ValidationError as error:
            bind_to_form(account_form, error)
        else:
            messages.success(
                request,
                _("Service account %(name)s was created: now create a token for it.")
                % {"name": staff.user.username},
            )
            return redirect("tenancy:token_list")
    # Every row of the page in one query (user and creator joined); a person has a handful.
    rows = list(tokens.tokens_of(actor)[:200])
    return render(
        request,
        "tenancy/token_list.html",
        {
            "form": form,
            "account_form": account_form if is_admin else None,
            "accounts": accounts,
            "rows": rows,
            "created": created,
        },
        status=201 if created else 200,
    )


@staff_required()
def token_revoke(request, token_id):
    token = tokens.access_token(request.actor, token_id)  # 404 first, like every page
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    tokens.token_revoke(actor=request.actor, token=token)
    messages.success(request, _("The token %(name)s was revoked.") % {"name": token.name})
    return redirect("tenancy:token_list")
