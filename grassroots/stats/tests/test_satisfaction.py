"""The satisfaction rate is the residents' say: an unsatisfied verdict reopens the case, and
it counts against the rate on the day it was given — until the resident, after more work,
is satisfied. (Counting only closed cases, as the rate once did, could never show one.)"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from grassroots import clock
from grassroots.cases import services
from grassroots.cases.choices import CaseKind, Channel, Feedback
from grassroots.cases.models import Case
from grassroots.cases.services import PetitionerData
from grassroots.stats.metrics import compute
from grassroots.stats.rollups import fold_all, rebuild

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def on(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=SHANGHAI)


def handled(world, title: str) -> Case:
    """A case registered, accepted, forwarded, answered and resolved in the first week of March."""
    with clock.pinned(on(2)):
        case = services.register_case(
            actor=world.county_staff,
            kind=CaseKind.PETITION,
            channel=Channel.VISIT,
            unit=world.changlin,
            title=title,
            description=f"{title}，已经一个月。",
            petitioners=[PetitionerData(name="李四", phone="13612345678")],
        )
    for day, act in enumerate(("accept", "assign", "start", "reply", "resolve"), start=3):
        with clock.pinned(on(day)):
            case.refresh_from_db()
            if act == "accept":
                services.accept_case(case, actor=world.county_staff)
            elif act == "assign":
                services.assign_case(
                    case, actor=world.county_staff, organisations=[world.housing_centre], mode="forward"
                )
            elif act == "start":
                services.start_handling(case, actor=world.county_staff)
            elif act == "reply":
                services.reply_to_resident(case, actor=world.county_staff, text="已维修。")
            else:
                services.resolve_case(case, actor=world.county_staff)
    case.refresh_from_db()
    return case


def rate(world, first: int, last: int) -> tuple[float | None, int]:
    fold_all()
    figures = compute(world.county, date(2026, 3, first), date(2026, 3, last), ["rate.satisfaction"])
    judged = (
        Case.objects.exclude(feedback="")
        .filter(feedback_at__date__gte=date(2026, 3, first), feedback_at__date__lte=date(2026, 3, last))
        .count()
    )
    return figures["rate.satisfaction"], judged


def test_an_unsatisfied_resident_counts_against_the_rate_until_satisfied(world):
    lamp, noise = handled(world, "路灯不亮"), handled(world, "夜间施工噪音扰民")
    with clock.pinned(on(10)):
        services.give_feedback(lamp, actor=world.county_staff, verdict=Feedback.SATISFIED)
    with clock.pinned(on(11)):
        services.give_feedback(noise, actor=world.county_staff, verdict=Feedback.UNSATISFIED)
    assert rate(world, 1, 15) == (50.0, 2)  # one of the two residents is not satisfied

    # More work, and the resident is satisfied at the end of the month: the case's latest
    # verdict now counts on that day, and the first half of March shows one verdict.
    noise.refresh_from_db()
    with clock.pinned(on(20)):
        services.reply_to_resident(noise, actor=world.county_staff, text="已限定施工时间。")
    with clock.pinned(on(21)):
        noise.refresh_from_db()
        services.resolve_case(noise, actor=world.county_staff)
    with clock.pinned(on(28)):
        noise.refresh_from_db()
        services.give_feedback(noise, actor=world.county_staff, verdict=Feedback.BASICALLY_SATISFIED)
    assert rate(world, 1, 15) == (100.0, 1)
    assert rate(world, 1, 31) == (100.0, 2)

    # A rebuild from the cases counts the same.
    rebuild()
    assert compute(world.county, date(2026, 3, 1), date(2026, 3, 31), ["rate.satisfaction"]) == {
        "rate.satisfaction": 100.0
    }


def test_the_migration_dates_the_verdicts_of_cases_made_before_it(world):
    """An existing site's verdicts get their day from the timeline (the reopening event of an
    unsatisfied one), or from the closing moment where the timeline has none."""
    import importlib

    from django.db.migrations import RunSQL

    lamp, noise = handled(world, "路灯不亮"), handled(world, "夜间施工噪音扰民")
    with clock.pinned(on(10)):
        services.give_feedback(lamp, actor=world.county_staff, verdict=Feedback.SATISFIED)
    with clock.pinned(on(11)):
        services.give_feedback(noise, actor=world.county_staff, verdict=Feedback.UNSATISFIED)
    lamp.events.filter(kind="feedback").delete()  # as a bulk load leaves it: a close, no verdict event
    Case.objects.update(feedback_at=None)
    migration = importlib.import_module("grassroots.cases.migrations.0009_feedback_at").Migration
    with connection.cursor() as cursor:
        for operation in migration.operations:
            if isinstance(operation, RunSQL):
                assert isinstance(operation.sql, str)
                cursor.execute(operation.sql)
    given = {c.pk: c.feedback_at.replace(microsecond=0) for c in Case.objects.all()}  # the clock ticks within
    assert given[lamp.pk] == on(10)  # its closing moment
    assert given[noise.pk] == on(11)  # its reopening event
