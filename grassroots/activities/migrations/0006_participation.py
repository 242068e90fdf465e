"""The participants' table gets a model of its own (the same table, nothing moves), so it
can carry its activity's shard like every other table that grows with the work."""

from django.db import migrations, models

from grassroots.shards import ShardField


class Migration(migrations.Migration):
    dependencies = [("activities", "0005_shard"), ("org", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Participation",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("activity", models.ForeignKey(on_delete=models.deletion.CASCADE, to="activities.activity")),
                        ("person", models.ForeignKey(on_delete=models.deletion.CASCADE, to="org.person")),
                    ],
                    options={
                        "db_table": "activities_activity_participants",
                        "unique_together": {("activity", "person")},
                    },
                ),
                migrations.AlterField(
                    model_name="activity",
                    name="participants",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="activities",
                        through="activities.Participation",
                        to="org.person",
                        verbose_name="participating cadres",
                    ),
                ),
            ],
        ),
        migrations.AddField("participation", "shard", ShardField(sources=("activity",), null=True)),
        migrations.RunSQL(
            "UPDATE activities_activity_participants SET shard = (SELECT s0.shard FROM activities_activity s0 "
            "WHERE s0.id = activities_activity_participants.activity_id)",
            migrations.RunSQL.noop,
        ),
        migrations.AlterField("participation", "shard", ShardField(sources=("activity",))),
    ]
