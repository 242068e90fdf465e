from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from grassroots.stats import activity_days
from grassroots.stats.rollups import fold_all, rebuild


class Command(BaseCommand):
    help = (
        "Statistics rollups: 'rebuild' recomputes them from every case and every held activity; "
        "'fold' folds new timeline events."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild", "fold"])

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "rebuild":
            self.stdout.write(f"rebuilt the rollups from {rebuild()} cases")
            self.stdout.write(f"counted the held activities into {activity_days.rebuild()} day rows")
        else:
            self.stdout.write(f"folded {fold_all()} events")
