"""A year of grassroots work is counted as it is recorded: receptions in batches and persons,
visits, grid meetings and outreach reach the day rows of the unit and every unit above it,
so a province reads its year from its own rows — and a rebuild from the activities gives
the same rows."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db.models import Count, Q, Sum
from django.test.utils import CaptureQueriesContext

from grassroots.activities import services
from grassroots.activities.choices import ActivityKind, ActivityState
from grassroots.activities.models import Activity
from grassroots.cases import services as cases
from grassroots.cases.choices import CaseKind, Channel
from grassroots.cases.services import PetitionerData
from grassroots.org.paths import within_q
from grassroots.shards import of_path
from grassroots.stats import activity_days
from grassroots.stats.metrics import compute
from grassroots.stats.models import ACTIVITY_COUNTERS, ActivityDay

pytestmark = pytest.mark.django_db
CST = ZoneInfo("Asia/Shanghai")
YEAR = (date(2026, 1, 1), date(2026, 12, 31))


def at(m, d, h=9, mi=0):
    return datetime(2026, m, d, h, mi, tzinfo=CST)


def counted_from_the_activities(unit, start, end) -> dict[str, int]:
    """The figures as the metrics' definitions say, read from the activities themselves."""
    since, until = datetime.combine(start, datetime.min.time(), CST), datetime.combine(end, datetime.max.time(), CST)
    held = Activity.objects.filter(
        within_q("unit_path", [unit.path]), state=ActivityState.HELD, starts_at__gte=since, starts_at__lte=until
    )
    reception = Q(kind__in=["reception_day", "down_visit", "on_site_office"])
    outreach = Q(kind__in=["outreach", "technical_guidance"])
    totals = held.aggregate(
        reception_batches=Sum("batches", filter=reception),
        reception_persons=Sum("persons", filter=reception),
        visits=Count("id", filter=Q(kind__in=["down_visit", "door_to_door"])),
        grid_meetings=Count("id", filter=Q(kind="grid_meeting")),
        outreach=Count("id", filter=outreach),
        outreach_audience=Sum("persons", filter=outreach),
    )
    return {key: int(value or 0) for key, value in totals.items()}


def a_year_of_work(world) -> None:
    staff = world.county_staff
    record = services.record_activity
    record(
        actor=staff,
        kind=ActivityKind.DOWN_VISIT,
        title="下访",
        unit=world.liyang,
        starts_at=at(3, 2),
        batches=2,
        persons=3,
    )
    record(actor=staff, kind=ActivityKind.OUTREACH, title="政策宣讲", unit=world.lipu, starts_at=at(4, 8), persons=40)
    record(actor=staff, kind=ActivityKind.DOOR_TO_DOOR, title="入户走访", unit=world.hexi, starts_at=at(3, 2, 0, 30))
    services.record_grid_meeting(
        world.changlin_grid, actor=staff, held_at=at(5, 6, 19), topic="停车", minutes="议定划线。", attendees=12
    )
    never = record(
        actor=staff, kind=ActivityKind.DOOR_TO_DOOR, title="未成行", unit=world.lipu, starts_at=at(6, 1), held=False
    )
    talk = record(
        actor=staff, kind=ActivityKind.OUTREACH, title="法律讲座", unit=world.hexi, starts_at=at(6, 3), held=False
    )
    services.hold_activity(talk, actor=staff, minutes="讲解物业条例。", persons=30)
    day = record(
        actor=staff,
        kind=ActivityKind.RECEPTION_DAY,
        title="县委书记接访日",
        unit=world.county,
        starts_at=at(11, 25),
        ends_at=at(11, 25, 12),
        held=False,
        organisation=world.petition_office,
    )
    existing = cases.register_case(
        actor=staff,
        kind=CaseKind.PETITION,
        channel=Channel.LETTER,
        unit=world.changlin,
        title="拆迁补偿纠纷",
        description="对拆迁补偿标准有异议。",
        petitioners=[PetitionerData(name="赵六")],
    )
    with time_machine.travel(at(11, 20)):  # booked ahead
        appointment = services.book_appointment(day, actor=staff, case=existing, slot_at=at(11, 25, 9, 30))
    services.attend_appointment(appointment, actor=staff, notes="当面听取诉求。")
    services.file_case(
        day,
        actor=staff,
        title="村集体分红不公",
        description="五名村民代表反映集体收益分配不公开。",
        persons=5,
        petitioners=[PetitionerData(name=f"代表{i}", is_representative=True) for i in range(5)],
    )
    assert Activity.objects.get(pk=never.pk).state == ActivityState.PLANNED


def test_every_unit_reads_its_years_work_from_its_own_rows_as_the_activities_count_it(world):
    a_year_of_work(world)
    for unit in (world.province, world.county, world.liyang, world.lipu, world.hexi, world.changlin_grid):
        for start, end in (YEAR, (date(2026, 3, 2), date(2026, 3, 2)), (date(2026, 3, 3), date(2026, 11, 24))):
            assert activity_days.sums(unit.path, start, end) == counted_from_the_activities(unit, start, end), unit
    county = activity_days.sums(world.county.path, *YEAR)
    assert county == {
        "reception_batches": 2 + 2,  # the down-visit's two, the reception day's appointment and group
        "reception_persons": 3 + 1 + 5,
        "visits": 2,  # the down-visit and the door-to-door visit; the one not made is not counted
        "grid_meetings": 1,
        "outreach": 2,
        "outreach_audience": 40 + 30,
    }
    figures = compute(world.county, *YEAR)
    assert (figures["receptions.batches"], figures["receptions.persons"]) == (4, 9)
    # Half past midnight in Hexi is that day in China, not the evening before (UTC).
    assert activity_days.sums(world.hexi.path, date(2026, 3, 2), date(2026, 3, 2))["visits"] == 1


def test_a_rebuild_from_the_activities_gives_the_rows_kept_as_work_happened(world):
    a_year_of_work(world)

    def rows() -> set[tuple[Any, ...]]:
        nothing = dict.fromkeys(ACTIVITY_COUNTERS, 0)  # a row a change brought back to zero
        return set(ActivityDay.objects.exclude(**nothing).values_list())

    services.record_activity(  # counted by no figure: no row of zeros either way
        actor=world.county_staff, kind=ActivityKind.WORKING_DAY, title="基层工作日", unit=world.lipu, starts_at=at(7, 3)
    )
    kept = {row[1:] for row in rows()}
    assert activity_days.rebuild() == len(kept) == ActivityDay.objects.count()
    assert {row[1:] for row in rows()} == kept
    assert all(shard == of_path(path) for path, shard, *_ in kept)  # each row's shard is its province


def test_a_provinces_year_of_activity_figures_is_one_read_of_its_own_rows(world):
    a_year_of_work(world)
    with CaptureQueriesContext(connection) as ctx:
        activity_days.sums(world.province.path, *YEAR)
    assert len(ctx.captured_queries) == 1
    assert "activities_activity" not in ctx.captured_queries[0]["sql"]
