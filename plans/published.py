"""What plans publishes for other apps' SQL: a read-only view of its plans.

Statistics reads plans through ``plans_stats_plans`` only, never ``plans_plan`` (migration
0002 creates it): plans may reshape its tables as long as the view keeps its columns. The
view is ``security_invoker``: a reader sees the rows its own role may see, so row-level
security on ``plans_plan`` applies through it. PostgreSQL refuses to drop a column the
view reads or change its type; such a migration drops and re-creates the view.
"""

from __future__ import annotations

#: tenant_id, id — one row per plan of the tenant, local plans included.
PLANS_VIEW = "plans_stats_plans"
