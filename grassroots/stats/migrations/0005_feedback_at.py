"""The satisfaction rate counts each case's latest verdict on the day it was given, an
unsatisfied one included (it reopens the case, so counting only closed cases could never
show one): the facts get that day, and the rollups are rebuilt."""

from django.db import migrations, models


def recount(apps, schema_editor):
    """This calls today's rebuild: when the counters change again, move this step into the
    new migration and make this one do nothing, as 0002 and 0003 do."""
    Case = apps.get_model("cases", "Case")
    if Case.objects.exists():
        from grassroots.stats.rollups import rebuild

        rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ('stats', '0004_shard'),
        ('cases', '0009_feedback_at'),
        ('triage', '0002_shard'),
    ]

    operations = [
        migrations.AddField(model_name='casefact', name='judged_on', field=models.DateField(null=True)),
        migrations.RunPython(recount, migrations.RunPython.noop),
    ]
