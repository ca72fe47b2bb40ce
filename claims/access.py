"""Who reaches which claim, report and batch, and who may do what with it now.

``access_*`` answer 404 for a missing object and for one outside the actor's subtree
alike (STYLE habit 1), so ids cannot be probed across tenants or sibling units.

The action tables (SPEC §8, §10) say, for an incident report, a claim and a payout batch,
every step a person takes: the states it starts from, the state it leads to (None: the
state stays, or the service chooses, as an approval that needs a second approver), who
may take it (roles, reaching the object's unit), and the relations that bar a person
from it (the four-eyes rules: the filer never approves, the first approver does not give
the second approval, the builder of a batch does not approve it, the reporter of a late
incident does not excuse it). One table, read three ways:

- ``allowed_actions(actor, obj)``: the page's buttons and the API's ``allowed``;
- ``require_action(actor, obj, action)``: what the services call with the row locked —
  ``PermissionDenied`` for a person the action is not for (whatever the state),
  ``DomainError`` for the wrong moment or a barred relation;
- ``require_actor(actor, obj, action)``: the same person check alone, before a service
  takes its lock; ``require_state(obj, action)``: the state alone.

An action may have several rules: reporters upload documents while the unit prepares
the application, reviewers until the claim is closed (paid, rejected or expired) — a
rule admits the actor by role and reach, then its states decide. Steps of the system
(the daily expiry, a claim put in a batch or paid with its batch line) are not here:
they follow from the batch's actions and the daily jobs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from claims.models import (
    CLOSED_STATUSES,
    EDITABLE_STATUSES,
    REVIEW_STATUSES,
    BatchStatus,
    Claim,
    ClaimDecision,
    ClaimDocument,
    ClaimStatus,
    IncidentReport,
    PayoutBatch,
    PayoutLine,
    ReportStatus,
)
from claims.selectors import report_list
from members.selfservice.session import SELF_SERVICE, is_member_actor
from mutualaid.core.errors import DomainError
from mutualaid.tenancy.models import Organisation, Role
from mutualaid.tenancy.scoping import Actor

#: Who reports incidents and prepares applications (SPEC §8: agents, and office staff on
#: behalf of a member).
REPORTERS = (Role.AGENT, Role.CADRE, Role.OFFICE_ADMIN, Role.REVIEWER)
#: Who reviews claims and decides on late reports.
REVIEWERS = (Role.REVIEWER,)
#: Who corrects the payee's account after a failed transfer.
PAYEE_CORRECTORS = (Role.FINANCE, Role.REVIEWER)
#: Who builds payout batches (the scheduled job builds them too) and who approves them.
BATCH_BUILDERS = (Role.FINANCE, Role.OFFICE_ADMIN)
BATCH_APPROVERS = (Role.FINANCE,)
#: Who reads payout batches; who downloads their bank files and notices (they name payees
#: and accounts).
BATCH_READERS = (Role.FINANCE, Role.OFFICE_ADMIN, Role.AUDITOR)
BATCH_FILE_USERS = (Role.FINANCE, Role.OFFICE_ADMIN)
#: Every staff role: reads anyone reaching the object may do.
ANY_STAFF = tuple(Role.values)

#: Claims whose payout notice can be printed: an amount was approved.
NOTICE_STATUSES = (ClaimStatus.APPROVED, ClaimStatus.IN_BATCH, ClaimStatus.PAID)

_ERRORS = (ValueError, TypeError, ValidationError)


# --- Access helpers -------------------------------------------------------------------------


def access_claim(actor: Actor, claim_id) -> Claim:
    """The claim if its unit is in the actor's subtree; else 404 (missing or foreign alike).
    The report's unit comes joined: the report's actions read it."""
    try:
        return (
            Claim.objects.for_actor(actor)
            .select_related(
                "tenant",
                "organisation",
                "member__organisation",  # whose ID number is shown whole (members.access)
                "plan",
                "report__organisation",
                "policy__plan_version",
                "filed_by",
                "first_approver",
                "second_approver",
            )
            .get(pk=claim_id)
        )
    except (Claim.DoesNotExist, *_ERRORS):
        raise Http404 from None


def access_document(actor: Actor, claim: Claim, document_id) -> ClaimDocument:
    """A document of a claim the actor reached (through ``access_claim``); else 404."""
    try:
        return ClaimDocument.objects.for_actor(actor).get(pk=document_id, claim_id=claim.pk)
    except (ClaimDocument.DoesNotExist, *_ERRORS):
        raise Http404 from None


def access_report(actor: Actor, report_id) -> IncidentReport:
    """The report if its unit is in the actor's subtree; else 404 (missing or foreign)."""
    try:
        return report_list(actor=actor).get(pk=report_id)
    except (IncidentReport.DoesNotExist, *_ERRORS):
        raise Http404 from None


