"""Prefix search that keeps its index under row-level security.

PostgreSQL derives an index range from ``name LIKE '王%'`` only when the LIKE may run before
the tenant policy, and LIKE is not "leakproof", so under row-level security the planner
keeps it as a filter and scans the table (a name search went from 0.3 ms to 15 ms on the
bench tenant's 20,000 claims). The comparison operators are leakproof: the same prefix as
an explicit range on a column with byte ("C") collation, where the order is the code
points', keeps the index; the LIKE stays as the exact test.
"""

from __future__ import annotations

from django.db.models import Q


def prefix_filter(field: str, prefix: str) -> Q:
    """Rows whose ``field`` (a C-collated column) starts with ``prefix``, on its index."""
    condition = Q(**{f"{field}__startswith": prefix})
    if not prefix:
        return condition
    last = ord(prefix[-1])
    if last >= 0x10FFFF:
        return condition
    upper = prefix[:-1] + chr(last + 1)
    return condition & Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})
