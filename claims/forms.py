"""Claim forms translate input; the services decide (one validation path).

Every field a service validates is a plain, optional field here: an empty or bad value
gets the service's own message on the field it names, the same words the API gives.
Choice fields render as selects but do not check the choice themselves.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from claims.models import ClaimStatus, DocumentKind, PayeeRelation
from claims.selectors import GROUP_LABELS, StatusGroup
from mutualaid.core.errors import bind_to_form
from mutualaid.core.forms import AccountOnFileMixin
from plans.rules import CAUSES, EVENT_KINDS, FACTS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _text(label, *, max_length=200, **kwargs):
    return forms.CharField(label=label, max_length=max_length, required=False, **kwargs)


def _select(label, choices, **kwargs):
    """A select whose value the service checks (no "Select a valid choice" of Django's)."""
    return forms.CharField(
        label=label, required=False, widget=forms.Select(choices=choices), **kwargs
    )


def bound_with_errors(form_class, data: dict, error: ValidationError, **kwargs):
    """A form bound to ``data`` carrying a service's errors (errors need a bound form)."""
    form = form_class(data=data, **kwargs)
    form.is_valid()
    bind_to_form(form, error)
    return form


class ReportForm(forms.Form):
    """An incident report (报案) for one member; the service computes the deadline."""

    plan = _select(_("Plan"), [])
    event_kind = _select(_("Kind of event"), [("", "—"), *EVENT_KINDS.items()])
    cause = _select(_("Cause"), [("", "—"), *CAUSES.items()])
    event_date = _text(_("Event date (or date of diagnosis)"), max_length=20, widget=DateInput())
    description = _text(
        _("What happened (briefly)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Where and how it happened, the hospital, the diagnosis."),
    )
    reporter_name = _text(
        _("Reported by"),
        max_length=100,
        help_text=_("The member, a family member… Empty: you report it yourself."),
    )
    reporter_phone = _text(_("Reporter's phone"), max_length=30)
    same_incident_as = _select(
        _("Same incident as report"),
        [],
        help_text=_(
            "A death after the disability of the same accident, say: choose the earlier "
            "report, and what was granted on it is deducted as the plan says."
        ),
    )

    def __init__(self, *args, plans=(), kinds=None, earlier=(), **kwargs):
        """``kinds``: the event kinds the member's cover pays for (None: every kind; the
        service refuses a kind not covered on the event date either way); ``earlier``:
        the member's earlier reports (the field is left out when there are none)."""
        super().__init__(*args, **kwargs)
        choices = [(str(p.pk), p.display_name) for p in plans]
        if len(choices) != 1:
            choices = [("", "—"), *choices]
        self.fields["plan"].widget.choices = choices
        if kinds is not None:
            self.fields["event_kind"].widget.choices = [
                ("", "—"),
                *((kind, label) for kind, label in EVENT_KINDS.items() if kind in kinds),
            ]
        if earlier:
            self.fields["same_incident_as"].widget.choices = [
                ("", "—"),
                *(
                    (
                        str(r.pk),
                        f"{r.number} · {r.event_date.isoformat()} · "
                        f"{EVENT_KINDS.get(r.event_kind, r.event_kind)}",
                    )
                    for r in earlier
                ),
            ]

    def report(self, report_create, *, plans, not_a_plan, **who):
        """Validate and file the report through ``report_create`` (the one service, for the
        agent's page and the member's alike): the report, or None with the errors bound to
        the form. ``not_a_plan``: the message when the plan chosen is not among ``plans``."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        plan = next((p for p in plans if str(p.pk) == data["plan"]), None)
        if plan is None:
            self.add_error("plan", not_a_plan)
            return None
        extra = {
            name: data.get(name, "")
            for name in ("reporter_name", "reporter_phone", "same_incident_as")
            if name in self.fields
        }
        try:
            return report_create(
                plan=plan,
                event_kind=data["event_kind"],
                cause=data["cause"],
                event_date=data["event_date"],
                description=data["description"],
                **extra,
                **who,
            )
        except ValidationError as error:
            bind_to_form(self, error)
            return None
        else:
            del self.fields["same_incident_as"]


class ApplicationForm(AccountOnFileMixin, forms.Form):
    """The application: the condition and the facts the plan's formulas need for this
    event, and the payee. Fact fields are built from the plan (``facts``); an account the
    user may not read is ``account_on_file`` (``AccountOnFileMixin``)."""

    condition = _select(_("Condition diagnosed"), [])
    payee_name = _text(_("Payee"), max_length=100)
    payee_relation = _select(_("Relation to the member"), PayeeRelation.choices)
    bank_name = _text(
        _("Bank"), max_length=100, help_text=_("Bank and branch, e.g. 工商银行梧州分行.")
    )
    bank_account = _text(
        _("Account number"),
        max_length=60,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args, facts=(), conditions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if conditions:
            self.fields["condition"].widget.choices = [("", "—"), *conditions.items()]
        else:
            del self.fields["condition"]
        self.fact_names = list(facts)
        for name in reversed(self.fact_names):
            label, unit, kind = FACTS[name]
            field = _text(
                f"{label}({unit})",
                max_length=20,
                widget=forms.TextInput(
                    attrs={"inputmode": "decimal" if kind == "money" else "numeric"}
                ),
            )
            # Facts first, in the plan's order, then the payee.
            self.fields = {name: field, **self.fields}

    @property
    def fact_fields(self):
        return [self[name] for name in self.fact_names]

    @property
    def other_fields(self):
        return [self[name] for name in self.fields if name not in self.fact_names]

    def data_for_service(self) -> dict:
        return {name: self.cleaned_data.get(name, "") for name in self.fields}

    @staticmethod
    def initial_for(claim, *, with_account: bool = True) -> dict:
        """The claim's values; ``with_account=False`` leaves the account out (for a user
        who sees it masked)."""
        return {
            "condition": claim.condition,
            "payee_name": claim.payee_name,
            "payee_relation": claim.payee_relation,
            "bank_name": claim.bank_name,
            "bank_account": claim.bank_account if with_account else "",
            **(claim.facts or {}),
        }


class DocumentForm(forms.Form):
    kind = _select(_("Document"), [("", "—"), *DocumentKind.choices])
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("PDF, JPEG or PNG; a photo taken with a phone is fine."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )


class DecisionForm(forms.Form):
    """A reviewer's decision; the button pressed names the action."""

    amount = _text(
        _("Amount to pay (yuan)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("Leave the assessed amount, or change it and write the reason."),
    )
    reason = _text(
        _("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to adjust the amount, ask for documents, investigate or reject."),
    )


class ReassessForm(forms.Form):
    exclusions = forms.MultipleChoiceField(
        label=_("Exclusions that apply"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[],
    )

    def __init__(self, *args, exclusions=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The service refuses unknown codes with its own words: offer the plan's list, and
        # keep whatever came in so the service sees it.
        choices = list((exclusions or {}).items())
        posted = self.data.getlist("exclusions") if hasattr(self.data, "getlist") else []
        known = {code for code, _ in choices}
        choices += [(code, code) for code in posted if code not in known]
        self.fields["exclusions"].choices = choices


class LateDecisionForm(forms.Form):
    reason = _text(
        _("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why the report came late and why it is accepted (or refused)."),
    )


class PayeeCorrectionForm(AccountOnFileMixin, forms.Form):
    bank_name = _text(_("Bank"), max_length=100)
    bank_account = _text(
        _("Account number"),
        max_length=60,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class PaidForm(forms.Form):
    paid_on = _text(_("Paid on"), max_length=20, widget=DateInput())


class LineFailedForm(forms.Form):
    reason = _text(_("Why the transfer failed"), max_length=300)


def status_choices() -> list[tuple[str, str]]:
    groups = [
        (key, GROUP_LABELS[key])
        for key in (
            StatusGroup.REVIEW,
            StatusGroup.LATE,
            StatusGroup.TO_DO,
            StatusGroup.PAYOUT,
            StatusGroup.ALL,
        )
    ]
    return [*groups, *ClaimStatus.choices]


class QueueFilterForm(forms.Form):
    """Filters of the queue (GET). Bad values are dropped, never a 500."""

    status = forms.CharField(required=False)
    plan = forms.UUIDField(required=False)
    event_kind = forms.CharField(required=False)
    submitted_from = forms.DateField(required=False, widget=DateInput())
    submitted_to = forms.DateField(required=False, widget=DateInput())
    q = forms.CharField(required=False, max_length=60)
    near_limit = forms.BooleanField(required=False)