def access_batch(actor: Actor, batch_id) -> PayoutBatch:
    """A payout batch of the actor's office (batches belong to the office node, so only
    office staff reach them); else 404."""
    try:
        return (
            PayoutBatch.objects.for_actor(actor)
            .select_related("organisation", "built_by", "approved_by")
            .get(pk=batch_id)
        )
    except (PayoutBatch.DoesNotExist, *_ERRORS):
        raise Http404 from None


def access_line(actor: Actor, batch: PayoutBatch, line_id) -> PayoutLine:
    """A line of a batch the actor reached; 404 also when it belongs to another batch."""
    try:
        return (
            PayoutLine.objects.for_actor(actor)
            .select_related("batch__organisation", "claim")
            .get(pk=line_id, batch_id=batch.pk)
        )
    except (PayoutLine.DoesNotExist, *_ERRORS, OverflowError):
        raise Http404 from None


# --- Steps that start something (no object yet) ----------------------------------------------


def can_report(actor: Actor | None, organisation: Organisation) -> bool:
    """Report an incident for a member of ``organisation`` (which opens the claim)."""
    return actor is not None and actor.has_role(*REPORTERS) and actor.reaches(organisation)


def can_report_for(actor: Actor | None, member) -> bool:
    """Report for ``member``: staff who reach the member's unit, or the member themselves
    (self-service, ``MemberActor``) and nobody else's member."""
    if is_member_actor(actor):
        return actor.member_id == member.pk and actor.tenant_id == member.tenant_id
    return can_report(actor, member.organisation)


def can_build_batch(actor: Actor | None) -> bool:
    """Gather approved claims into a payout batch: a builder at the office (the tenant's
    root, which owns the batches)."""
    return actor is not None and actor.has_role(*BATCH_BUILDERS) and actor.organisation.depth == 1


# --- The tables -------------------------------------------------------------------------------

#: A message, lazily translated, or made from the object (dates, amounts).
Message = Promise | Callable[[Any], str]


@dataclass(frozen=True)
class Rule:
    """Holders of one of ``roles`` whose node reaches the object's unit may take the action
    while the object is in one of ``sources``."""

    roles: tuple[str, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Guard:
    """A relation that bars a person otherwise allowed (``bars(actor, obj)``)."""

    bars: Callable[[Actor, Any], bool]
    message: Message
    code: str = "invalid"


@dataclass(frozen=True)
class Action:
    """One step: allowed when a rule admits the person in the object's state and no guard
    bars them; ``target`` is the state it leads to (None: it stays, or the service
    chooses)."""

    rules: tuple[Rule, ...]
    target: str | None
    #: Why the object's state does not allow it (to a person a rule admits).
    refused: Message
    guards: tuple[Guard, ...] = ()

    @property
    def sources(self) -> frozenset[str]:
        return frozenset(state for rule in self.rules for state in rule.sources)

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(role for rule in self.rules for role in rule.roles))


def _text(message: Message, obj) -> str:
    return str(message) if isinstance(message, Promise) else message(obj)


def filed(actor: Actor, claim: Claim) -> bool:
    """Whoever reported the incident or submitted the application filed the claim (an
    office reviewer submitting for a member files it as much as the agent does)."""
    return (
        claim.filed_by_id == actor.user.pk
        or claim.decisions.filter(
            action=ClaimDecision.Action.SUBMIT, actor_id=actor.user.pk
        ).exists()
    )


def _first_approver(actor: Actor, claim: Claim) -> bool:
    return claim.status == ClaimStatus.SECOND_APPROVAL and claim.first_approver_id == actor.user.pk


def has_notice(claim: Claim) -> bool:
    """A payout notice can be printed: an amount was approved (approved, batched or paid)."""
    return claim.status in NOTICE_STATUSES and claim.approved_amount is not None


_NOT_DECIDING = gettext_lazy("This claim is not waiting for a decision.")
_NO_NOTICE = gettext_lazy("A payout notice is printed once the claim is approved.")


