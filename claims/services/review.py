"""Review (SPEC §8.4): a reviewer approves (as assessed, or another amount with a reason),
asks for documents, sends the claim to investigation or rejects it with a reason; or
records the exclusions found and has the engine assess the claim again.

Four-eyes (SPEC §2): the filer never approves; above the tenant's threshold, and for any
amount above the engine's assessment, a second reviewer confirms the first approval's
amount, and is another person (a database check says so too). Who may decide in which
state is ``claims.access``'s action table, checked with the claim's row locked. An
approval starts the payout limit (working days of the tenant's calendar) and ends the
cover when the benefit says so (SPEC §3).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from claims import access
from claims.models import Claim, ClaimStatus
from claims.services import steps
from claims.services.assessment import ASSESSMENT_FIELDS, assess_claim
from enrolment.models import Policy, PolicyStatus
from mutualaid.audit.services import record
from mutualaid.calendar.selectors import work_calendar_for
from mutualaid.core.cleaning import clean_money, clean_text
from mutualaid.core.errors import DomainError
from mutualaid.tenancy.scoping import Actor
from plans.terms import terms_of

#: What a final approval writes (``_approve_finally``).
APPROVAL_FIELDS = ("status", "approved_on", "payout_due", "payout_due_provisional")
#: What a first (or only) approval writes besides.
DECISION_FIELDS = ("approved_amount", "adjustment_reason", "decision_reason", "first_approver")


def claim_reassess(*, actor: Actor, claim: Claim, exclusions: list[str]) -> Claim:
    """The reviewer records which exclusions apply (or none) and the engine runs again."""
    access.require_actor(actor, claim, "reassess")
    with transaction.atomic():
        claim = steps.lock_claim(claim)
        access.require_action(actor, claim, "reassess")
        terms = terms_of(claim.policy.plan_version)
        known = set(terms.exclusions)
        chosen = [str(code) for code in exclusions or []]
        unknown = [code for code in chosen if known and code not in known]
        if unknown:
            raise DomainError(
                _("Unknown exclusion: %(codes)s") % {"codes": ", ".join(unknown)},
                field="exclusions",
            )
        before = claim.assessed_amount
        claim.exclusions = chosen
        assess_claim(claim)
        claim.save(update_fields=["exclusions", *ASSESSMENT_FIELDS, "updated_at"])
        record(
            actor=actor,
            action="claim.reassessed",
            obj=claim,
            organisation=claim.organisation,
            before={"assessed": str(before)},
            after={"assessed": str(claim.assessed_amount), "exclusions": chosen},
        )
    return claim


def claim_decide(
    *,
    actor: Actor,
    claim: Claim,
    action: str,
    amount: Any = None,
    reason: Any = "",
) -> Claim:
    """A reviewer's decision (``access.REVIEW_ACTIONS``): "approve" (as assessed, or
    ``amount`` with a reason), "request_documents", "investigate" or "reject" (each with a
    reason the agent and the member read)."""
    if action not in access.REVIEW_ACTIONS:
        raise DomainError(_("Unknown decision."), field="action")
    access.require_actor(actor, claim, action)
    reason = clean_text(reason, field="reason", max_length=2000)
    with transaction.atomic():
        claim = steps.lock_claim(claim)
        # The state, and for an approval the four-eyes rules (filer, first approver).
        access.require_action(actor, claim, action)
        if action == "approve":
            return _approve(actor, claim, amount=amount, reason=reason)
        if not reason:
            raise DomainError(
                _("Write the reason: the agent and the member will read it."),
                field="reason",
                code="required",
            )
        before = claim.status
        claim.status = access.CLAIM_ACTIONS[action].target
        claim.first_approver = None
        claim.approved_amount = None
        claim.decision_reason = reason
        claim.save(
            update_fields=[
                "status",
                "first_approver",
                "approved_amount",
                "decision_reason",
                "updated_at",
            ]
        )
        steps.record_step(claim, actor=actor, action=action, before=before, reason=reason)
    return claim


def _approve(actor: Actor, claim: Claim, *, amount: Any, reason: str) -> Claim:
    """An approval of a locked claim the actor may approve now (``require_action``)."""
    before = claim.status
    if claim.status == ClaimStatus.SECOND_APPROVAL:
        if amount not in (None, "") and clean_money(amount, field="amount") != (
            claim.approved_amount
        ):
            raise DomainError(
                _(
                    "The second approval confirms ¥%(amount)s as first approved; to change the "
                    "amount, send the claim back to investigation."
                )
                % {"amount": claim.approved_amount},
                field="amount",
                code="four_eyes_amount",
            )
        claim.second_approver = actor.user
        _approve_finally(claim, on=steps.today())
        claim.save(update_fields=["second_approver", *APPROVAL_FIELDS, "updated_at"])
        steps.record_step(
            claim,
            actor=actor,
            action="second_approval",
            before=before,
            amount=claim.approved_amount,
            reason=reason,
        )
        return claim
    # Other claims of the policy may have been approved since this one was assessed (yearly
    # caps, payout counts, death less disability already paid): assess it again now, first
    # approvals of one policy taking turns on its row, so together they stay within terms.
    Policy.objects.select_for_update(no_key=True).only("id").get(pk=claim.policy_id)
    was = claim.assessed_amount
    assess_claim(claim)
    if claim.assessed_amount != was:
        record(
            actor=actor,
            action="claim.reassessed",
            obj=claim,
            organisation=claim.organisation,
            before={"assessed": str(was)},
            after={"assessed": str(claim.assessed_amount), "why": "approval"},
        )
    assessed = claim.assessed_amount or Decimal("0.00")
    value = clean_money(amount, field="amount") if amount not in (None, "") else assessed
    if value != assessed and not reason:
        raise DomainError(
            _("The amount differs from the assessment (¥%(assessed)s): write the reason.")
            % {"assessed": assessed},
            field="reason",
            code="required",
        )
    if value <= 0:
        raise DomainError(
            _("Nothing is payable: reject the claim with a reason instead."), field="amount"
        )
    claim.approved_amount = value
    claim.adjustment_reason = reason if value != assessed else ""
    claim.decision_reason = reason
    claim.first_approver = actor.user
    if needs_second_approval(claim, value):
        claim.status = ClaimStatus.SECOND_APPROVAL
        claim.save(update_fields=[*ASSESSMENT_FIELDS, *DECISION_FIELDS, "status", "updated_at"])
        steps.record_step(
            claim, actor=actor, action="first_approval", before=before, amount=value, reason=reason
        )
        return claim
    _approve_finally(claim, on=steps.today())
    claim.save(update_fields=[*ASSESSMENT_FIELDS, *DECISION_FIELDS, *APPROVAL_FIELDS, "updated_at"])
    steps.record_step(
        claim, actor=actor, action="approve", before=before, amount=value, reason=reason
    )
    return claim


def needs_second_approval(claim: Claim, amount: Decimal) -> bool:
    """Four-eyes (SPEC §2, §8.4): the engine asked for it (a discretionary item, or an
    assessment above the tenant's threshold), the amount approved is above the threshold,
    or it is above what the engine assessed — one reviewer may pay less than the terms
    give, never more, whatever the threshold."""
    assessed = claim.assessed_amount or Decimal("0.00")
    return claim.needs_four_eyes or amount > claim.tenant.four_eyes_threshold or amount > assessed


def _approve_finally(claim: Claim, *, on: dt.date) -> None:
    """Approved: the payout limit runs from today in the tenant's working days (D5)."""
    claim.status = ClaimStatus.APPROVED
    claim.approved_on = on
    limit = terms_of(claim.policy.plan_version).payout_limit_working_days
    due = work_calendar_for(claim.tenant).add_working_days(on, limit)
    claim.payout_due = due.date
    claim.payout_due_provisional = due.provisional
    _end_cover_if_due(claim)


def _end_cover_if_due(claim: Claim) -> None:
    """A benefit that ends cover (a death benefit, total disability …: ``ends_cover`` in the
    assessment) ends the policy on the event date once the claim is approved (SPEC §3)."""
    if not (claim.assessment or {}).get("ends_cover") or claim.policy_id is None:
        return
    policy = Policy.objects.select_for_update(of=("self",)).get(pk=claim.policy_id)
    if policy.status != PolicyStatus.IN_FORCE or claim.event_date >= policy.end:
        return
    before = {"status": policy.status, "ended_on": None}
    policy.status, policy.ended_on = PolicyStatus.ENDED, claim.event_date
    policy.end_reason = (
        _("Cover ended by the benefit paid on claim %(number)s.") % {"number": claim.number}
    )[:200]
    policy.save(update_fields=["status", "ended_on", "end_reason"])
    record(
        actor=None,
        action="policy.end",
        obj=policy,
        organisation=policy.organisation,
        before=before,
        after={"status": policy.status, "ended_on": policy.ended_on, "claim": claim.number},
    )
