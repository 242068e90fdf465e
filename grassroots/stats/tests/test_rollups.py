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
from grassroots.cases.models import Case, Category
from grassroots.cases.services import PetitionerData
from grassroots.cases.workflow import WorkflowError
from grassroots.stats.models import COUNTERS, CaseDay, CaseFact, Rollup
from grassroots.stats.rollups import fold_events, rebuild
from grassroots.triage.models import Suggestion

CST = ZoneInfo("Asia/Shanghai")


def buckets() -> dict[tuple[object, ...], tuple[int, ...]]:
    return {
        (b.unit_id, b.day, b.category_key, b.channel, b.kind): tuple(getattr(b, c) for c in COUNTERS)
        for b in CaseDay.objects.all()
        if any(getattr(b, c) for c in COUNTERS)
    }


def rollups() -> dict[tuple[object, ...], tuple[int, ...]]:
    return {
        (r.grain, r.unit_id, r.parent_id, r.day, r.category_key, r.channel, r.kind): tuple(
            getattr(r, c) for c in COUNTERS
        )
        for r in Rollup.objects.all()
        if any(getattr(r, c) for c in COUNTERS)
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
    "classify",
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
    categories = list(Category.objects.filter(code__in=["property", "noise", "rural_infrastructure"]))
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
                            title=["小区物业费乱涨", "夜间施工噪音扰民", "村道路灯不亮"][n % 3] + str(n),
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
                elif act == "classify":  # decides triage's suggestion: taken, or not
                    services.classify_case(case, actor=actor, category=categories[which % len(categories)])
                elif act == "fold":
                    fold_events(batch=3)
            except (WorkflowError, ValidationError):
                pass
    while fold_events(batch=7):
        pass
    incremental = buckets()
    incremental_rollups = rollups()
    rebuild()
    assert buckets() == incremental
    assert rollups() == incremental_rollups
    assert {r[0] for r in incremental_rollups} == {"d", "m", "dt", "mt"}  # the province and city keep days
    assert sum(v[0] for v in incremental.values()) == Case.objects.count()
    decided = Suggestion.objects.filter(taken__isnull=False).count()
    assert sum(v[COUNTERS.index("suggested")] for v in incremental.values()) == decided


@pytest.mark.django_db
def test_the_rebuild_command(world, capsys):
    call_command("stats", "rebuild")
    assert "rebuilt" in capsys.readouterr().out


def brute_force(unit, start, end, by):
    """What ``reading.sums`` must say, counted case by case from the facts."""
    from collections import Counter

    from grassroots.org.paths import within_q

    counts: Counter[object] = Counter()
    children = {c.path: c.pk for c in unit.children.all()}
    for f in CaseFact.objects.filter(within_q("unit_path", [unit.path])):
        if not start <= f.received_on <= end:
            continue
        if by == "child":
            key = children.get(f.unit_path[: len(unit.path) + 6])
            if key is None:
                continue
        else:
            key = {
                None: None,
                "category": f.category_key,
                "channel": f.channel,
                "month": f.received_on.replace(day=1),
            }[by]
        counts[key] += 1
    return counts


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    offsets=st.tuples(st.integers(0, 200), st.integers(0, 200)),
    which=st.sampled_from(["province", "city", "county", "liyang", "changlin"]),
    by=st.sampled_from([None, "child", "category", "channel", "month"]),
)
def test_any_period_of_any_unit_sums_to_the_cases_behind_it(world, many_cases, offsets, which, by):
    from datetime import date

    from grassroots.stats.reading import sums

    first = date(2026, 1, 1) + timedelta(days=min(offsets))
    last = date(2026, 1, 1) + timedelta(days=max(offsets))
    unit = world.county.parent if which == "city" else getattr(world, which)
    got = {k: v["received"] for k, v in sums(unit, first, last, by, ("received",)).items() if v["received"]}
    assert got == dict(brute_force(unit, first, last, by))


@pytest.fixture
def many_cases(world, django_db_blocker):
    """Sixty cases over half a year in both streets, once per test (hypothesis reuses it)."""
    if Case.objects.filter(title__startswith="期间").count() < 60:
        for n in range(60):
            with time_machine.travel(datetime(2026, 1, 3, 10, tzinfo=CST) + timedelta(days=n * 3 + n % 5)):
                services.register_case(
                    actor=world.county_staff,
                    kind=CaseKind.PETITION,
                    channel=[Channel.LETTER, Channel.VISIT, Channel.PHONE][n % 3],
                    unit=[world.changlin, world.hexi, world.liyang][n % 3],
                    title=f"期间{n}",
                    description="描述",
                    petitioners=[PetitionerData(name="甲")],
                )
    return True


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_case_committed_after_a_later_one_is_still_counted(world):
    """One clerk accepts a case while another registers a new one; the acceptance gets
    the earlier event id but commits last. A fold in between must not move past it."""
    import threading

    from django.db import connection, transaction

    from grassroots.stats.rollups import fold_all

    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: ids are handed out in commit order")

    def register(world, title):
        return services.register_case(
            actor=world.county_staff,
            kind=CaseKind.PETITION,
            channel=Channel.VISIT,
            unit=world.changlin,
            title=title,
            description="描述",
            petitioners=[PetitionerData(name="甲")],
        )

    waiting = register(world, "先登记")
    rebuild()
    inserted, release = threading.Event(), threading.Event()
    folded: list[int] = []

    def slow_clerk():
        try:
            with transaction.atomic():
                services.accept_case(waiting, actor=world.county_staff)
                inserted.set()
                release.wait(10)
        finally:
            connection.close()

    def fold():
        try:
            folded.append(fold_all())
        finally:
            connection.close()

    slow = threading.Thread(target=slow_clerk)
    slow.start()
    assert inserted.wait(10)
    register(world, title="后取号先提交")  # a later event id, committed first
    folding = threading.Thread(target=fold)
    folding.start()
    folding.join(0.5)
    release.set()  # the first clerk commits while the fold is under way
    slow.join()
    folding.join()
    fold_all()
    assert sum(d.received for d in CaseDay.objects.all()) == 2
    assert sum(d.accepted for d in CaseDay.objects.all()) == 1
    counted = rollups()
    rebuild()
    assert rollups() == counted
