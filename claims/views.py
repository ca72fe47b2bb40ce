"""Claim pages: report an incident, the claim (application, documents, assessment, review),
the reviewer queue and the unit's claims, payout batches with their bank files and notices.

Thin, like every page here: the access helper first (404 outside the subtree, for any
method), then the service; a service's ``DomainError`` goes back onto the form fields it
names (one validation path); POST-only views answer 405 to a GET after the access check.
"""

from __future__ import annotations

import os
import tempfile
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from claims import selectors, services
from claims.forms import (
    ApplicationForm,
    DecisionForm,
    DocumentForm,
    LateDecisionForm,
    LineFailedForm,
    PaidForm,
    PayeeCorrectionForm,
    QueueFilterForm,
    ReassessForm,
    ReportForm,
    bind_to_form,
    bound_with_errors,
    status_choices,
)
from claims.models import (
    EDITABLE_STATUSES,
    REVIEW_STATUSES,
    BatchStatus,
    ClaimStatus,
    ReportStatus,
)
from enrolment.models import Policy, PolicyStatus
from members.access import access_member
from members.selectors import member_page
from mutualaid.core.errors import NON_FIELD, DomainError
from mutualaid.jobs.services import job_create, job_enqueue
from mutualaid.jobs.tasks import run_job
from mutualaid.tenancy.access import may_see_bank_accounts, shown_bank_account, staff_required
from mutualaid.tenancy.models import Role
from plans.models import Plan
from plans.rules import CAUSES, EVENT_KINDS, REASON_LABELS, InvalidTerms, PlanTerms

#: Who reads payout batches, and who downloads their bank files and notices.
BATCH_READERS = (Role.FINANCE, Role.OFFICE_ADMIN, Role.AUDITOR)
BATCH_FILE_USERS = (*services.BATCH_BUILDERS, *services.BATCH_APPROVERS)
#: A bank file of up to this many lines is written while the user waits; a bigger one
#: is built by a background job with a progress bar (SPEC §12).
BANK_FILE_DIRECT_LIMIT = 500


def _post_only(request):
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


def _attachment(response: HttpResponse, filename: str, *, inline: bool = False) -> HttpResponse:
    kind = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{kind}; filename*=UTF-8''{quote(filename)}"
    return response


# --- Queue and the unit's claims -----------------------------------------------------------------


def _queue_filters(request, actor):
    form = QueueFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    plan = None
    if data.get("plan"):
        from plans.access import access_plan_filter

        plan = access_plan_filter(actor, data["plan"])
    status = data.get("status") or ""
    known = {value for value, _label in status_choices()}
    if status not in known:
        status = ""
    event_kind = data.get("event_kind") or ""
    filters = selectors.QueueFilters(
        status=status,
        plan=plan,
        event_kind=event_kind if event_kind in EVENT_KINDS else "",
        submitted_from=data.get("submitted_from"),
        submitted_to=data.get("submitted_to"),
        q=data.get("q") or "",
        near_limit=bool(data.get("near_limit")),
    )
    return form, filters


@staff_required()
def claim_list(request):
    """The reviewer queue (office reviewers), and everyone else's claims of their subtree
    (an agent's "my unit's claims", a cadre's read-only view): one selector, scoped."""
    actor = request.actor
    form, filters = _queue_filters(request, actor)
    page = selectors.claim_queue(actor=actor, filters=filters, cursor=request.GET.get("after"))
    selectors.with_deadlines(page.rows, tenant=actor.tenant, today=timezone.localdate())
    for row in page.rows:
        row.event_label = EVENT_KINDS.get(row.event_kind, row.event_kind)
    status = filters.status or selectors.default_status(actor)
    keep = {k: v for k, v in request.GET.items() if k != "after" and v}
    is_reviewer = actor.has_role(*services.REVIEWERS)
    context = {
        "page": page,
        "form": form,
        "filters": filters,
        "status": status,
        "statuses": status_choices(),
        "event_kinds": list(EVENT_KINDS.items()),
        "plans": Plan.objects.for_actor(actor).order_by("code"),
        "keep": keep,
        "is_reviewer": is_reviewer,
        "can_report": actor.has_role(*services.REPORTERS),
        "late_count": selectors.late_report_count(actor=actor) if is_reviewer else 0,
        "queue_mode": status in (selectors.StatusGroup.REVIEW, selectors.StatusGroup.LATE),
    }
    template = "claims/_queue.html" if request.htmx else "claims/claim_list.html"
    return render(request, template, context)


# --- Reporting an incident -----------------------------------------------------------------------


