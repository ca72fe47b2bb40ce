from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('jobs', '0003_job_audience_roles'),
    ]

    operations = [
        migrations.AddField(
            model_name='job',
            name='files_expired_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name='job',
            index=models.Index(condition=models.Q(('files_expired_at__isnull', True)), fields=['finished_at'], name='job_files_kept_idx'),
        ),
    ]