def _submitted_already(claim: Claim) -> str:
    if claim.status == ClaimStatus.EXPIRED:
        return _("The time to apply ended on %(date)s: the claim is forfeited.") % {
            "date": claim.expires_on.isoformat()
        }
    return _("This claim has been submitted already.")


def _late_report(claim: Claim) -> str:
    return _(
        "The incident was reported after its deadline (%(deadline)s): a reviewer "
        "must accept the late report first."
    ) % {"deadline": claim.report.deadline.isoformat()}


def _decision(target: str | None, refused: Message = _NOT_DECIDING, guards=()) -> Action:
    """A review decision (SPEC §8.4): a reviewer's, from the review queue."""
    return Action((Rule(REVIEWERS, REVIEW_STATUSES),), target, refused, guards)


CLAIM_ACTIONS: dict[str, Action] = {
    # The application, while the unit prepares it (or documents were asked for).
    "update": Action(
        (Rule(REPORTERS, EDITABLE_STATUSES),),
        None,
        gettext_lazy("This claim is with the reviewer and cannot be changed now."),
    ),
    # Documents: the unit while it prepares the application; the office's reviewer (papers
    # that came by post) until the claim is closed.
    "upload": Action(
        (
            Rule(REPORTERS, EDITABLE_STATUSES),
            # The member, on their own claim (self-service; ``_rules_admitting``).
            Rule((SELF_SERVICE,), EDITABLE_STATUSES),
            Rule(
                REVIEWERS,
                tuple(s for s in ClaimStatus.values if s not in CLOSED_STATUSES),
            ),
        ),
        None,
        gettext_lazy("Documents can no longer be added to this claim."),
    ),
    "submit": Action(
        (Rule(REPORTERS, EDITABLE_STATUSES),),
        ClaimStatus.SUBMITTED,
        _submitted_already,
        (
            Guard(lambda actor, claim: claim.report.status == ReportStatus.LATE, _late_report),
            Guard(
                lambda actor, claim: claim.report.status == ReportStatus.REFUSED,
                gettext_lazy("The late report was refused: this claim cannot be submitted."),
            ),
        ),
    ),
    # The reviewer records the exclusions found and the engine runs again (not once the
    # first approval fixed the amount).
    "reassess": Action(
        (Rule(REVIEWERS, (ClaimStatus.SUBMITTED, ClaimStatus.INVESTIGATION)),),
        None,
        gettext_lazy("Only a claim under review can be assessed again."),
    ),
    # To second approval or approved: the amount and the tenant's threshold decide.
    "approve": _decision(
        None,
        gettext_lazy("This claim is not waiting for approval."),
        (
            Guard(
                filed,
                gettext_lazy("You filed this claim, so someone else must approve it."),
                "filer",
            ),
            Guard(
                _first_approver,
                gettext_lazy("You gave the first approval: a second reviewer must confirm it."),
                "four_eyes",
            ),
        ),
    ),
    "request_documents": _decision(ClaimStatus.DOCUMENTS_REQUESTED),
    # A claim under investigation is there already.
    "investigate": Action(
        (Rule(REVIEWERS, (ClaimStatus.SUBMITTED, ClaimStatus.SECOND_APPROVAL)),),
        ClaimStatus.INVESTIGATION,
        _NOT_DECIDING,
    ),
    "reject": _decision(ClaimStatus.REJECTED),
    # After a failed transfer the claim is approved again: its account may be corrected
    # before the next batch takes it.
    "correct_payee": Action(
        (Rule(PAYEE_CORRECTORS, (ClaimStatus.APPROVED,)),),
        None,
        gettext_lazy("The account can be corrected only while the claim waits for a batch."),
    ),
    "notice": Action(
        (Rule(ANY_STAFF, NOTICE_STATUSES),),
        None,
        _NO_NOTICE,
        (Guard(lambda actor, claim: claim.approved_amount is None, _NO_NOTICE),),
    ),
}

#: The review decisions a reviewer chooses from on the claim (page and API).
REVIEW_ACTIONS = ("approve", "request_documents", "investigate", "reject")

_LATENESS = gettext_lazy("This report is not waiting for a decision on lateness.")
_REPORTED_IT = Guard(
    lambda actor, report: report.created_by_id == actor.user.pk,
    gettext_lazy("You reported this incident, so another reviewer must decide on its lateness."),
    "filer",
)

