"""Publish what statistics reads of plans as a view (``plans/published.py``).

``security_invoker``: the reader's own privileges and row-level security apply to the
table below, as if it read ``plans_plan`` itself.
"""

from django.db import migrations

VIEW = """
CREATE VIEW plans_stats_plans WITH (security_invoker = true) AS
SELECT tenant_id, id
FROM plans_plan
"""


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]

    operations = [migrations.RunSQL(VIEW, "DROP VIEW plans_stats_plans")]
