"""Every row carries its shard, the top-level unit's path segment (decision 0006): added
empty, filled from what each row belongs to, then required."""

from django.db import migrations

from grassroots.shards import ShardField


class Migration(migrations.Migration):
    dependencies = [('activities', '0004_activity_activities_period_figures'), ('cases', '0008_shard')]

    operations = [
        migrations.AddField("activity", "shard", ShardField(sources=('unit_path',), null=True)),
        migrations.AddField("activitycase", "shard", ShardField(sources=('activity',), null=True)),
        migrations.AddField("attachment", "shard", ShardField(sources=('activity',), null=True)),
        migrations.AddField("appointment", "shard", ShardField(sources=('activity',), null=True)),
        migrations.RunSQL(
            "UPDATE activities_activity SET shard = SUBSTR(activities_activity.unit_path, 1, 6)",
            migrations.RunSQL.noop,
        ),
        migrations.RunSQL(
            "UPDATE activities_activitycase SET shard = (SELECT s0.shard FROM activities_activity s0 WHERE s0.id = activities_activitycase.activity_id)",
            migrations.RunSQL.noop,
        ),
        migrations.RunSQL(
            "UPDATE activities_attachment SET shard = (SELECT s0.shard FROM activities_activity s0 WHERE s0.id = activities_attachment.activity_id)",
            migrations.RunSQL.noop,
        ),
        migrations.RunSQL(
            "UPDATE activities_appointment SET shard = (SELECT s0.shard FROM activities_activity s0 WHERE s0.id = activities_appointment.activity_id)",
            migrations.RunSQL.noop,
        ),
        migrations.AlterField("activity", "shard", ShardField(sources=('unit_path',))),
        migrations.AlterField("activitycase", "shard", ShardField(sources=('activity',))),
        migrations.AlterField("attachment", "shard", ShardField(sources=('activity',))),
        migrations.AlterField("appointment", "shard", ShardField(sources=('activity',))),
    ]
