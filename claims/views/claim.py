"""The claim page: the report and its deadline, the application (facts, condition,
payee), the documents, the assessment with its explanation, the review, the payout lines
and the payout notice; and the unit's steps on it (save the application, upload a
document, submit). The reviewer's steps are in ``claims.views.review`` and come back
here when the service refuses them.

Which forms and buttons show is ``claims.access.allowed_actions`` of the claim and of its
report: the same table the services check and the API lists.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from claims import access, selectors
from claims.forms import (
    ApplicationForm,
    DecisionForm,
    DocumentForm,
    LateDecisionForm,
    PayeeCorrectionForm,
    ReassessForm,
    bound_with_errors,
)
from claims.models import ClaimStatus, ReportStatus
from claims.services import applications
from claims.views.responses import attachment, post_only
from mutualaid.core.errors import NON_FIELD, bind_to_form
from mutualaid.tenancy.access import may_see_bank_accounts, shown_bank_account, staff_required
from plans.rules import CAUSES, EVENT_KINDS, REASON_LABELS, InvalidTerms, PlanTerms

#: The application form's own fields (the rest are the plan's facts).
APPLICATION_FIELDS = ("condition", "payee_name", "payee_relation", "bank_name", "bank_account")


def terms_of_claim(claim) -> PlanTerms | None:
    """The terms of the claim's policy version (None: no policy, or unreadable terms)."""
    if not claim.policy_id:
        return None
    try:
        return PlanTerms.from_dict(claim.policy.plan_version.engine_terms())
    except InvalidTerms:
        return None


def _application_shape(claim, terms):
    """The fact fields and condition choices the application form shows for this claim."""
    if terms is None:
        return list((claim.facts or {}).keys()), None
    facts = selectors.needed_facts(terms, claim.event_kind, claim.cause)
    facts += [name for name in (claim.facts or {}) if name not in facts]
    conditions = None
    if selectors.needs_condition(terms, claim.event_kind, claim.cause) or claim.condition:
        conditions = dict(terms.covered_conditions)
        if claim.condition and claim.condition not in conditions:
            conditions[claim.condition] = claim.condition
    return facts, conditions


def _assessment_lines(assessment):
    rows = []
    for line in (assessment or {}).get("lines", []):
        rows.append(
            {
                **line,
                "labels": [REASON_LABELS.get(code, code) for code in line.get("reasons", [])],
            }
        )
    return rows


def render_detail(
    request,
    claim,
    *,
    application_form=None,
    document_form=None,
    decision_form=None,
    reassess_form=None,
    late_form=None,
    payee_form=None,
    submit_errors=None,
    status=200,
):
    """The claim page, with the forms a refused step sent back bound to its errors."""
    actor = request.actor
    report = claim.report
    terms = terms_of_claim(claim)
    facts, conditions = _application_shape(claim, terms)
    actions = access.allowed_actions(actor, claim)
    report_actions = access.allowed_actions(actor, report)
    documents = selectors.claim_documents(claim=claim)
    on_file = account_on_file(actor, claim)
    if application_form is None:
        application_form = ApplicationForm(
            initial=ApplicationForm.initial_for(claim),
            facts=facts,
            conditions=conditions,
            account_on_file=on_file,
        )
    payout_lines = (
        selectors.claim_payout_lines(claim=claim)
        if claim.status in (ClaimStatus.APPROVED, ClaimStatus.IN_BATCH, ClaimStatus.PAID)
        else []
    )
    for line in payout_lines:
        line.shown_bank_account = shown_bank_account(line.bank_account, actor)
    exclusions = dict(terms.exclusions) if terms is not None else {}
    assessment = claim.assessment or {}
    context = {
        "claim": claim,
        "report": report,
        "member": claim.member,
        "terms": terms,
        "event_kind": EVENT_KINDS.get(claim.event_kind, claim.event_kind),
        "cause": CAUSES.get(claim.cause, claim.cause) if claim.cause else "",
        "condition_name": (
            terms.covered_conditions.get(claim.condition, claim.condition)
            if terms is not None and claim.condition
            else claim.condition
        ),
        "actions": actions,
        "report_actions": report_actions,
        # Every review decision starts from the review queue: "reject" stands for them all.
        "reviewing": "reject" in actions,
        "is_filer": claim.filed_by_id == actor.user.pk,
        "application_form": application_form,
        "document_form": document_form or DocumentForm(),
        "documents": documents,
        "decisions": selectors.claim_decisions(claim=claim),
        "assessment": assessment,
        "assessment_lines": _assessment_lines(assessment),
        "assessment_reasons": [REASON_LABELS.get(c, c) for c in assessment.get("reasons", [])],
        "exclusion_names": [exclusions.get(c, c) for c in claim.exclusions or []],
        "decision_form": decision_form or DecisionForm(initial={"amount": claim.assessed_amount}),
        "reassess_form": reassess_form
        or ReassessForm(initial={"exclusions": claim.exclusions}, exclusions=exclusions),
        "has_exclusions": bool(exclusions),
        "late_form": late_form or LateDecisionForm(),
        "late_pending": report.status == ReportStatus.LATE,
        "bank_account": shown_bank_account(claim.bank_account, actor),
        "payee_form": payee_form
        or PayeeCorrectionForm(
            initial={"bank_name": claim.bank_name, "bank_account": claim.bank_account},
            account_on_file=on_file,
        ),
        "payout_lines": payout_lines,
        "reaches_batches": actor.has_role(*access.BATCH_READERS) and actor.organisation.depth == 1,
        "submit_errors": submit_errors or [],
        "today": timezone.localdate(),
    }
    return render(request, "claims/claim_detail.html", context, status=status)


