"""The notification kinds of claims (texts are written when shown)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from claims.models import ClaimDecision, ClaimStatus
from mutualaid.notifications.kinds import register
from mutualaid.notifications.services import notify
from mutualaid.tenancy.models import Role, Staff

EXPIRY_REMINDER = "claims.expiry_reminder"
DOCUMENTS_REQUESTED = "claims.documents_requested"
DECIDED = "claims.decided"
PAID = "claims.paid"
NEAR_LIMIT = "claims.near_limit"

register(
    EXPIRY_REMINDER,
    _(
        "Claim %(number)s for %(member)s must be applied for by %(expires)s "
        "(%(days)s days left), or it is forfeited."
    ),
)
register(
    DOCUMENTS_REQUESTED,
    _("Claim %(number)s for %(member)s: the reviewer asks for documents: %(reason)s"),
)
register(DECIDED, _("Claim %(number)s for %(member)s: %(decision)s %(detail)s"))
register(PAID, _("Claim %(number)s for %(member)s was paid: ¥%(amount)s on %(date)s."))
register(
    NEAR_LIMIT,
    _("%(count)s approved claims must be paid within a few working days (by %(first)s)."),
)
SUBMITTED = "claims.submitted"
SECOND_APPROVAL = "claims.second_approval"
LATE_REPORT = "claims.late_report"
BATCH_BUILT = "claims.batch_built"
BATCH_APPROVED = "claims.batch_approved"

register(
    SUBMITTED,
    _(
        "Claim %(number)s for %(member)s (%(unit)s) was submitted: ¥%(amount)s assessed, "
        "it waits for your review."
    ),
)
register(
    SECOND_APPROVAL,
    _(
        "Claim %(number)s for %(member)s: ¥%(amount)s approved by a first reviewer, "
        "it waits for a second approval."
    ),
)
register(
    LATE_REPORT,
    _(
        "Incident report %(number)s for %(member)s (%(unit)s) came after its deadline "
        "(%(deadline)s): it waits for your decision."
    ),
)
register(
    BATCH_BUILT,
    _(
        "Payout batch %(number)s (%(count)s claims, ¥%(total)s) was built: it waits for "
        "your approval."
    ),
)
register(
    BATCH_APPROVED,
    _(
        "Payout batch %(number)s (%(count)s claims, ¥%(total)s) was approved: send the "
        "transfer and mark the lines paid."
    ),
)


# --- Who is told -------------------------------------------------------------------------------


def _claim_link(claim) -> str:
    return reverse("claims:claim_detail", args=[claim.pk])


def _staff_above(organisation, role: str, *, exclude=()) -> list:
    """Active users with ``role`` at the node or a node above it (one query each)."""
    nodes = [node.pk for node in organisation.ancestry()]
    return [
        user
        for user in Staff.objects.filter(
            tenant_id=organisation.tenant_id,
            organisation_id__in=nodes,
            roles__contains=[role],
            user__is_active=True,
        ).values_list("user_id", flat=True)
        if user not in exclude
    ]


def _finance(batch, *, exclude=()) -> list:
    return [
        user
        for user in Staff.objects.filter(
            tenant_id=batch.tenant_id,
            organisation_id=batch.organisation_id,
            roles__contains=[Role.FINANCE],
            user__is_active=True,
        ).values_list("user_id", flat=True)
        if user not in exclude
    ]


def notify_decision(claim, decision) -> None:
    """Tell the next people of a claim's step (``ClaimDecision`` just written, inside its
    transaction): a submission the reviewers, a first of two approvals the other reviewers,
    a decision the person who filed it. Keyed by the decision row: told once."""
    action = decision.action
    Action = ClaimDecision.Action
    filer = [claim.filed_by_id] if claim.filed_by_id else []
    params = {
        "number": claim.number,
        "member": claim.member_name,
        "unit": claim.organisation.name,
        "reason": decision.reason,
        "amount": str(decision.amount if decision.amount is not None else ""),
    }
    actor_id = decision.actor_id
    if action == Action.SUBMIT:
        kind = SUBMITTED
        users = _staff_above(claim.organisation, Role.REVIEWER, exclude=(claim.filed_by_id,))
    elif action == Action.FIRST_APPROVAL:
        kind = SECOND_APPROVAL
        users = _staff_above(
            claim.organisation, Role.REVIEWER, exclude=(claim.filed_by_id, actor_id)
        )
    elif action in (Action.APPROVE, Action.SECOND_APPROVAL):
        kind, users = DECIDED, filer
        params.update(decision=str(ClaimStatus.APPROVED.label), detail=f"¥{claim.approved_amount}")
    elif action == Action.REQUEST_DOCUMENTS:
        kind, users = DOCUMENTS_REQUESTED, filer
    elif action == Action.REJECT:
        kind, users = DECIDED, filer
        params.update(decision=str(ClaimStatus.REJECTED.label), detail=decision.reason)
    else:
        return
    users = [u for u in dict.fromkeys(users) if u != actor_id]
    if users:
        notify(
            recipients=users,
            organisation=claim.organisation,
            kind=kind,
            params=params,
            link=_claim_link(claim),
            key=f"claim:{claim.pk}:{action}:{decision.pk}",
        )


def notify_late_report(report) -> None:
    """A late report waits for a reviewer's decision (SPEC §8.1)."""
    users = _staff_above(report.organisation, Role.REVIEWER, exclude=(report.created_by_id,))
    if users:
        notify(
            recipients=users,
            organisation=report.organisation,
            kind=LATE_REPORT,
            params={
                "number": report.number,
                "member": report.member.name,
                "unit": report.organisation.name,
                "deadline": report.deadline.isoformat(),
            },
            link=_claim_link(report.claim),
            key=f"report:{report.pk}:late",
        )


def notify_batch(batch, *, step: str, by_id=None) -> None:
    """A batch built waits for another finance user's approval; an approved batch waits
    for the transfer (told to finance but the approver)."""
    kind = BATCH_BUILT if step == "built" else BATCH_APPROVED
    users = _finance(batch, exclude=(by_id,))
    if users:
        notify(
            recipients=users,
            organisation=batch.organisation,
            kind=kind,
            params={"number": batch.number, "count": batch.line_count, "total": str(batch.total)},
            link=reverse("claims:batch_detail", args=[batch.pk]),
            key=f"batch:{batch.pk}:{step}",
        )
