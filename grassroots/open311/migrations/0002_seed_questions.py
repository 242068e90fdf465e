"""Seed the questions of the usual services (see ``open311/seed.py``)."""

from django.db import migrations


def seed(apps, schema_editor):
    from grassroots.open311.seed import seed_questions

    seed_questions(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("open311", "0001_initial"),
        ("cases", "0002_seed_categories_and_notices"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
