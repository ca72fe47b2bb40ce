"""DRF's ``authtoken`` app is gone (issue 18): its table held every key in plain text, so it
is dropped rather than left behind. Its rows in ``django_migrations`` are harmless."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("api", "0001_api_tokens")]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", migrations.RunSQL.noop),
    ]
