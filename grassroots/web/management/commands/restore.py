from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from grassroots.memo import forget_all
from grassroots.web.backup import BackupError, restore


class Command(BaseCommand):
    help = "Replace the database and the uploaded files with a backup's. Stop the servers first."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, file: Path, yes: bool = False, **options: Any) -> None:
        if not file.exists():
            raise CommandError(f"{file} does not exist")
        if not yes and input(f"Replace everything with {file}? Type yes: ").strip() != "yes":
            raise CommandError("not restored")
        try:
            manifest = restore(file)
        except BackupError as error:
            raise CommandError(str(error)) from error
        forget_all()  # this process's memos describe the database that was replaced
        self.stdout.write(f"restored the backup of {manifest.created_at}; the counts match its manifest")
