"""The assessment (SPEC §8.3): the plans engine run against the policy in force on the
event date, its result stored with the claim as it was shown to the reviewer.

The engine (``plans.rules``) is pure; this module gives it its picture of the policy —
tranches with their waiting periods, and what earlier claims on it were granted (as
approved or paid, not as assessed: caps and limits count what the member really gets),
each with its incident: a report's own, or the first report of the incident it names as
the same (``IncidentReport.same_incident_as``), so the engine's same-event deduction
reaches a death reported after the disability of the same accident. Claims on other
policies (another plan, another period) are not the engine's concern: its caps and
deductions are per policy.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.models import Claim, ClaimStatus
from claims.services.reports import policy_on
from enrolment.models import Policy
from mutualaid.core.errors import DomainError
from mutualaid.money import CENT
from plans.rules import FACTS, ClaimFacts, EarlierPayout, PolicySnapshot, ShareTranche, assess
from plans.terms import terms_of

#: The claim's fields an assessment writes (saved with the step that ran it).
ASSESSMENT_FIELDS = ("policy", "assessment", "assessed_amount", "needs_four_eyes", "assessed_at")

#: Claims whose money counts as paid or promised when a later claim is assessed.
COUNTED_STATUSES = (
    ClaimStatus.SECOND_APPROVAL,
    ClaimStatus.APPROVED,
    ClaimStatus.IN_BATCH,
    ClaimStatus.PAID,
)

#: Item code for money approved on a claim whose assessment had no payable line.
ADJUSTMENT_ITEM = "adjustment"


def incident_of(claim: Claim) -> str:
    """The incident a claim answers, as the engine's ``event_ref``: the first report of the
    incident its report names as the same one, else its own report. Items that exclude
    each other (death and disability of one accident) deduct what was granted on claims
    of the same incident (SPEC §3 modifiers)."""
    return str(claim.report.same_incident_as_id or claim.report_id)


def facts_of(claim: Claim) -> ClaimFacts:
    values: dict[str, Any] = {}
    for name, raw in (claim.facts or {}).items():
        if name not in FACTS:
            continue
        values[name] = Decimal(raw) if FACTS[name][2] == "money" else int(raw)
    return ClaimFacts(
        event_kind=claim.event_kind,
        event_date=claim.event_date,
        condition=claim.condition or None,
        cause=claim.cause or None,
        event_ref=incident_of(claim),
        exclusions=tuple(claim.exclusions or ()),
        **values,
    )


def _granted_lines(claim: Claim) -> list[tuple[str, Decimal]]:
    """The claim's money by benefit item, as approved (or paid), not as assessed: when the
    reviewer adjusted the amount, the assessed lines are scaled to it (the last line takes
    the rounding), so caps and limits count what the member really gets."""
    lines = [
        (line["item_code"], Decimal(line["amount"]))
        for line in (claim.assessment or {}).get("lines", [])
        if Decimal(line["amount"]) > 0
    ]
    granted = claim.paid_amount if claim.paid_amount is not None else claim.approved_amount
    assessed = sum((amount for _code, amount in lines), Decimal("0.00"))
    if granted is None or granted == assessed:
        return lines
    if not lines:
        return [(ADJUSTMENT_ITEM, granted)] if granted > 0 else []
    scaled = [(code, (amount * granted / assessed).quantize(CENT)) for code, amount in lines]
    rest = granted - sum((amount for _code, amount in scaled), Decimal("0.00"))
    scaled[-1] = (scaled[-1][0], scaled[-1][1] + rest)
    return [(code, amount) for code, amount in scaled if amount > 0]


def snapshot_of(policy: Policy, *, excluding: Claim | None = None) -> PolicySnapshot:
    """The engine's picture of a policy: its tranches (each with its own waiting period)
    and what earlier claims on it have been approved or paid."""
    terms = terms_of(policy.plan_version)
    tranches = tuple(
        ShareTranche(shares=t.shares, start=t.start, waiting_end=t.waiting_end)
        for t in policy.tranches.order_by("start", "id")
    )
    earlier = []
    others = Claim.objects.filter(policy=policy, status__in=COUNTED_STATUSES)
    if excluding is not None:
        others = others.exclude(pk=excluding.pk)
    others = others.annotate(incident=Coalesce("report__same_incident_as_id", "report_id"))
    for other in others.only("assessment", "report_id", "approved_amount", "paid_amount"):
        for code, amount in _granted_lines(other):
            earlier.append(
                EarlierPayout(item_code=code, amount=amount, event_ref=str(other.incident))
            )
    return PolicySnapshot(
        terms=terms,
        start=policy.start,
        end=policy.end,
        tranches=tranches,
        tier=policy.tier or None,
        cover_ended_on=policy.ended_on,
        earlier_payouts=tuple(earlier),
        plan_name=policy.plan.name,
    )


def assess_claim(claim: Claim) -> None:
    """Run the engine against the policy in force on the event date and set the result on
    the claim (``ASSESSMENT_FIELDS``; the caller saves them with its step)."""
    policy = policy_on(claim.member, claim.plan, claim.event_date)
    if policy is None:  # pragma: no cover - a report needs a policy of the plan
        raise DomainError(_("No policy of this plan was found for the member."))
    claim.policy = policy
    result = assess(
        snapshot_of(policy, excluding=claim),
        facts_of(claim),
        four_eyes_threshold=claim.tenant.four_eyes_threshold,
    )
    claim.assessment = result.to_dict()
    claim.assessed_amount = result.total
    claim.needs_four_eyes = result.needs_four_eyes
    claim.assessed_at = timezone.now()
