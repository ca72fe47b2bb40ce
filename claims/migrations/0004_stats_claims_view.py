"""Publish what statistics reads of claims as a view (``claims/published.py``).

``security_invoker``: the reader's own privileges and row-level security apply to the
table below, as if it read ``claims_claim`` itself.
"""

from django.db import migrations

VIEW = """
CREATE VIEW claims_stats_claims WITH (security_invoker = true) AS
SELECT tenant_id, organisation_id, plan_id, status, submitted_at,
       approved_on, approved_amount, payout_due, paid_on, paid_amount
FROM claims_claim
"""


class Migration(migrations.Migration):
    dependencies = [("claims", "0003_claim_member_name")]

    operations = [migrations.RunSQL(VIEW, "DROP VIEW claims_stats_claims")]
