"""A task worker killed mid-task: what it had claimed is marked failed, saying so."""

from __future__ import annotations

import pytest
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from grassroots.stats.tasks import fold_rollups
from grassroots.web.workers import release_abandoned, worker_id

pytestmark = pytest.mark.django_db


def test_a_killed_workers_running_task_is_marked_failed_and_no_other():
    killed, alive = worker_id(1), worker_id(2)
    assert killed != alive
    left = DBTaskResult.objects.get(pk=fold_rollups.enqueue().id)
    left.claim(killed)
    busy = DBTaskResult.objects.get(pk=fold_rollups.enqueue().id)
    busy.claim(alive)
    waiting = DBTaskResult.objects.get(pk=fold_rollups.enqueue().id)

    assert release_abandoned(killed, -9) == 1

    left.refresh_from_db()
    assert left.status == TaskResultStatus.FAILED and left.finished_at is not None
    assert f"the task worker {killed} exited with -9" in left.traceback
    assert DBTaskResult.objects.get(pk=busy.pk).status == TaskResultStatus.RUNNING
    assert DBTaskResult.objects.get(pk=waiting.pk).status == TaskResultStatus.READY
    assert release_abandoned(killed, -9) == 0  # once
