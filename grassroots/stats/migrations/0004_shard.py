"""Every row carries its shard, the top-level unit's path segment (decision 0006): added
empty, filled from what each row belongs to, then required."""

from django.db import migrations

from grassroots.shards import ShardField


class Migration(migrations.Migration):
    dependencies = [('stats', '0003_triage_hits_in_rollups'), ('org', '0001_initial')]

    operations = [
        migrations.AddField("casefact", "shard", ShardField(sources=('unit_path',), null=True)),
        migrations.AddField("caseday", "shard", ShardField(sources=('unit_path',), null=True)),
        migrations.AddField("rollup", "shard", ShardField(sources=('unit_id',), null=True)),
        migrations.RunSQL(
            "UPDATE stats_casefact SET shard = SUBSTR(stats_casefact.unit_path, 1, 6)",
            migrations.RunSQL.noop,
        ),
        migrations.RunSQL(
            "UPDATE stats_caseday SET shard = SUBSTR(stats_caseday.unit_path, 1, 6)",
            migrations.RunSQL.noop,
        ),
        migrations.RunSQL(
            "UPDATE stats_rollup SET shard = (SELECT SUBSTR(u.path, 1, 6) FROM org_unit u WHERE u.id = stats_rollup.unit_id)",
            migrations.RunSQL.noop,
        ),
        migrations.AlterField("casefact", "shard", ShardField(sources=('unit_path',))),
        migrations.AlterField("caseday", "shard", ShardField(sources=('unit_path',))),
        migrations.AlterField("rollup", "shard", ShardField(sources=('unit_id',))),
    ]
