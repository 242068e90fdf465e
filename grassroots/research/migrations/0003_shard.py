"""Every row carries its shard, the top-level unit's path segment (decision 0006): added
empty, filled from what each row belongs to, then required."""

from django.db import migrations

from grassroots.shards import ShardField


class Migration(migrations.Migration):
    dependencies = [('research', '0002_keyproject_measure_project_milestone_problem_and_more'), ('cases', '0008_shard')]

    operations = [
        migrations.AddField("problem", "shard", ShardField(sources=('case', 'topic.aspect.plan.unit_path'), null=True)),
        migrations.AddField("measure", "shard", ShardField(sources=('unit_path',), null=True)),
        migrations.RunSQL(
            "UPDATE research_problem SET shard = COALESCE((SELECT s0.shard FROM cases_case s0 WHERE s0.id = research_problem.case_id), (SELECT SUBSTR(s2.unit_path, 1, 6) FROM research_topic s0 JOIN research_aspect s1 ON s1.id = s0.aspect_id JOIN research_researchplan s2 ON s2.id = s1.plan_id WHERE s0.id = research_problem.topic_id))",
            migrations.RunSQL.noop,
        ),
        migrations.RunSQL(
            "UPDATE research_measure SET shard = SUBSTR(research_measure.unit_path, 1, 6)",
            migrations.RunSQL.noop,
        ),
        migrations.AlterField("problem", "shard", ShardField(sources=('case', 'topic.aspect.plan.unit_path'))),
        migrations.AlterField("measure", "shard", ShardField(sources=('unit_path',))),
    ]
