"""The task workers ``serve`` keeps alive, and what a killed one leaves behind."""

from __future__ import annotations

import os
import socket
from datetime import datetime

from django.utils import timezone

from grassroots.retention import delete_in_slices


def worker_id(generation: int) -> str:
    """A name no other worker of any server has: host, the supervising process, a count."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{generation}"


def release_abandoned(worker: str, returncode: int | None) -> int:
    """Mark the tasks ``worker`` had claimed and not finished as failed, saying why.

    A worker killed mid-task (SIGKILL, out of memory, a lost database) leaves its claimed
    rows RUNNING for ever; nothing else knows it is dead. The periodic tasks are enqueued
    again each minute and do their work exactly once, so none needs running again; the row
    tells the operator what happened instead of claiming to be still at work.
    """
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only("id", "worker_ids")
    # worker_ids is a JSON list; a containment lookup is not portable to SQLite, and
    # running rows are few.
    abandoned = [row.pk for row in running if row.worker_ids and row.worker_ids[-1] == worker]
    if not abandoned:
        return 0
    return DBTaskResult.objects.filter(pk__in=abandoned, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path="grassroots.web.workers.WorkerExited",
        traceback=f"the task worker {worker} exited with {returncode} while running this task\n",
    )


def prune_task_results(*, successful_before: datetime, failed_before: datetime) -> int:
    """Drop the task results finished before their cutoffs; returns how many. Minutely
    tasks leave thousands of rows a day; a task still waiting or running is never dropped."""
    from django.db.models import Q
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return delete_in_slices(
        DBTaskResult.objects.filter(
            Q(status=TaskResultStatus.SUCCESSFUL, finished_at__lt=successful_before)
            | Q(status=TaskResultStatus.FAILED, finished_at__lt=failed_before)
        )
    )
