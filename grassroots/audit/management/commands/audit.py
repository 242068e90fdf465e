from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from grassroots.audit.chain import seal, verify


class Command(BaseCommand):
    help = "The audit log's hash chain: 'seal' new entries, 'verify' the whole chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["seal", "verify"])

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "seal":
            self.stdout.write(f"sealed {seal()} entries")
            return
        verdict = verify()
        if not verdict.intact:
            where = ""
            if verdict.broken_at is not None:
                e = verdict.broken_at
                where = f" (id {e.pk}, {e.at:%Y-%m-%d %H:%M:%S}, {e.actor_name or '-'} {e.action} {e.target_repr})"
            raise CommandError(
                f"the audit chain is broken: {verdict.reason}{where}; {verdict.checked} entries before it are intact"
            )
        self.stdout.write(f"intact: {verdict.checked} entries in the chain, {verdict.unsealed} not sealed yet")
