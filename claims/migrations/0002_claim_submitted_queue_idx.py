from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(
                condition=models.Q(("submitted_at__isnull", False)),
                fields=["tenant", "submitted_at", "id"],
                name="claim_submitted_queue_idx",
            ),
        ),
    ]