def _member_policies(actor, member) -> list[Policy]:
    visible = Plan.objects.for_actor(actor).values("pk")
    return list(
        Policy.objects.filter(member_id=member.pk, tenant_id=member.tenant_id, plan_id__in=visible)
        .exclude(status=PolicyStatus.CANCELLED)
        .select_related("plan")
        .order_by("-start", "id")
    )


@staff_required(*services.REPORTERS)
def report_create(request):
    """Report an incident (报案) for a member of the actor's subtree, found by name or ID
    number; the member's plans are offered. After saving, the claim page shows the
    computed deadline and whether the report is late."""
    actor = request.actor
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    query = request.GET.get("q", "").strip()
    results = member_page(actor=actor, query=query, size=10).rows if query else []
    if request.htmx and request.method == "GET" and "q" in request.GET:
        return render(request, "claims/_member_results.html", {"results": results, "q": query})
    member_id = request.POST.get("member") or request.GET.get("member")
    member = access_member(actor, member_id) if member_id else None
    if member is not None and not services.can_report(actor, member.organisation):
        raise PermissionDenied
    policies = _member_policies(actor, member) if member is not None else []
    plans = list({p.plan_id: p.plan for p in policies}.values())
    form = ReportForm(request.POST or None, plans=plans)
    status = 200
    if request.method == "POST":
        status = 400
        if member is None:
            form.is_valid()
            form.add_error(None, _("Choose the member first."))
        elif form.is_valid():
            data = form.cleaned_data
            plan = next((p for p in plans if str(p.pk) == data["plan"]), None)
            if plan is None:
                form.add_error("plan", _("Choose one of the member's plans."))
            else:
                try:
                    report = services.report_create(
                        actor=actor,
                        member=member,
                        plan=plan,
                        event_kind=data["event_kind"],
                        cause=data["cause"],
                        event_date=data["event_date"],
                        description=data["description"],
                        reporter_name=data["reporter_name"],
                        reporter_phone=data["reporter_phone"],
                    )
                except ValidationError as error:
                    bind_to_form(form, error)
                else:
                    _report_message(request, report)
                    return redirect("claims:claim_detail", report.claim.pk)
    return render(
        request,
        "claims/report_form.html",
        {
            "form": form,
            "member": member,
            "policies": policies,
            "results": results,
            "q": query,
        },
        status=status,
    )


def _report_message(request, report) -> None:
    params = {"number": report.number, "deadline": report.deadline.isoformat()}
    if report.late:
        messages.warning(
            request,
            _(
                "Report %(number)s was saved, but it is late: the deadline was %(deadline)s. "
                "A reviewer must accept the late report before the claim can be submitted."
            )
            % params,
        )
    else:
        messages.success(
            request,
            _("Report %(number)s was saved (deadline %(deadline)s). Now fill in the application.")
            % params,
        )


# --- The claim page ------------------------------------------------------------------------------


def _terms(claim) -> PlanTerms | None:
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


def _detail(
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
    actor = request.actor
    report = claim.report
    terms = _terms(claim)
    facts, conditions = _application_shape(claim, terms)
    can_edit = claim.status in EDITABLE_STATUSES and services.can_report(actor, claim.organisation)
    is_reviewer = services.can_review(actor, claim)
    under_review = claim.status in REVIEW_STATUSES
    documents = selectors.claim_documents(claim=claim)
    on_file = _account_on_file(actor, claim)
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
        "can_edit": can_edit,
        "can_upload": can_edit or (is_reviewer and claim.status not in (ClaimStatus.PAID,)),
        "is_reviewer": is_reviewer,
        "under_review": under_review,
        "may_approve": is_reviewer and under_review and services.may_approve(actor, claim),
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
        "can_correct_payee": claim.status == ClaimStatus.APPROVED
        and actor.has_role(Role.FINANCE, Role.REVIEWER),
        "payout_lines": payout_lines,
        "reaches_batches": actor.has_role(*BATCH_READERS) and actor.organisation.depth == 1,
        "has_notice": claim.status in (ClaimStatus.APPROVED, ClaimStatus.IN_BATCH, ClaimStatus.PAID)
        and claim.approved_amount is not None,
        "submit_errors": submit_errors or [],
        "today": timezone.localdate(),
    }
    return render(request, "claims/claim_detail.html", context, status=status)


def _account_on_file(actor, claim) -> str | None:
    """The payee's account for forms that must not show it to this actor (None: they see
    it, the forms show it as usual)."""
    return None if may_see_bank_accounts(actor) else claim.bank_account


