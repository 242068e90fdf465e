"""Chinese and English, complete: every message has its zh-Hans translation."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

PO = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_message_has_a_chinese_translation():
    po = polib.pofile(str(PO))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"untranslated: {untranslated}"
    assert not fuzzy, f"fuzzy: {fuzzy}"


def test_placeholders_survive_translation():
    for entry in polib.pofile(str(PO)):
        for placeholder in ("{line}", "{code}", "{column}", "{reason}", "%(n)s", "%(name)s"):
            if placeholder in entry.msgid:
                text = entry.msgstr or entry.msgstr_plural.get(0, "")
                assert placeholder in text, f"{entry.msgid!r} lost {placeholder}"


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext is needed to extract messages")
def test_the_catalogue_holds_every_message_in_the_source(tmp_path):
    """Run makemessages into a scratch copy and compare: a string marked for translation
    but missing from the committed catalogue fails here."""
    package = Path(settings.PACKAGE_DIR)
    scratch = tmp_path / "grassroots"
    shutil.copytree(package, scratch, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    # Bare settings pointing at the scratch copy, so the real catalogue is never touched.
    script = (
        "import django; from django.conf import settings; "
        f"settings.configure(LOCALE_PATHS=[{str(scratch / 'locale')!r}], USE_I18N=True); django.setup(); "
        "from django.core.management import call_command; "
        "call_command('makemessages', locale=['zh_Hans'], no_obsolete=True, verbosity=0)"
    )
    subprocess.run([sys.executable, "-c", script], cwd=scratch, check=True, capture_output=True)
    fresh = {e.msgid for e in polib.pofile(str(scratch / "locale/zh_Hans/LC_MESSAGES/django.po"))}
    committed = {e.msgid for e in polib.pofile(str(PO)) if not e.obsolete}
    assert fresh - committed == set(), "run makemessages and translate the new messages"


def test_pages_come_in_the_browsers_language(client):
    assert "登录" in client.get("/login/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "Log in" in client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US").content.decode()


def test_choices_are_translated():
    from grassroots.org.choices import Level

    with translation.override("zh-hans"):
        assert str(Level.TOWNSHIP.label) == "乡镇（街道）"


def test_the_background_task_queue_reads_in_chinese_in_the_admin(world, client):
    """django-tasks-db names its app and columns in English only; ours name them in both."""
    client.force_login(world.admin)
    index = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "后台任务" in index and "Tasks Database Backend" not in index
    tasks = client.get("/admin/django_tasks_database/dbtaskresult/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    page = tasks.content.decode()
    # The status filter lists every state, translated, even before any task has run.
    assert tasks.status_code == 200 and "任务结果" in page and "待执行" in page and "Ready" not in page
