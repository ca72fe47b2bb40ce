"""What tenancy publishes for other apps' SQL: a read-only view of the organisation tree.

Statistics reads the tree through ``tenancy_stats_nodes`` only, never
``tenancy_organisation`` (migration 0002 creates it): tenancy may reshape its tables as
long as the view keeps its columns. The view is ``security_invoker``: a reader sees the
rows its own role may see, so row-level security on the table applies through it.
PostgreSQL refuses to drop a column the view reads or change its type; such a migration
drops and re-creates the view.

A node's parent is the node whose path is its own without the last ``STEPLEN``
characters (materialised path, ``Organisation.steplen``); the root has depth 1.
"""

from __future__ import annotations

from mutualaid.tenancy.models import Organisation

#: tenant_id, id, path, depth — one row per node of the tree.
NODES_VIEW = "tenancy_stats_nodes"

STEPLEN = Organisation.steplen
