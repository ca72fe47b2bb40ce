"""No change to stats' own tables: the summary refresh (``stats/refresh.py``) reads the
other apps through the views they publish, so stats comes after their migrations."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("stats", "0001_initial"),
        ("tenancy", "0002_stats_nodes_view"),
        ("plans", "0002_stats_plans_view"),
        ("members", "0002_stats_views"),
        ("enrolment", "0003_stats_views"),
        ("premiums", "0003_stats_payments_view"),
        ("claims", "0004_stats_claims_view"),
    ]

    operations = []
