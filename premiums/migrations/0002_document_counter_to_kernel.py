# The running document numbers move to the kernel (claims numbers its documents too):
# the counters reached so far are copied, so no number is ever handed out twice.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("premiums", "0001_initial"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            sql="""
                INSERT INTO core_documentcounter (tenant_id, kind, year, last)
                SELECT tenant_id, kind, year, last FROM premiums_documentcounter
                ON CONFLICT (tenant_id, kind, year)
                DO UPDATE SET last = GREATEST(core_documentcounter.last, EXCLUDED.last)
            """,
            reverse_sql="""
                INSERT INTO premiums_documentcounter (tenant_id, kind, year, last)
                SELECT tenant_id, kind, year, last FROM core_documentcounter
            """,
        ),
        migrations.DeleteModel(name="DocumentCounter"),
    ]