@staff_required()
def claim_detail(request, claim_id):
    claim = selectors.access_claim(request.actor, claim_id)
    return _detail(request, claim)


@staff_required(*services.REPORTERS)
def claim_application(request, claim_id):
    """Save the application's facts, condition and payee (the service cleans them)."""
    actor = request.actor
    claim = selectors.access_claim(actor, claim_id)
    if refused := _post_only(request):
        return refused
    facts, conditions = _application_shape(claim, _terms(claim))
    form = ApplicationForm(
        request.POST,
        facts=facts,
        conditions=conditions,
        account_on_file=_account_on_file(actor, claim),
    )
    if form.is_valid():
        try:
            services.claim_update(actor=actor, claim=claim, data=form.data_for_service())
        except ValidationError as error:
            bind_to_form(form, error)
        else:
            messages.success(request, _("The application was saved."))
            return redirect(reverse("claims:claim_detail", args=[claim.pk]) + "#documents")
    return _detail(request, claim, application_form=form, status=400)


@staff_required(*services.REPORTERS)
def document_add(request, claim_id):
    actor = request.actor
    claim = selectors.access_claim(actor, claim_id)
    if refused := _post_only(request):
        return refused
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document = services.document_add(
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
    return _detail(request, claim, document_form=form, status=400)


@staff_required()
def document_download(request, claim_id, document_id):
    """A supporting document, read from private storage after the scope check (never a
    media URL)."""
    claim = selectors.access_claim(request.actor, claim_id)
    document = selectors.access_document(request.actor, claim, document_id)
    path = services.document_path(document)
    if not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return _attachment(response, document.original_name, inline=True)


_APPLICATION_FIELDS = ("condition", "payee_name", "payee_relation", "bank_name", "bank_account")


@staff_required(*services.REPORTERS)
def claim_submit(request, claim_id):
    """Send the application to the office. What is missing goes back onto the field it
    names: the payee on the application form, the documents on the upload form."""
    actor = request.actor
    claim = selectors.access_claim(actor, claim_id)
    if refused := _post_only(request):
        return refused
    try:
        claim = services.claim_submit(actor=actor, claim=claim)
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
    app_errors = {k: v for k, v in by_field.items() if k in _APPLICATION_FIELDS}
    doc_errors = {k: v for k, v in by_field.items() if k in ("file", "kind")}
    other = [
        message
        for key, errors in by_field.items()
        if key not in app_errors and key not in doc_errors
        for item in errors
        for message in item.messages
    ]
    facts, conditions = _application_shape(claim, _terms(claim))
    forms = {}
    if app_errors:
        on_file = _account_on_file(request.actor, claim)
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
    return _detail(request, claim, submit_errors=other, status=400, **forms)


@staff_required(*services.REVIEWERS)
def claim_decide(request, claim_id):
    """A reviewer's decision: approve (as assessed, or adjusted with a reason), ask for
    documents, send to investigation, reject. The service refuses the filer and a second
    approval by the first approver, whatever the page showed."""
    actor = request.actor
    claim = selectors.access_claim(actor, claim_id)
    if refused := _post_only(request):
        return refused
    form = DecisionForm(request.POST)
    action = request.POST.get("action", "")
    if form.is_valid():
        try:
            claim = services.claim_decide(
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
    return _detail(request, claim, decision_form=form, status=400)


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


@staff_required(*services.REVIEWERS)
def claim_reassess(request, claim_id):
    actor = request.actor
    claim = selectors.access_claim(actor, claim_id)
    if refused := _post_only(request):
        return refused
    terms = _terms(claim)
    form = ReassessForm(request.POST, exclusions=dict(terms.exclusions) if terms else {})
    if form.is_valid():
        try:
            claim = services.claim_reassess(
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
    return _detail(request, claim, reassess_form=form, status=400)


@staff_required(*services.REVIEWERS)
def report_late_decide(request, claim_id):
    """Accept a late report (only with a written reason), or refuse it."""
    actor = request.actor
    claim = selectors.access_claim(actor, claim_id)
    if refused := _post_only(request):
        return refused
    form = LateDecisionForm(request.POST)
    accept = request.POST.get("decision") == "accept"
    if form.is_valid():
        try:
            services.report_decide_late(
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
    return _detail(request, claim, late_form=form, status=400)


@staff_required(Role.FINANCE, Role.REVIEWER)
def claim_payee(request, claim_id):
    """Correct the payee's bank after a failed transfer (the claim waits for a batch)."""
    actor = request.actor
    claim = selectors.access_claim(actor, claim_id)
    if refused := _post_only(request):
        return refused
    form = PayeeCorrectionForm(request.POST, account_on_file=_account_on_file(actor, claim))
    if form.is_valid():
        try:
            services.claim_correct_payee(actor=actor, claim=claim, data=form.cleaned_data)
        except ValidationError as error:
            bind_to_form(form, error)
        else:
            messages.success(request, _("The payee's account was corrected."))
            return redirect("claims:claim_detail", claim.pk)
    return _detail(request, claim, payee_form=form, status=400)


@staff_required()
def claim_notice(request, claim_id):
    """The payout notice (给付通知书) of an approved claim, as a PDF."""
    from claims import documents

    claim = selectors.access_claim(request.actor, claim_id)
    if not documents.has_notice(claim):
        raise Http404
    data = documents.notice_pdf(claim, actor=request.actor)
    response = HttpResponse(data, content_type="application/pdf")
    return _attachment(response, documents.notice_filename(claim))


# --- Payout batches ------------------------------------------------------------------------------


@staff_required(*BATCH_READERS)
def batch_list(request):
    actor = request.actor
    page = selectors.batch_page(actor=actor, cursor=request.GET.get("after"))
    can_build = actor.has_role(*services.BATCH_BUILDERS) and actor.organisation.depth == 1
    return render(
        request,
        "claims/batch_list.html",
        {
            "page": page,
            "can_build": can_build,
            "waiting": selectors.waiting_for_batch(actor=actor) if can_build else None,
        },
    )


@staff_required(*services.BATCH_BUILDERS)
def batch_build(request):
    """Gather the office's approved, unpaid claims into a batch now (the daily job does
    the same); a second click finds nothing left to gather."""
    actor = request.actor
    if refused := _post_only(request):
        return refused
    try:
        batch = services.batch_build(actor=actor, tenant_id=actor.tenant_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("claims:batch_list")
    if batch is None:
        messages.info(request, _("No approved claim is waiting for a batch."))
        return redirect("claims:batch_list")
    messages.success(
        request,
        _(
            "Batch %(number)s was built: %(count)s claims, ¥%(total)s. "
            "Another finance officer approves it."
        )
        % {"number": batch.number, "count": batch.line_count, "total": batch.total},
    )
    return redirect("claims:batch_detail", batch.pk)


def _batch_detail(
    request, batch, *, paid_form=None, failed_form=None, failed_line=None, status=200
):
    actor = request.actor
    page = selectors.batch_lines_page(batch=batch, cursor=request.GET.get("after"))
    for line in page.rows:
        line.shown_bank_account = shown_bank_account(line.bank_account, actor)
    is_finance = actor.has_role(*services.BATCH_APPROVERS)
    return render(
        request,
        "claims/batch_detail.html",
        {
            "batch": batch,
            "page": page,
            "summary": selectors.batch_summary(batch=batch),
            "can_approve": is_finance
            and batch.status == BatchStatus.BUILT
            and batch.built_by_id != actor.user.pk,
            "is_builder": batch.built_by_id == actor.user.pk,
            "can_mark": is_finance and batch.status == BatchStatus.APPROVED,
            "can_download": actor.has_role(*BATCH_FILE_USERS),
            "paid_form": paid_form
            or PaidForm(initial={"paid_on": timezone.localdate().isoformat()}),
            "failed_form": failed_form or LineFailedForm(),
            "failed_line": failed_line,
        },
        status=status,
    )


@staff_required(*BATCH_READERS)
def batch_detail(request, batch_id):
    batch = selectors.access_batch(request.actor, batch_id)
    return _batch_detail(request, batch)


@staff_required(*services.BATCH_APPROVERS)
def batch_approve(request, batch_id):
    actor = request.actor
    batch = selectors.access_batch(actor, batch_id)
    if refused := _post_only(request):
        return refused
    try:
        batch = services.batch_approve(actor=actor, batch=batch)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Batch %(number)s is approved: send the bank file, then mark the lines paid.")
            % {"number": batch.number},
        )
    return redirect("claims:batch_detail", batch.pk)


@staff_required(*services.BATCH_APPROVERS)
def batch_paid(request, batch_id):
    """Mark every pending line paid, or the ticked ones ("selected"), on a date."""
    actor = request.actor
    batch = selectors.access_batch(actor, batch_id)
    if refused := _post_only(request):
        return refused
    form = PaidForm(request.POST)
    line_ids = None
    if request.POST.get("which") == "selected":
        line_ids = [raw for raw in request.POST.getlist("line") if raw.isdigit()]
        if not line_ids:
            form.is_valid()
            form.add_error(None, _("Tick the lines that were paid."))
            return _batch_detail(request, batch, paid_form=form, status=400)
    if form.is_valid():
        try:
            count = services.lines_mark_paid(
                actor=actor, batch=batch, paid_on=form.cleaned_data["paid_on"], line_ids=line_ids
            )
        except ValidationError as error:
            bind_to_form(form, error)
        else:
            if count:
                messages.success(request, _("%(count)s lines were marked paid.") % {"count": count})
            else:
                messages.info(request, _("Nothing was left to mark paid."))
            return redirect("claims:batch_detail", batch.pk)
    return _batch_detail(request, batch, paid_form=form, status=400)


@staff_required(*services.BATCH_APPROVERS)
def line_failed(request, batch_id, line_id):
    """The bank returned a transfer: the line fails, its claim goes back to the queue."""
    actor = request.actor
    batch = selectors.access_batch(actor, batch_id)
    line = selectors.access_line(actor, batch, line_id)
    if refused := _post_only(request):
        return refused
    form = LineFailedForm(request.POST)
    if form.is_valid():
        try:
            services.line_mark_failed(actor=actor, line=line, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            bind_to_form(form, error)
        else:
            messages.success(
                request,
                _(
                    "The payment of %(number)s was marked failed; "
                    "the claim waits for the next batch."
                )
                % {"number": line.claim.number},
            )
            return redirect("claims:batch_detail", batch.pk)
    return _batch_detail(request, batch, failed_form=form, failed_line=line.pk, status=400)


# --- Batch downloads: directly when small, through a background job when big ---------------------

FILE_XLSX, FILE_CSV, FILE_NOTICES = "xlsx", "csv", "notices"


def _direct_limit(kind: str) -> int:
    from claims import documents

    return documents.BATCH_NOTICES_DIRECT_LIMIT if kind == FILE_NOTICES else BANK_FILE_DIRECT_LIMIT


def _file_title(kind: str, batch) -> str:
    if kind == FILE_NOTICES:
        return _("Payout notices of batch %(number)s") % {"number": batch.number}
    return _("Bank file (.%(ext)s) of batch %(number)s") % {"ext": kind, "number": batch.number}


def _direct_file(kind: str, batch, actor) -> HttpResponse:
    from claims import bankfile, documents

    if kind == FILE_NOTICES:
        data = documents.batch_notices_pdf(batch, actor=actor)
        response = HttpResponse(data, content_type="application/pdf")
        return _attachment(response, documents.batch_notices_filename(batch))
    folder = tempfile.mkdtemp(prefix="bankfile-")
    path = os.path.join(folder, f"bank.{kind}")
    (bankfile.write_xlsx if kind == FILE_XLSX else bankfile.write_csv)(batch, path)
    handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    os.unlink(path)  # the open handle keeps the bytes; nothing is left on disk
    os.rmdir(folder)
    content_type = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if kind == FILE_XLSX
        else "text/csv; charset=utf-8"
    )
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return _attachment(response, bankfile.filename(batch, kind))


def _batch_file(request, batch_id, kind: str):
    """GET: the file itself for a batch of ordinary size; for a big one, a page with a
    button (POST) that starts a background job and shows its progress bar."""
    from claims import jobs

    actor = request.actor
    batch = selectors.access_batch(actor, batch_id)
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    if kind != FILE_NOTICES:
        from claims import bankfile

        try:
            bankfile.check_sendable(batch)  # the same rule as the API and the job
        except DomainError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("claims:batch_detail", batch.pk)
    direct = batch.line_count <= _direct_limit(kind)
    if request.method == "GET" and direct:
        return _direct_file(kind, batch, actor)
    job = None
    if request.method == "POST":
        with transaction.atomic():
            job = job_create(
                actor=actor,
                kind=jobs.BATCH_FILE,
                title=_file_title(kind, batch),
                organisation=batch.organisation,
                params={"batch": str(batch.pk), "file": kind},
                total=batch.line_count,
            )
            job_enqueue(job, run_job)
    return render(
        request,
        "claims/batch_file.html",
        {"batch": batch, "job": job, "title": _file_title(kind, batch), "kind": kind},
    )


@staff_required(*BATCH_FILE_USERS)
def batch_bank_xlsx(request, batch_id):
    return _batch_file(request, batch_id, FILE_XLSX)


@staff_required(*BATCH_FILE_USERS)
def batch_bank_csv(request, batch_id):
    return _batch_file(request, batch_id, FILE_CSV)


@staff_required(*BATCH_FILE_USERS)
def batch_notices(request, batch_id):
    return _batch_file(request, batch_id, FILE_NOTICES)
