"""The reviewer's steps on the claim page: a decision (approve, ask for documents, send to
investigation, reject), the exclusions found and a new assessment, the decision on a late
report, and the payee's account corrected after a failed transfer. A refused step shows
the claim page again with the form bound to the service's messages.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from claims import access
from claims.forms import DecisionForm, LateDecisionForm, PayeeCorrectionForm, ReassessForm
from claims.models import ClaimStatus
from claims.services import payouts, reports, review
from claims.views.claim import account_on_file, render_detail, terms_of_claim
from claims.views.responses import post_only
from mutualaid.core.errors import bind_to_form
from mutualaid.tenancy.access import staff_required


@staff_required(*access.REVIEWERS)
def claim_decide(request, claim_id):
    """A reviewer's decision: approve (as assessed, or adjusted with a reason), ask for
    documents, send to investigation, reject. The service refuses the filer and a second
    approval by the first approver, whatever the page showed."""
    actor = request.actor
    claim = access.access_claim(actor, claim_id)
    if refused := post_only(request):
        return refused
    form = DecisionForm(request.POST)
    action = request.POST.get("action", "")
    if form.is_valid():
        try:
            claim = review.claim_decide(
                actor=actor,
                claim=claim,
                action=action,
                amount=form.cleaned_data["amount"] if action == "approve" else None,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            bind_to_form(form, error)
        else:
            messages.success(request, _decision_message(claim, action))
            return redirect("claims:claim_detail", claim.pk)
    return render_detail(request, claim, decision_form=form, status=400)


def _decision_message(claim, action: str) -> str:
    if action == "approve" and claim.status == ClaimStatus.SECOND_APPROVAL:
        return _("First approval given (¥%(amount)s): a second reviewer must confirm it.") % {
            "amount": claim.approved_amount
        }
    if action == "approve":
        return _("Approved: ¥%(amount)s, to be paid by %(due)s.") % {
            "amount": claim.approved_amount,
            "due": claim.payout_due.isoformat() if claim.payout_due else "—",
        }
    return _("Decision recorded: %(status)s.") % {"status": claim.get_status_display()}


@staff_required(*access.CLAIM_ACTIONS["reassess"].roles)
def claim_reassess(request, claim_id):
    actor = request.actor
    claim = access.access_claim(actor, claim_id)
    if refused := post_only(request):
        return refused
    terms = terms_of_claim(claim)
    form = ReassessForm(request.POST, exclusions=dict(terms.exclusions) if terms else {})
    if form.is_valid():
        try:
            claim = review.claim_reassess(
                actor=actor, claim=claim, exclusions=form.cleaned_data["exclusions"]
            )
        except ValidationError as error:
            bind_to_form(form, error)
        else:
            messages.success(
                request,
                _("Assessed again: ¥%(amount)s.") % {"amount": claim.assessed_amount},
            )
            return redirect(reverse("claims:claim_detail", args=[claim.pk]) + "#assessment")
    return render_detail(request, claim, reassess_form=form, status=400)


@staff_required(*access.REPORT_ACTIONS["accept_late"].roles)
def report_late_decide(request, claim_id):
    """Accept a late report (only with a written reason), or refuse it."""
    actor = request.actor
    claim = access.access_claim(actor, claim_id)
    if refused := post_only(request):
        return refused
    form = LateDecisionForm(request.POST)
    accept = request.POST.get("decision") == "accept"
    if form.is_valid():
        try:
            reports.report_decide_late(
                actor=actor, report=claim.report, accept=accept, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            bind_to_form(form, error)
        else:
            messages.success(
                request,
                _("The late report was accepted: the application can go ahead.")
                if accept
                else _("The late report was refused: the claim is closed."),
            )
            return redirect("claims:claim_detail", claim.pk)
    return render_detail(request, claim, late_form=form, status=400)


@staff_required(*access.CLAIM_ACTIONS["correct_payee"].roles)
def claim_payee(request, claim_id):
    """Correct the payee's bank after a failed transfer (the claim waits for a batch)."""
    actor = request.actor
    claim = access.access_claim(actor, claim_id)
    if refused := post_only(request):
        return refused
    form = PayeeCorrectionForm(request.POST, account_on_file=account_on_file(actor, claim))
    if form.is_valid():
        try:
            payouts.claim_correct_payee(actor=actor, claim=claim, data=form.cleaned_data)
        except ValidationError as error:
            bind_to_form(form, error)
        else:
            messages.success(request, _("The payee's account was corrected."))
            return redirect("claims:claim_detail", claim.pk)
    return render_detail(request, claim, payee_form=form, status=400)
