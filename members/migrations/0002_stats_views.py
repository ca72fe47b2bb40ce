"""Publish what statistics reads of members as views (``members/published.py``).

``security_invoker``: the reader's own privileges and row-level security apply to the
tables below, as if it read them itself.
"""

from django.db import migrations

UNITS = """
CREATE VIEW members_stats_units WITH (security_invoker = true) AS
SELECT tenant_id, organisation_id, ownership, industry, union_member_count
FROM members_unit
"""

MEMBERS = """
CREATE VIEW members_stats_members WITH (security_invoker = true) AS
SELECT tenant_id, id, organisation_id, employment_status, is_union_member
FROM members_member
"""


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]

    operations = [
        migrations.RunSQL(UNITS, "DROP VIEW members_stats_units"),
        migrations.RunSQL(MEMBERS, "DROP VIEW members_stats_members"),
    ]
