from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from grassroots.web.tasks import prune_kept_records


class Command(BaseCommand):
    help = (
        "Drop registered intake receipts and finished task results older than the settings keep them "
        "(RECEIPTS_KEPT_DAYS, TASK_RESULTS_KEPT_DAYS, FAILED_TASK_RESULTS_KEPT_DAYS); for cron or by hand."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        pruned = prune_kept_records.call()
        self.stdout.write(f"{pruned['receipts']} receipts, {pruned['task_results']} task results dropped")
