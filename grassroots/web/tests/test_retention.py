"""What has served its purpose is dropped after the days the settings keep it: registered
intake receipts, and the task worker's finished results — never what is still waiting."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from grassroots import retention
from grassroots.cases import services
from grassroots.cases.models import Case, Receipt
from grassroots.cases.tests.test_api import SEWER, post
from grassroots.stats.tasks import fold_rollups
from grassroots.web.tasks import prune_kept_records

pytestmark = pytest.mark.django_db

ASYNC = {"HTTP_PREFER": "respond-async"}


def aged(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)


def test_registered_receipts_are_dropped_after_their_days_and_their_cases_stay(world, client, settings):
    settings.RECEIPTS_KEPT_DAYS = 30
    client.force_login(world.county_staff)
    old, recent, waiting = (
        post(client, "/api/v1/cases/", {**SEWER, "title": title}, HTTP_IDEMPOTENCY_KEY=title, **ASYNC)["Location"]
        for title in ("old", "recent", "waiting")
    )
    services.register_receipts(limit=2)
    Receipt.objects.filter(idempotency_key="old").update(processed_at=aged(31))
    Receipt.objects.filter(idempotency_key="recent").update(processed_at=aged(29))
    Receipt.objects.filter(idempotency_key="waiting").update(received_at=aged(400))  # waiting a year: kept

    assert prune_kept_records.call()["receipts"] == 1

    assert client.get(old).status_code == 404
    assert client.get(recent).json()["state"] == "registered"
    assert client.get(waiting).json()["state"] == "pending"
    # The case keeps the key: a retry of the pruned receipt's request still finds its case.
    retried = post(client, "/api/v1/cases/", {**SEWER, "title": "old"}, HTTP_IDEMPOTENCY_KEY="old")
    assert retried.status_code == 200 and Case.objects.count() == 2


def test_finished_task_results_are_dropped_after_their_days_failed_ones_later(settings):
    settings.TASK_RESULTS_KEPT_DAYS, settings.FAILED_TASK_RESULTS_KEPT_DAYS = 7, 30

    def result(status: str, finished_days_ago: int | None) -> Any:
        row = DBTaskResult.objects.get(pk=fold_rollups.enqueue().id)
        finished = aged(finished_days_ago) if finished_days_ago is not None else None
        DBTaskResult.objects.filter(pk=row.pk).update(status=status, finished_at=finished)
        return row.pk

    done_long_ago = result(TaskResultStatus.SUCCESSFUL, 8)
    done_lately = result(TaskResultStatus.SUCCESSFUL, 6)
    failed_a_while_ago = result(TaskResultStatus.FAILED, 8)
    failed_long_ago = result(TaskResultStatus.FAILED, 31)
    running = result(TaskResultStatus.RUNNING, None)
    waiting = result(TaskResultStatus.READY, None)

    assert prune_kept_records.call()["task_results"] == 2

    left = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert left == {done_lately, failed_a_while_ago, running, waiting}
    assert done_long_ago not in left and failed_long_ago not in left


def test_a_backlog_is_dropped_a_slice_at_a_time(world, client, monkeypatch):
    monkeypatch.setattr(retention, "SLICE", 2)
    client.force_login(world.county_staff)
    for n in range(5):
        post(client, "/api/v1/cases/", {**SEWER, "title": f"积压 {n}"}, **ASYNC)
    services.register_receipts()
    Receipt.objects.update(processed_at=aged(90))

    assert services.prune_receipts(aged(30)) == 5
    assert not Receipt.objects.exists() and Case.objects.count() == 5


def test_the_prune_command_says_what_it_dropped(capsys):
    call_command("prune")
    assert capsys.readouterr().out == "0 receipts, 0 task results dropped\n"
