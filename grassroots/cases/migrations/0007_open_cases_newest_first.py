# The open cases newest first, for the case list's overdue and open filters.

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0006_open_indexes_in_a_fixed_order'),
        ('org', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('state__in', ('closed', 'declined', 'merged', 'not_reaccepted', 'withdrawn')), _negated=True), fields=['-id', 'current_due_at', 'unit_path'], name='cases_open_newest'),
        ),
    ]
