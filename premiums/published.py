"""What premiums publishes for other apps' SQL: a read-only view of its payments and the
kind value that gives the view's rows their sign.

Statistics reads premiums through ``premiums_stats_payments`` only, never its tables
(migration 0002 creates it): premiums may reshape its tables as long as the view keeps its
columns. The view is ``security_invoker``: a reader sees the rows its own role may see, so
row-level security on the tables applies through it. PostgreSQL refuses to drop a column
the view reads or change its type; such a migration drops and re-creates the view.

Readers pass the kind below as a query parameter; SQL names none of the kinds.
"""

from __future__ import annotations

from premiums.models import PaymentKind

#: tenant_id, organisation_id, enrolment_id (of the payment's invoice), kind, paid_on
#: (the bank's date), amount (positive, whatever the kind) — one row per payment.
PAYMENTS_VIEW = "premiums_stats_payments"

#: Money paid back: its amount counts negative; every other kind counts positive.
REFUND = PaymentKind.REFUND
