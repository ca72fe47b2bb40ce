"""The Guangxi seed versions were labelled with the garbled year of their source
("广西职工综合(201*版)"): printed after the plan's name on certificates, the label now reads
"2019年版" (the year the seed notes assume), like the Shaoxing version's "2011年版"."""

from django.db import migrations


def relabel(apps, schema_editor):
    PlanVersion = apps.get_model("plans", "PlanVersion")
    PlanVersion.objects.filter(label__endswith="(201*版)").update(label="2019年版")


class Migration(migrations.Migration):
    dependencies = [("plans", "0003_tenant_keys")]
    operations = [migrations.RunPython(relabel, migrations.RunPython.noop)]
