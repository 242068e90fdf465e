"""The task workers ``serve`` keeps alive, and what a killed one leaves behind."""

from __future__ import annotations

import os
import socket

from django.utils import timezone


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
