from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from grassroots.open311 import services
from grassroots.open311.models import ApiClient


class Command(BaseCommand):
    help = "Open311 clients and queued reports: issue-key NAME, revoke PREFIX, clients, process."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("issue-key", help="Issue an API key to a new client (printed once).")
        issue.add_argument("name")
        issue.add_argument("--contact", default="")
        issue.add_argument("--per-minute", type=int, default=60)
        revoke = sub.add_parser("revoke", help="Revoke a client's key by its prefix.")
        revoke.add_argument("prefix")
        sub.add_parser("clients", help="List the clients.")
        sub.add_parser("process", help="Make the cases of reports still queued.")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "issue-key":
            if options["per_minute"] < 1:
                raise CommandError("--per-minute must be at least 1")
            client, key = services.issue_key(
                actor=None, name=options["name"], contact=options["contact"], per_minute=options["per_minute"]
            )
            self.stdout.write(f"{client.name}: {key}")
        elif action == "revoke":
            found = ApiClient.objects.filter(key_prefix=options["prefix"]).first()
            if found is None:
                raise CommandError(f"no client with the key prefix {options['prefix']}")
            services.revoke_key(found, actor=None)
            self.stdout.write(f"revoked {found}")
        elif action == "clients":
            for client in ApiClient.objects.all():
                state = "active" if client.is_active else f"revoked {client.revoked_at:%Y-%m-%d}"
                self.stdout.write(f"{client.key_prefix}  {client.name:<30} {client.per_minute}/min  {state}")
        else:
            self.stdout.write(f"made {services.make_pending_cases()} cases")
