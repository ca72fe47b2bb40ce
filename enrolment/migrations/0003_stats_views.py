"""Publish what statistics reads of enrolment as views (``enrolment/published.py``).

``security_invoker``: the reader's own privileges and row-level security apply to the
tables below, as if it read them itself.
"""

from django.db import migrations

POLICIES = """
CREATE VIEW enrolment_stats_policies WITH (security_invoker = true) AS
SELECT tenant_id, organisation_id, plan_id, member_id, status,
       start, COALESCE(ended_on, "end") AS last_covered_day
FROM enrolment_policy
"""

ENROLMENTS = """
CREATE VIEW enrolment_stats_enrolments WITH (security_invoker = true) AS
SELECT tenant_id, id, organisation_id, plan_id, status,
       premium_total, payment_date, coverage_start, coverage_end
FROM enrolment_enrolment
"""


class Migration(migrations.Migration):
    dependencies = [("enrolment", "0002_fewer_checks_per_row")]

    operations = [
        migrations.RunSQL(POLICIES, "DROP VIEW enrolment_stats_policies"),
        migrations.RunSQL(ENROLMENTS, "DROP VIEW enrolment_stats_enrolments"),
    ]
