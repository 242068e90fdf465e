from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Migrate, build the demo county if needed, print the logins, and serve it on 127.0.0.1:8000."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--reset", action="store_true", help="Rebuild the demo county from scratch.")
        parser.add_argument("--no-serve", action="store_true", help="Prepare everything, then exit.")

    def handle(self, *args: Any, bind: str, reset: bool, no_serve: bool, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("build_demo", reset=reset, stdout=self.stdout)
        from grassroots.demo.county import DEMO_PASSWORD

        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"grassroots demo: http://{bind}/"))
        self.stdout.write(
            f"Log in as admin, leader, petition, street, handler, grid, analyst or outsider; password {DEMO_PASSWORD}"
        )
        self.stdout.write("")
        if not no_serve:
            call_command("serve", bind=bind, workers=2, no_task_worker=False)
