from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from grassroots.org.importers import IMPORTERS, ImportFileError


class Command(BaseCommand):
    help = "Import units, organisations, enterprises or people from an xlsx or CSV file (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(IMPORTERS))
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=["xlsx", "csv"], help="Default: guessed from the content.")
        parser.add_argument("--encoding", default="utf-8-sig", help="CSV encoding, e.g. gb18030 (default UTF-8).")

    def handle(self, *args: Any, kind: str, file: Path, format: str | None, encoding: str, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            result = IMPORTERS[kind](file, actor=None, fmt=format, encoding=encoding, progress=_progress_bar)
        except ImportFileError as exc:
            for error in exc.errors:
                self.stderr.write(f"{file}: {error}")
            raise CommandError(f"{len(exc.errors)} problem(s) found; nothing was imported") from None
        extra = "".join(f", {n} {what}" for what, n in result.detail.items())
        self.stdout.write(self.style.SUCCESS(f"imported {result.created} {kind}{extra}"))


def _progress_bar(done: int, total: int) -> None:
    width = 40
    filled = width * done // max(total, 1)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()
