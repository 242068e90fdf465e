from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from grassroots.web.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into one archive (tar.gz)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        if file.exists():
            raise CommandError(f"{file} exists; choose a new file name")
        try:
            manifest = backup(file)
        except BackupError as error:
            file.unlink(missing_ok=True)
            raise CommandError(str(error)) from error
        held = ", ".join(f"{table} {n:,}" for table, n in manifest.counts.items())
        self.stdout.write(f"{file}: {manifest.engine} at {manifest.created_at} ({held})")
