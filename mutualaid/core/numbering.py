"""Running document numbers (invoices, receipts, incident reports, claims, payout batches).

A number is ``prefix + year + six digits`` (JF2026000123), counted per tenant, kind and
year by one atomic upsert, so two users at once never get the same number and a rolled-back
transaction gives its number back.
"""

from __future__ import annotations

from django.db import connection


def next_number(*, tenant_id, kind: str, prefix: str, year: int) -> str:
    """The next running number of ``kind`` in the tenant and year, e.g. JF2026000123."""
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO core_documentcounter (tenant_id, kind, year, last)
            VALUES (%s, %s, %s, 1)
            ON CONFLICT (tenant_id, kind, year)
            DO UPDATE SET last = core_documentcounter.last + 1
            RETURNING last
            """,
            [tenant_id, kind, year],
        )
        (number,) = cur.fetchone()
    return f"{prefix}{year}{number:06d}"
