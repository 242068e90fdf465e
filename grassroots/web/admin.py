"""The background-task queue as administrators see it, in both languages.

``django-tasks-db`` marks its model's names and fields for translation but ships no
Chinese, and names its app and three admin columns in plain English: the app's name comes
from :class:`grassroots.web.tasks_app.TasksConfig`, the columns from
:class:`TaskResultAdmin`, and the marked strings are repeated here so that our catalogue
carries their Chinese. This module is the web app's admin module, loaded after the
package's own (``grassroots.web`` comes last in ``INSTALLED_APPS``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

# Marked in django_tasks and django_tasks_db; listed so that makemessages keeps them.
UPSTREAM_STRINGS = [
    _("Task Result"),
    _("Task Results"),
    _("status"),
    _("enqueued at"),
    _("started at"),
    _("finished at"),
    _("args kwargs"),
    _("priority"),
    _("task path"),
    _("worker id"),
    _("queue name"),
    _("backend name"),
    _("run after"),
    _("return value"),
    _("exception class path"),
    _("traceback"),
    pgettext_lazy("Task", "Ready"),
    pgettext_lazy("Task", "Running"),
    pgettext_lazy("Task", "Failed"),
    pgettext_lazy("Task", "Successful"),
]


class TaskResultAdmin(DBTaskResultAdmin):
    list_display = (
        "id",
        "task",
        "status",
        "enqueued_at",
        "started_at",
        "finished_at",
        "priority",
        "queue_name",
    )

    @admin.display(description=_("task"))
    def task(self, obj: DBTaskResult[Any, Any]) -> str:
        return obj.task_name

    @admin.display(description=_("traceback"))
    def formatted_traceback(self, obj: DBTaskResult[Any, Any]) -> str:
        return super().formatted_traceback(obj)

    @admin.display(description=_("run after"))
    def display_run_after(self, obj: DBTaskResult[Any, Any]) -> datetime | str:
        return super().display_run_after(obj)


admin.site.unregister(DBTaskResult)
admin.site.register(DBTaskResult, TaskResultAdmin)
