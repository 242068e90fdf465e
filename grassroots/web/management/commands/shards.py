from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from grassroots.citus import conversion_sql
from grassroots.shards import misplaced_rows, sharded_models


class Command(BaseCommand):
    help = (
        "The Citus distribution column: 'check' that every row carries the shard its place gives, "
        "'citus-plan' prints the SQL that moves this PostgreSQL database to Citus."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["check", "citus-plan"])

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "citus-plan":
            try:
                plan = conversion_sql()
            except RuntimeError as error:
                raise CommandError(str(error)) from error
            self.stdout.write("\n".join(plan))
            return
        wrong = {}
        for model in sharded_models():
            n = misplaced_rows(model)
            self.stdout.write(f"{model._meta.db_table:32} {'ok' if not n else f'{n} rows on the wrong shard'}")
            if n:
                wrong[model._meta.db_table] = n
        if wrong:
            raise CommandError(
                f"{sum(wrong.values())} rows in {len(wrong)} tables carry a shard their place does not give"
            )
