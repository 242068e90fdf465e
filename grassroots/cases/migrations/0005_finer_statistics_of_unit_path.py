"""PostgreSQL samples a column into 100 buckets by default; a county's cases are under one
per cent of a province's, so its subtree's size was guessed at 22 rows instead of 64,000
and its case list sorted them all (125 ms) rather than walking the newest (4 ms)."""

from django.db import migrations


def finer(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE cases_case ALTER COLUMN unit_path SET STATISTICS 1000")


def coarser(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE cases_case ALTER COLUMN unit_path SET STATISTICS -1")


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_remove_case_cases_due_case_cases_open_due")]

    operations = [migrations.RunPython(finer, coarser)]
