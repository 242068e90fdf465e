"""When the resident's latest verdict was given, so an unsatisfied one (which reopens the
case) is counted by the satisfaction rate on its day: taken from the timeline's verdict
events, or the closing moment where a case's verdict has none (bulk-loaded cases)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [('cases', '0008_shard')]

    operations = [
        migrations.AddField(
            model_name='case',
            name='feedback_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='verdict given at'),
        ),
        migrations.RunSQL(
            "UPDATE cases_case SET feedback_at = (SELECT MAX(e.at) FROM cases_caseevent e "
            "WHERE e.case_id = cases_case.id AND e.kind IN ('feedback', 'reopen')) WHERE feedback <> ''",
            migrations.RunSQL.noop,
        ),
        migrations.RunSQL(
            "UPDATE cases_case SET feedback_at = closed_at WHERE feedback <> '' AND feedback_at IS NULL",
            migrations.RunSQL.noop,
        ),
    ]