def account_on_file(actor, claim) -> str | None:
    """The payee's account for forms that must not show it to this actor (None: they see
    it, the forms show it as usual)."""
    return None if may_see_bank_accounts(actor) else claim.bank_account


@staff_required()
def claim_detail(request, claim_id):
    claim = access.access_claim(request.actor, claim_id)
    return render_detail(request, claim)


@staff_required(*access.REPORTERS)
def claim_application(request, claim_id):
    """Save the application's facts, condition and payee (the service cleans them)."""
    actor = request.actor
    claim = access.access_claim(actor, claim_id)
    if refused := post_only(request):
        return refused
    facts, conditions = _application_shape(claim, terms_of_claim(claim))
    form = ApplicationForm(
        request.POST,
        facts=facts,
        conditions=conditions,
        account_on_file=account_on_file(actor, claim),
    )
    if form.is_valid():
        try:
            applications.claim_update(actor=actor, claim=claim, data=form.data_for_service())
        except ValidationError as error:
            bind_to_form(form, error)
        else:
            messages.success(request, _("The application was saved."))
            return redirect(reverse("claims:claim_detail", args=[claim.pk]) + "#documents")
    return render_detail(request, claim, application_form=form, status=400)


@staff_required(*access.CLAIM_ACTIONS["upload"].roles)
def document_add(request, claim_id):
    actor = request.actor
    claim = access.access_claim(actor, claim_id)
    if refused := post_only(request):
        return refused
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document = applications.document_add(
                actor=actor,
                claim=claim,
                kind=form.cleaned_data["kind"],
                upload=request.FILES.get("file"),
            )
        except ValidationError as error:
            bind_to_form(form, error)
        else:
            messages.success(
                request, _("%(name)s was uploaded.") % {"name": document.original_name}
            )
            return redirect(reverse("claims:claim_detail", args=[claim.pk]) + "#documents")
    return render_detail(request, claim, document_form=form, status=400)


@staff_required()
def document_download(request, claim_id, document_id):
    """A supporting document, read from private storage after the scope check (never a
    media URL)."""
    claim = access.access_claim(request.actor, claim_id)
    document = access.access_document(request.actor, claim, document_id)
    path = applications.document_path(document)
    if not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return attachment(response, document.original_name, inline=True)


@staff_required(*access.REPORTERS)
def claim_submit(request, claim_id):
    """Send the application to the office. What is missing goes back onto the field it
    names: the payee on the application form, the documents on the upload form."""
    actor = request.actor
    claim = access.access_claim(actor, claim_id)
    if refused := post_only(request):
        return refused
    try:
        claim = applications.claim_submit(actor=actor, claim=claim)
    except ValidationError as error:
        return _submit_refused(request, claim, error)
    messages.success(
        request,
        _("Claim %(number)s was submitted: assessed ¥%(amount)s. It is now with the reviewer.")
        % {"number": claim.number, "amount": claim.assessed_amount},
    )
    return redirect("claims:claim_detail", claim.pk)


def _submit_refused(request, claim, error: ValidationError):
    by_field = error.error_dict if hasattr(error, "error_dict") else {NON_FIELD: error.error_list}
    app_errors = {k: v for k, v in by_field.items() if k in APPLICATION_FIELDS}
    doc_errors = {k: v for k, v in by_field.items() if k in ("file", "kind")}
    other = [
        message
        for key, errors in by_field.items()
        if key not in app_errors and key not in doc_errors
        for item in errors
        for message in item.messages
    ]
    facts, conditions = _application_shape(claim, terms_of_claim(claim))
    forms = {}
    if app_errors:
        on_file = account_on_file(request.actor, claim)
        forms["application_form"] = bound_with_errors(
            ApplicationForm,
            ApplicationForm.initial_for(claim, with_account=on_file is None),
            ValidationError(app_errors),
            facts=facts,
            conditions=conditions,
            account_on_file=on_file,
        )
    if doc_errors:
        forms["document_form"] = bound_with_errors(
            DocumentForm, {"kind": ""}, ValidationError(doc_errors)
        )
    if not other:
        other = [_("The application is not complete: see the marked fields.")]
    return render_detail(request, claim, submit_errors=other, status=400, **forms)


@staff_required()
def claim_notice(request, claim_id):
    """The payout notice (给付通知书) of an approved claim, as a PDF."""
    from claims import documents

    claim = access.access_claim(request.actor, claim_id)
    if "notice" not in access.allowed_actions(request.actor, claim):
        raise Http404
    data = documents.notice_pdf(claim, actor=request.actor)
    response = HttpResponse(data, content_type="application/pdf")
    return attachment(response, documents.notice_filename(claim))
