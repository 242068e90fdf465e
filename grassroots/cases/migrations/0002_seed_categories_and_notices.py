"""Seed the usual categories and the default notice texts (see ``cases/seed.py``)."""

from django.db import migrations


def seed(apps, schema_editor):
    from grassroots.cases.seed import seed_taxonomy

    seed_taxonomy(apps.get_model("cases", "Category"), apps.get_model("cases", "NoticeTemplate"))


def unseed(apps, schema_editor):
    apps.get_model("cases", "NoticeTemplate").objects.all().delete()
    Category = apps.get_model("cases", "Category")
    Category.objects.filter(parent__isnull=False).delete()
    Category.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
