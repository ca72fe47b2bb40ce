"""Publish what statistics reads of the organisation tree as a view
(``mutualaid/tenancy/published.py``).

``security_invoker``: the reader's own privileges and row-level security apply to the
table below, as if it read ``tenancy_organisation`` itself.
"""

from django.db import migrations

VIEW = """
CREATE VIEW tenancy_stats_nodes WITH (security_invoker = true) AS
SELECT tenant_id, id, path, depth
FROM tenancy_organisation
"""


class Migration(migrations.Migration):
    dependencies = [("tenancy", "0001_initial")]

    operations = [migrations.RunSQL(VIEW, "DROP VIEW tenancy_stats_nodes")]
