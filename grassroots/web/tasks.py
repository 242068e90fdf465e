"""Keeping the database to what is still needed."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django_tasks import task

from grassroots import clock
from grassroots.cases.services import prune_receipts
from grassroots.web.workers import prune_task_results

log = logging.getLogger(__name__)


@task()
def prune_kept_records() -> dict[str, int]:
    """Drop intake receipts and finished task results older than the settings keep them
    (``RECEIPTS_KEPT_DAYS``, ``TASK_RESULTS_KEPT_DAYS``, ``FAILED_TASK_RESULTS_KEPT_DAYS``);
    ``grassroots serve`` enqueues it every hour."""
    now = clock.now()
    pruned = {
        "receipts": prune_receipts(now - timedelta(days=settings.RECEIPTS_KEPT_DAYS)),
        "task_results": prune_task_results(
            successful_before=now - timedelta(days=settings.TASK_RESULTS_KEPT_DAYS),
            failed_before=now - timedelta(days=settings.FAILED_TASK_RESULTS_KEPT_DAYS),
        ),
    }
    log.info("pruned %(receipts)d receipts and %(task_results)d task results", pruned)
    return pruned
