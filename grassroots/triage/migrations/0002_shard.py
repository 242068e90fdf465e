"""Every row carries its shard, the top-level unit's path segment (decision 0006): added
empty, filled from what each row belongs to, then required."""

from django.db import migrations

from grassroots.shards import ShardField


class Migration(migrations.Migration):
    dependencies = [('triage', '0001_initial'), ('cases', '0008_shard')]

    operations = [
        migrations.AddField("suggestion", "shard", ShardField(sources=('case',), null=True)),
        migrations.RunSQL(
            "UPDATE triage_suggestion SET shard = (SELECT s0.shard FROM cases_case s0 WHERE s0.id = triage_suggestion.case_id)",
            migrations.RunSQL.noop,
        ),
        migrations.AlterField("suggestion", "shard", ShardField(sources=('case',))),
    ]
