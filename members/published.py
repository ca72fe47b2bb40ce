"""What members publishes for other apps' SQL: read-only views of its units and members
and the status values that give the views' rows their meaning.

Statistics reads members through these views only, never its tables (migration 0002
creates them): members may reshape its tables as long as the views keep their columns.
The views are ``security_invoker``: a reader sees the rows its own role may see, so
row-level security on the tables applies through them. PostgreSQL refuses to drop a
column a view reads or change its type; such a migration drops and re-creates the view.

Readers pass the statuses below as query parameters; SQL names none of them.
"""

from __future__ import annotations

from members.models import EmploymentStatus

#: tenant_id, organisation_id (the unit's node, its key), ownership, industry,
#: union_member_count (the registered headcount; 0 when not given).
UNITS_VIEW = "members_stats_units"
#: tenant_id, id, organisation_id (the member's unit now), employment_status,
#: is_union_member — one row per member.
MEMBERS_VIEW = "members_stats_members"

#: No longer on a unit's books: left the employer or died.
GONE = [EmploymentStatus.LEFT, EmploymentStatus.DIED]
