"""The member's own claims (``/me/claims/``), reporting an incident (``/me/report/``),
uploading documents to their own claim, and their notifications (self-service, issue 17).

Reporting and uploading go through the services the agent's pages use
(``claims.services.reports.report_create``, ``applications.document_add``): one
validation path, the same deadline and content checks (SPEC §8), with a
``MemberActor`` the action table admits for the member's own claims alone. Every read
names the member and the tenant; another member's claim or document answers 404 like a
missing one.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from claims.forms import DocumentForm, ReportForm
from claims.models import (
    CLOSED_STATUSES,
    EDITABLE_STATUSES,
    Claim,
    ClaimDecision,
    ClaimDocument,
    ClaimStatus,
    DocumentKind,
)
from claims.services import applications, reports
from claims.views.responses import attachment
from enrolment.member_views import member_policies
from members.selfservice.session import member_required
from mutualaid.core.errors import bind_to_form
from plans.rules import EVENT_KINDS
from plans.terms import terms_of

#: The papers a claim of each kind usually needs (what the page lists as missing until
#: one of that kind is uploaded); the ID card and the bank card always.
EXPECTED_DOCUMENTS = {
    "illness": (DocumentKind.DIAGNOSIS,),
    "hospital_stay": (DocumentKind.HOSPITAL, DocumentKind.RECEIPTS),
    "accident": (DocumentKind.DIAGNOSIS, DocumentKind.RECEIPTS),
    "disability": (DocumentKind.DISABILITY,),
    "death": (DocumentKind.DEATH,),
}
ALWAYS = (DocumentKind.ID_CARD, DocumentKind.BANK)

#: How each status reads to the member (the staff's words are about their work).
MEMBER_STATUS = {
    ClaimStatus.DRAFT: gettext_lazy("Being prepared with your unit"),
    ClaimStatus.SUBMITTED: gettext_lazy("With the office for review"),
    ClaimStatus.DOCUMENTS_REQUESTED: gettext_lazy("Documents needed"),
    ClaimStatus.INVESTIGATION: gettext_lazy("Being checked"),
    ClaimStatus.SECOND_APPROVAL: gettext_lazy("Being approved"),
    ClaimStatus.APPROVED: gettext_lazy("Approved, to be paid"),
    ClaimStatus.IN_BATCH: gettext_lazy("Being paid"),
    ClaimStatus.PAID: gettext_lazy("Paid"),
    ClaimStatus.REJECTED: gettext_lazy("Not paid"),
    ClaimStatus.EXPIRED: gettext_lazy("Expired: not applied in time"),
}


def _own_claims(member):
    return Claim.objects.filter(tenant_id=member.tenant_id, member_id=member.pk)


def _own_claim(member, claim_id) -> Claim:
    claim = (
        _own_claims(member)
        .select_related("plan", "report", "organisation")
        .filter(pk=claim_id)
        .first()
    )
    if claim is None:
        raise Http404
    return claim


@member_required
def claim_list(request):
    claims = list(
        _own_claims(request.member)
        .select_related("plan", "report")
        .order_by("-created_at", "-id")
        .only(
            "id",
            "number",
            "status",
            "event_kind",
            "event_date",
            "expires_on",
            "approved_amount",
            "assessed_amount",
            "paid_amount",
            "paid_on",
            "payout_due",
            "plan__name",
            "plan__short_name",
            "report__deadline",
            "report__by_member",
            "report__number",
        )
    )
    for claim in claims:
        claim.member_status = MEMBER_STATUS.get(claim.status, claim.get_status_display())
        claim.kind_label = EVENT_KINDS.get(claim.event_kind, claim.event_kind)
    return render(
        request, "me/claims.html", {"member": request.member, "claims": claims, "nav": "claims"}
    )


def _timeline(claim: Claim) -> list[dict]:
    steps = [
        {
            "at": timezone.localtime(claim.report.created_at),
            "label": _("Incident reported (%(number)s)") % {"number": claim.report.number},
            "reason": "",
        }
    ]
    for decision in ClaimDecision.objects.filter(claim_id=claim.pk, tenant_id=claim.tenant_id):
        steps.append(
            {
                "at": timezone.localtime(decision.at),
                "label": MEMBER_STATUS.get(decision.to_status, decision.get_action_display()),
                "reason": decision.reason
                if decision.action == ClaimDecision.Action.REQUEST_DOCUMENTS
                else "",
            }
        )
    return steps


def _missing(claim: Claim, documents: list[ClaimDocument]) -> list[str]:
    have = {d.kind for d in documents}
    wanted = [*EXPECTED_DOCUMENTS.get(claim.event_kind, ()), *ALWAYS]
    return [str(DocumentKind(kind).label) for kind in dict.fromkeys(wanted) if kind not in have]


def _detail(request, claim: Claim, *, form=None, status=200):
    documents = list(
        ClaimDocument.objects.filter(claim_id=claim.pk, tenant_id=claim.tenant_id).only(
            "id", "kind", "original_name", "uploaded_at", "by_member"
        )
    )
    closed = claim.status in CLOSED_STATUSES
    return render(
        request,
        "me/claim.html",
        {
            "member": request.member,
            "claim": claim,
            "member_status": MEMBER_STATUS.get(claim.status, claim.get_status_display()),
            "kind_label": EVENT_KINDS.get(claim.event_kind, claim.event_kind),
            "timeline": _timeline(claim),
            "documents": documents,
            "missing": [] if closed else _missing(claim, documents),
            "requested": claim.decision_reason
            if claim.status == ClaimStatus.DOCUMENTS_REQUESTED
            else "",
            "amount": claim.paid_amount or claim.approved_amount,
            "may_upload": claim.status in EDITABLE_STATUSES,
            "form": form or DocumentForm(),
            "nav": "claims",
        },
        status=status,
    )


@member_required
def claim_detail(request, claim_id):
    return _detail(request, _own_claim(request.member, claim_id))


@member_required
def document_add(request, claim_id):
    claim = _own_claim(request.member, claim_id)
    if request.method != "POST":
        return redirect("me:claim", claim.pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document = applications.document_add(
                actor=request.member_actor,
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
            return redirect("me:claim", claim.pk)
    return _detail(request, claim, form=form, status=400)


@member_required
def document_download(request, claim_id, document_id):
    claim = _own_claim(request.member, claim_id)
    document = ClaimDocument.objects.filter(
        claim_id=claim.pk, tenant_id=claim.tenant_id, pk=document_id
    ).first()
    if document is None:
        raise Http404
    path = applications.document_path(document)
    if not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return attachment(response, document.original_name, inline=True)


@member_required
def report(request):
    """Report an incident (报案) for oneself: the same service and checks as the agent's
    page; the claim page then shows the computed deadline."""
    member, actor = request.member, request.member_actor
    policies = member_policies(member)
    plans = list({p.plan_id: p.plan for p in policies}.values())
    kinds = {kind for p in policies for kind in reports.kinds_covered(terms_of(p.plan_version))}
    form = ReportForm(request.POST or None, plans=plans, kinds=kinds)
    for name in ("reporter_name", "reporter_phone", "same_incident_as"):
        form.fields.pop(name, None)
    status = 200
    if request.method == "POST":
        status = 400
        created = form.report(
            reports.report_create,
            plans=plans,
            not_a_plan=_("Choose one of your plans."),
            actor=actor,
            member=member,
        )
        if created is not None:
            params = {
                "number": created.number,
                "deadline": created.deadline.isoformat(),
            }
            if created.late:
                messages.warning(
                    request,
                    _(
                        "Report %(number)s was received, but after its deadline "
                        "(%(deadline)s): the office decides whether it is accepted."
                    )
                    % params,
                )
            else:
                messages.success(
                    request,
                    _(
                        "Report %(number)s was received. The deadline to report was "
                        "%(deadline)s; your unit's agent will help you apply."
                    )
                    % params,
                )
            return redirect("me:claim", created.claim.pk)
    deadlines = _deadline_hints(policies)
    return render(
        request,
        "me/report.html",
        {"member": member, "form": form, "deadlines": deadlines, "nav": "report"},
        status=status,
    )


def _deadline_hints(policies) -> list[str]:
    """How long to report, per plan held now, from the plan's own terms (the exact last
    day, counted on the office's work calendar, is shown once reported)."""
    today = timezone.localdate()
    hints = []
    for policy in policies:
        if not (policy.start <= today <= policy.last_covered_day):
            continue
        terms = terms_of(policy.plan_version)
        days = terms.report_deadline_days_for("default")
        hints.append(
            _("%(plan)s: report within %(days)s days of the event (later if a holiday ends it)")
            % {"plan": policy.plan.display_name, "days": days}
        )
    return hints


@member_required
def notifications(request):
    """What happened to the member's claims and cover lately: the claims' steps of the
    last 180 days, newest first (the text messages say the same)."""
    member = request.member
    since = timezone.now() - dt.timedelta(days=180)
    decisions = list(
        ClaimDecision.objects.filter(
            tenant_id=member.tenant_id,
            claim__member_id=member.pk,
            claim__tenant_id=member.tenant_id,
            at__gte=since,
        )
        .select_related("claim")
        .order_by("-at", "-id")[:50]
    )
    items = [
        {
            "at": timezone.localtime(d.at),
            "title": d.claim.number,
            "text": MEMBER_STATUS.get(d.to_status, d.get_action_display()),
            "reason": d.reason if d.action == ClaimDecision.Action.REQUEST_DOCUMENTS else "",
            "claim_id": d.claim_id,
        }
        for d in decisions
    ]
    return render(
        request,
        "me/notifications.html",
        {"member": member, "items": items, "nav": "notifications"},
    )
