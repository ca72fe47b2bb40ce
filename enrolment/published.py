"""What enrolment publishes for other apps' SQL: read-only views of its policies and
enrolments and the status values that give the views' rows their meaning.

Statistics reads enrolment through these views only, never its tables (migration 0003
creates them): enrolment may reshape its tables as long as the views keep their columns.
The views are ``security_invoker``: a reader sees the rows its own role may see, so
row-level security on the tables applies through them. PostgreSQL refuses to drop a
column a view reads or change its type; such a migration drops and re-creates the view.

Readers pass the statuses below as query parameters; SQL names none of them.
"""

from __future__ import annotations

from enrolment.models import EnrolmentStatus, PolicyStatus
from enrolment.states import COVERING_STATUSES

#: tenant_id, organisation_id (the enrolling unit's node), plan_id, member_id, status,
#: start, last_covered_day (``ended_on`` when cover stopped early, else ``end``).
POLICIES_VIEW = "enrolment_stats_policies"
#: tenant_id, id, organisation_id, plan_id, status, premium_total, payment_date,
#: coverage_start, coverage_end — one row per enrolment.
ENROLMENTS_VIEW = "enrolment_stats_enrolments"

#: A policy that never was: the only status a count of policies leaves out.
POLICY_VOID = PolicyStatus.CANCELLED
#: Statuses whose cover runs over its days (``enrolment.states``, the one rule of what is
#: "in force"): a policy covers day d when its status is one of these and
#: start ≤ d ≤ last_covered_day.
POLICY_COVERING = list(COVERING_STATUSES)
#: An enrolment whose cover came into force (paid; its coverage dates are the real ones).
ENROLMENT_IN_FORCE = EnrolmentStatus.IN_FORCE
