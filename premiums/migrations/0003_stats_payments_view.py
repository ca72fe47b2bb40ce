"""Publish what statistics reads of premiums as a view (``premiums/published.py``).

The view reads premiums' own tables only: a reader that wants the enrolment's plan joins
``enrolment_stats_enrolments`` on ``enrolment_id``. ``security_invoker``: the reader's own
privileges and row-level security apply to the tables below, as if it read them itself.
"""

from django.db import migrations

VIEW = """
CREATE VIEW premiums_stats_payments WITH (security_invoker = true) AS
SELECT p.tenant_id, p.organisation_id, i.enrolment_id, p.kind, p.paid_on, p.amount
FROM premiums_payment p
JOIN premiums_invoice i ON i.id = p.invoice_id
"""


class Migration(migrations.Migration):
    dependencies = [("premiums", "0002_document_counter_to_kernel")]

    operations = [migrations.RunSQL(VIEW, "DROP VIEW premiums_stats_payments")]
