from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from grassroots.cases.models import Case
from grassroots.cases.seed import seed_taxonomy
from grassroots.demo.activities import build_activities
from grassroots.demo.cases import build_cases
from grassroots.demo.county import COUNTY_CODE, DEMO_PASSWORD, build, build_logins
from grassroots.demo.linkage import build_linkage
from grassroots.demo.research import build_research
from grassroots.demo.residents import build_resident_reports, demo_tracking
from grassroots.demo.triage import build_triage
from grassroots.open311.seed import seed_questions
from grassroots.org.models import Unit


class Command(BaseCommand):
    help = "Build the demo county (deterministic). Does nothing if it is already there, unless --reset."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="Empty the database first.")

    def handle(self, *args: Any, reset: bool = False, **options: Any) -> None:
        if reset:
            call_command("flush", interactive=False, verbosity=0)
            seed_taxonomy()  # flush empties the tables the migrations seeded
            seed_questions()
        if Unit.objects.filter(code=COUNTY_CODE).exists():
            self.stdout.write("The demo county is already built.")
            return
        with transaction.atomic():
            demo = build()
            build_logins(demo)
            build_cases(demo)
            build_activities(demo)
            build_research(demo)
            build_linkage(demo)
            open311_key = build_resident_reports(demo)
            triage_model = build_triage(demo)
        self.stdout.write(
            self.style.SUCCESS(
                f"Built {demo.county.name_en}: {len(demo.townships)} streets and towns, {len(demo.villages)} "
                f"villages and communities, {len(demo.grids)} grids, {len(demo.people)} people, "
                f"{Case.objects.count()} cases."
            )
        )
        for username, roles, description in demo.logins:
            self.stdout.write(f"  {username:<9} / {DEMO_PASSWORD}   {roles}: {description}")
        if triage_model:
            self.stdout.write(
                f"  triage: category suggestions from model v{triage_model.version} ({triage_model.trained_on} cases)"
            )
        tracking = demo_tracking()
        if tracking:
            self.stdout.write(
                f"  residents: /report/ to raise a problem; /track/ follows case {tracking[0]} with {tracking[1]}"
            )
        self.stdout.write(f"  Open311: /open311/v2/discovery.json; the demo app's API key is {open311_key}")
