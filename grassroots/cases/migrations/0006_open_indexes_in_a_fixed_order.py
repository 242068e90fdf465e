# The partial indexes of open cases, remade with their states in a fixed order: made from a
# set, each database got them in whatever order its migrating process hashed, and SQLite
# uses a partial index only for a query whose condition is written the same way.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0005_finer_statistics_of_unit_path'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='case',
            name='cases_open_subtree',
        ),
        migrations.RemoveIndex(
            model_name='case',
            name='cases_open_due',
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('state__in', ('closed', 'declined', 'merged', 'not_reaccepted', 'withdrawn')), _negated=True), fields=['current_due_at'], name='cases_open_due'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('state__in', ('closed', 'declined', 'merged', 'not_reaccepted', 'withdrawn')), _negated=True), fields=['unit_path', 'current_due_at', 'handling_due_at', 'registered_at'], name='cases_open_subtree'),
        ),
    ]
