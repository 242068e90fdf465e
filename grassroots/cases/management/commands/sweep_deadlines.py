from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from grassroots.cases.tasks import sweep_deadlines_now


class Command(BaseCommand):
    help = "Warn responsible staff of cases due soon or overdue (each warning once); for cron or by hand."

    def handle(self, *args: Any, **options: Any) -> None:
        made = sweep_deadlines_now()
        self.stdout.write(f"{made} new warnings")
