"""Rollups kept as work happens equal a rebuild from scratch, after any history."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots.cases import services
from grassroots.cases.choices import CaseKind, Channel
from grassroots.cases.models import Case
from grassroots.cases.services import PetitionerData
from grassroots.cases.workflow import WorkflowError
from grassroots.stats.models import CaseDay, CaseFact
from grassroots.stats.rollups import fold_events, rebuild

CST = ZoneInfo("Asia/Shanghai")
COUNTERS = [
    "received",
    "accepted",
    "declined",
    "resolved",
    "closed",
    "backlog_resolved",
    "difficult_resolved",
    "urgent_resolved",
    "timed",
    "on_time",
    "judged",
    "satisfied",
]


def buckets() -> dict[tuple[object, ...], tuple[int, ...]]:
    return {
        (b.unit_id, b.day, b.category_key, b.channel, b.kind): tuple(getattr(b, c) for c in COUNTERS)
        for b in CaseDay.objects.all()
        if any(getattr(b, c) for c in COUNTERS)
    }


ACTS = [
    "register",
    "accept",
    "assign",
    "start",
    "reply",
    "resolve",
    "satisfied",
    "unsatisfied",
    "decline",
    "flag",
    "fold",
]


@pytest.mark.django_db
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(ACTS), st.integers(0, 5), st.integers(0, 9)), min_size=5, max_size=40))
def test_incremental_rollups_equal_a_rebuild_after_a_random_history(world, steps):
    Case.objects.all().delete()
    CaseDay.objects.all().delete()
    CaseFact.objects.all().delete()
    rebuild()  # start from a clean watermark
    actor = world.county_staff
    start = datetime(2026, 3, 2, 9, tzinfo=CST)
    cases: list[Case] = []
    for n, (act, which, days) in enumerate(steps):
        with time_machine.travel(start + timedelta(days=n * 3 + days)):
            try:
                if act == "register" or not cases:
                    cases.append(
                        services.register_case(
                            actor=actor,
                            kind=CaseKind.PETITION,
                            channel=random.Random(n).choice([Channel.LETTER, Channel.VISIT]),
                            unit=world.changlin if which % 2 else world.hexi,
                            title=f"问题{n}",
                            description="描述",
                            petitioners=[PetitionerData(name="甲")],
                        )
                    )
                    continue
                case = Case.objects.get(pk=cases[which % len(cases)].pk)
                if act == "accept":
                    services.accept_case(case, actor=actor)
                elif act == "assign":
                    services.assign_case(case, actor=actor, organisations=[world.housing_centre], mode="forward")
                elif act == "start":
                    services.start_handling(case, actor=actor)
                elif act == "reply":
                    services.reply_to_resident(case, actor=actor, text="答复")
                elif act == "resolve":
                    services.resolve_case(case, actor=actor)
                elif act in ("satisfied", "unsatisfied"):
                    services.give_feedback(case, actor=actor, verdict=act)
                elif act == "decline":
                    services.decline_case(case, actor=actor, reason="不属于")
                elif act == "flag":
                    services.flag_case(case, actor=actor, difficult=True, urgent=True)
                elif act == "fold":
                    fold_events(batch=3)
            except (WorkflowError, ValidationError):
                pass
    while fold_events(batch=7):
        pass
    incremental = buckets()
    rebuild()
    assert buckets() == incremental
    assert sum(v[0] for v in incremental.values()) == Case.objects.count()


@pytest.mark.django_db
def test_the_rebuild_command(world, capsys):
    call_command("stats", "rebuild")
    assert "rebuilt" in capsys.readouterr().out
