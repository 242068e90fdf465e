"""Every row carries its shard, the top-level unit's path segment (decision 0006): added
empty, filled from what each row belongs to, then required."""

from django.db import migrations

from grassroots.shards import ShardField


class Migration(migrations.Migration):
    dependencies = [('cases', '0007_open_cases_newest_first')]

    operations = [
        migrations.AddField("case", "shard", ShardField(sources=('unit_path',), null=True)),
        migrations.AddField("petitioner", "shard", ShardField(sources=('case',), null=True)),
        migrations.AddField("complainedparty", "shard", ShardField(sources=('case',), null=True)),
        migrations.AddField("assignment", "shard", ShardField(sources=('case',), null=True)),
        migrations.AddField("packageplan", "shard", ShardField(sources=('case',), null=True)),
        migrations.AddField("caseevent", "shard", ShardField(sources=('case',), null=True)),
        migrations.RunSQL(
            "UPDATE cases_case SET shard = SUBSTR(cases_case.unit_path, 1, 6)",
            migrations.RunSQL.noop,
        ),
        migrations.RunSQL(
            "UPDATE cases_petitioner SET shard = (SELECT s0.shard FROM cases_case s0 WHERE s0.id = cases_petitioner.case_id)",
            migrations.RunSQL.noop,
        ),
        migrations.RunSQL(
            "UPDATE cases_complainedparty SET shard = (SELECT s0.shard FROM cases_case s0 WHERE s0.id = cases_complainedparty.case_id)",
            migrations.RunSQL.noop,
        ),
        migrations.RunSQL(
            "UPDATE cases_assignment SET shard = (SELECT s0.shard FROM cases_case s0 WHERE s0.id = cases_assignment.case_id)",
            migrations.RunSQL.noop,
        ),
        migrations.RunSQL(
            "UPDATE cases_packageplan SET shard = (SELECT s0.shard FROM cases_case s0 WHERE s0.id = cases_packageplan.case_id)",
            migrations.RunSQL.noop,
        ),
        migrations.RunSQL(
            "UPDATE cases_caseevent SET shard = (SELECT s0.shard FROM cases_case s0 WHERE s0.id = cases_caseevent.case_id)",
            migrations.RunSQL.noop,
        ),
        migrations.AlterField("case", "shard", ShardField(sources=('unit_path',))),
        migrations.AlterField("petitioner", "shard", ShardField(sources=('case',))),
        migrations.AlterField("complainedparty", "shard", ShardField(sources=('case',))),
        migrations.AlterField("assignment", "shard", ShardField(sources=('case',))),
        migrations.AlterField("packageplan", "shard", ShardField(sources=('case',))),
        migrations.AlterField("caseevent", "shard", ShardField(sources=('case',))),
    ]