#: A late report waits for a reviewer who accepts it with a reason or refuses it.
REPORT_ACTIONS: dict[str, Action] = {
    "accept_late": Action(
        (Rule(REVIEWERS, (ReportStatus.LATE,)),), ReportStatus.ACCEPTED, _LATENESS, (_REPORTED_IT,)
    ),
    "refuse_late": Action(
        (Rule(REVIEWERS, (ReportStatus.LATE,)),), ReportStatus.REFUSED, _LATENESS, (_REPORTED_IT,)
    ),
}

#: Finance approves a batch someone else built, then marks its lines paid or failed; the
#: bank file goes out only once the batch is approved.
BATCH_ACTIONS: dict[str, Action] = {
    "approve": Action(
        (Rule(BATCH_APPROVERS, (BatchStatus.BUILT,)),),
        BatchStatus.APPROVED,
        gettext_lazy("The batch could not be approved."),
        (
            Guard(
                lambda actor, batch: batch.built_by_id == actor.user.pk,
                gettext_lazy("You built this batch, so another finance officer must approve it."),
                "builder",
            ),
        ),
    ),
    # Closed once no line is pending.
    "mark_paid": Action(
        (Rule(BATCH_APPROVERS, (BatchStatus.APPROVED,)),),
        None,
        gettext_lazy("Only an approved batch can be paid."),
    ),
    "mark_failed": Action(
        (Rule(BATCH_APPROVERS, (BatchStatus.APPROVED,)),),
        None,
        gettext_lazy("The batch is not approved yet: nothing was sent to the bank."),
    ),
    "bank_file": Action(
        (Rule(BATCH_FILE_USERS, (BatchStatus.APPROVED, BatchStatus.CLOSED)),),
        None,
        gettext_lazy("The batch must be approved before its bank file is sent."),
    ),
    # In every state (so never refused for it).
    "notices": Action((Rule(BATCH_FILE_USERS, tuple(BatchStatus.values)),), None, _NO_NOTICE),
}

TABLES: dict[type, dict[str, Action]] = {
    Claim: CLAIM_ACTIONS,
    IncidentReport: REPORT_ACTIONS,
    PayoutBatch: BATCH_ACTIONS,
}


# --- Reading the tables ------------------------------------------------------------------------


def _rules_admitting(actor: Actor | None, obj, action: Action) -> list[Rule]:
    if actor is None or not actor.reaches(obj.organisation):
        return []
    if is_member_actor(actor) and (
        getattr(obj, "member_id", None) != actor.member_id or obj.tenant_id != actor.tenant_id
    ):
        return []  # a member acts on their own rows alone
    return [rule for rule in action.rules if actor.has_role(*rule.roles)]


def _barred(actor: Actor, obj, action: Action) -> Guard | None:
    return next((guard for guard in action.guards if guard.bars(actor, obj)), None)


def allowed_actions(actor: Actor | None, obj) -> set[str]:
    """The actions of ``obj``'s table this actor may take now (a guard's query, such as
    "did this reviewer file the claim?", runs only when role and state allow the action)."""
    allowed = set()
    for name, action in TABLES[type(obj)].items():
        rules = _rules_admitting(actor, obj, action)
        if (
            any(obj.status in rule.sources for rule in rules)
            and _barred(actor, obj, action) is None
        ):
            allowed.add(name)
    return allowed


def require_actor(actor: Actor | None, obj, name: str) -> None:
    """``PermissionDenied`` unless the action is for this person at all (a role of it and
    the object's unit in reach), whatever the object's state."""
    if not _rules_admitting(actor, obj, TABLES[type(obj)][name]):
        raise PermissionDenied


def require_state(obj, name: str) -> None:
    """``DomainError`` unless the object's state lets anyone take the action: for a step
    whose person was checked before the lock, and for work with no person at hand (a
    background job writing a batch's bank file)."""
    action = TABLES[type(obj)][name]
    if obj.status not in action.sources:
        raise DomainError(_text(action.refused, obj), code="illegal_transition")


def require_action(actor: Actor | None, obj, name: str, *, state: bool = True) -> None:
    """The person (``PermissionDenied``), then the state and the relations (``DomainError``
    with the table's message). ``state=False`` leaves the state to a conditional UPDATE,
    for steps a retry finds done and leaves alone."""
    action = TABLES[type(obj)][name]
    rules = _rules_admitting(actor, obj, action)
    if not rules:
        raise PermissionDenied
    if state and not any(obj.status in rule.sources for rule in rules):
        raise DomainError(_text(action.refused, obj), code="illegal_transition")
    guard = _barred(actor, obj, action)
    if guard is not None:
        raise DomainError(_text(guard.message, obj), code=guard.code)
