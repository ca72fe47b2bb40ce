"""What the claims services share: "today" (the one place tests freeze it), the claim's
row lock, the record of a claim's step (a ``ClaimDecision`` and its audit event, in the
same transaction), the link to a claim's page in notifications, and the office node that
owns payout batches.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from claims.models import Claim, ClaimDecision
from claims.notices import notify_decision
from mutualaid.audit.services import record
from mutualaid.tenancy.models import Organisation
from mutualaid.tenancy.scoping import Actor


def today() -> dt.date:
    return timezone.localdate()


def lock_claim(claim: Claim) -> Claim:
    """The claim re-read under a row lock, with its unit and tenant."""
    return (
        # of=self: lock the claim only, not its organisation and tenant rows (every claim
        # write of the tenant would otherwise queue on the tenant's row).
        Claim.objects.select_for_update(of=("self",))
        .select_related("organisation", "tenant")
        .get(pk=claim.pk)
    )


def record_step(
    claim: Claim,
    *,
    actor: Actor | None,
    action: str,
    before: str,
    amount: Decimal | None = None,
    reason: str = "",
) -> None:
    """One step of the claim, after its new state is saved: the decision row, the audit
    event, and the notification of the people the step hands the claim to
    (``claims.notices.notify_decision``)."""
    decision = ClaimDecision.objects.create(
        tenant_id=claim.tenant_id,
        claim=claim,
        action=action,
        from_status=before,
        to_status=claim.status,
        amount=amount,
        reason=reason,
        actor=actor.user if actor is not None else None,
    )
    record(
        actor=actor,
        action=f"claim.{action}",
        obj=claim,
        organisation=claim.organisation,
        before={"status": before},
        after={
            "status": claim.status,
            **({"amount": str(amount)} if amount is not None else {}),
            **({"reason": reason} if reason else {}),
        },
    )
    notify_decision(claim, decision)


def claim_link(claim: Claim) -> str:
    return reverse("claims:claim_detail", args=[claim.pk])


def office_of(tenant_id) -> Organisation:
    """The tenant's office (its root node): it owns the payout batches."""
    return Organisation.objects.get(tenant_id=tenant_id, depth=1)
