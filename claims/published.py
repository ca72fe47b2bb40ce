"""What claims publishes for other apps' SQL: a read-only view of its claims and the status
values that give the view's rows their meaning.

Statistics reads claims through ``claims_stats_claims`` only, never ``claims_claim``
(migration 0004 creates it): claims may reshape its tables as long as the view keeps its
columns. The view is ``security_invoker``: a reader sees the rows its own role may see, so
row-level security on ``claims_claim`` applies through it. PostgreSQL refuses to drop a
column the view reads or change its type; such a migration drops and re-creates the view.

Readers pass the statuses below as query parameters; SQL names none of them.
"""

from __future__ import annotations

from claims.models import ClaimStatus

#: tenant_id, organisation_id, plan_id, status, submitted_at, approved_on,
#: approved_amount, payout_due, paid_on, paid_amount — one row per claim.
CLAIMS_VIEW = "claims_stats_claims"

#: Still being prepared by the applicant: not received, whatever ``submitted_at`` says.
UNSUBMITTED = ClaimStatus.DRAFT
#: Paid out: a payout of ``paid_amount`` on ``paid_on``.
PAID = ClaimStatus.PAID
#: Approved, the money not yet sent: an outstanding payout, overdue after ``payout_due``.
AWAITING_PAYOUT = [ClaimStatus.APPROVED, ClaimStatus.IN_BATCH]
