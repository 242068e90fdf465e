"""Work at the grassroots, as the article tells it."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command

from grassroots.accounts.choices import Role
from grassroots.accounts.models import Notification
from grassroots.accounts.services import create_login
from grassroots.activities import services
from grassroots.activities.choices import ActivityKind, CaseRole, PostingOutcomeKind, Recurrence
from grassroots.activities.models import Activity
from grassroots.cases import services as cases
from grassroots.cases.choices import CaseKind, Channel, State
from grassroots.cases.services import PetitionerData
from grassroots.conftest import PASSWORD
from grassroots.org import services as org
from grassroots.org.choices import PostingRole
from grassroots.research.services import adopt_measure

pytestmark = pytest.mark.django_db
CST = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=9, mi=0):
    return datetime(y, m, d, h, mi, tzinfo=CST)


def finish(case, world):
    """Take a case through handling to the resident's satisfaction."""
    cases.accept_case(case, actor=world.county_staff)
    case.refresh_from_db()
    if case.state == State.ACCEPTED:
        cases.assign_case(case, actor=world.county_staff, organisations=[world.housing_centre], mode="forward")
    cases.start_handling(case, actor=world.county_staff)
    cases.reply_to_resident(case, actor=world.county_staff, text="已解决")
    cases.resolve_case(case, actor=world.county_staff)


def test_a_grid_meeting_files_two_problems_and_later_one_is_solved(world):
    """M11: grid "micro-discussions" find contradictions early and handle them small."""
    meeting = services.record_grid_meeting(
        world.changlin_grid,
        actor=world.grid_member,
        held_at=at(2026, 11, 2, 19),
        topic="楼道环境与停车",
        minutes="12户居民参加。议定：清理楼道堆物；反映夜间停车难。",
        attendees=12,
    )
    stairs = services.file_case(meeting, actor=world.grid_member, title="楼道堆物", description="3栋楼道堆放杂物。")
    parking = services.file_case(meeting, actor=world.grid_member, title="夜间停车难", description="小区车位不足。")
    assert (stairs.channel, stairs.kind, stairs.unit) == (
        Channel.GRID_MEETING,
        CaseKind.GRID_INCIDENT,
        world.changlin_grid,
    )
    assert meeting.case_links.filter(role=CaseRole.RAISED).count() == 2
    finish(stairs, world)
    solved = meeting.case_links.filter(role=CaseRole.RAISED, case__state__in=["resolved", "closed"]).count()
    assert solved == 1
    assert parking.events.filter(kind="activity").exists()
    with pytest.raises(ValidationError) as info:
        services.record_grid_meeting(
            world.changlin, actor=None, held_at=at(2026, 11, 2), topic="x", minutes="y", attendees=3
        )
    assert "unit" in info.value.message_dict


@pytest.mark.django_db(transaction=True)  # the task worker closes connections, as a real worker does
def test_a_reception_day_with_an_appointment_and_a_walk_in_group_of_five(world, django_capture_on_commit_callbacks):
    """M3: every visit is counted in batches (a group is one batch) and persons."""
    leader = org.register_person(actor=None, unit=world.county, code="P-L-1", name="县委书记", rank="county_division")
    create_login("secretary1", actor=None, password=PASSWORD, person=leader, roles=[Role.LEADER])
    existing = cases.register_case(
        actor=world.county_staff,
        kind=CaseKind.PETITION,
        channel=Channel.LETTER,
        unit=world.changlin,
        title="拆迁补偿纠纷",
        description="对拆迁补偿标准有异议。",
        petitioners=[PetitionerData(name="赵六")],
    )
    with time_machine.travel(at(2026, 11, 20, 10)):
        day = services.record_activity(
            actor=world.county_staff,
            kind=ActivityKind.RECEPTION_DAY,
            title="县委书记接访日",
            unit=world.county,
            starts_at=at(2026, 11, 25, 9),
            ends_at=at(2026, 11, 25, 12),
            held=False,
            leader=leader,
            organisation=world.petition_office,
            place="县信访局接待大厅",
        )
        with django_capture_on_commit_callbacks(execute=True):
            appointment = services.book_appointment(
                day, actor=world.county_staff, case=existing, slot_at=at(2026, 11, 25, 9, 30)
            )
        with pytest.raises(ValidationError, match="just been taken"):
            services.book_appointment(day, actor=world.county_staff, case=existing, slot_at=at(2026, 11, 25, 9, 30))
        with pytest.raises(ValidationError, match="not one of the day's slots"):
            services.book_appointment(day, actor=world.county_staff, case=existing, slot_at=at(2026, 11, 25, 9, 10))
    assert at(2026, 11, 25, 9, 30) not in services.free_slots(day)
    with time_machine.travel(at(2026, 11, 25, 10, 5)):  # on the day: only the slots still to come
        assert services.free_slots(day) == [at(2026, 11, 25, 10, 30), at(2026, 11, 25, 11), at(2026, 11, 25, 11, 30)]

    # The reminder is a background task due the day before; the worker sends it once.
    with time_machine.travel(at(2026, 11, 24, 9, 31)):
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert Notification.objects.filter(recipient__username__in=["county", "secretary1"]).count() == 2

    with time_machine.travel(at(2026, 11, 25, 9, 35)):
        services.attend_appointment(appointment, actor=world.county_staff, notes="当面听取诉求，承诺两周内答复。")
        services.file_case(
            day,
            actor=world.county_staff,
            title="村集体分红不公",
            description="五名村民代表反映集体收益分配不公开。",
            persons=5,
            petitioners=[PetitionerData(name=f"代表{i}", is_representative=True) for i in range(5)],
        )
    day.refresh_from_db()
    assert (day.batches, day.persons) == (2, 6)  # the appointment (1 person) and the group (5 persons)
    assert existing.events.filter(kind="activity").count() == 2  # booked, then received


def test_schedules_expand_to_reception_days_at_every_level(world):
    """A township's leader receives on the first Monday of each month; a village on Fridays."""
    with time_machine.travel(at(2026, 11, 26, 8)):
        monthly = services.create_schedule(
            actor=None,
            kind=ActivityKind.RECEPTION_DAY,
            title="街道领导接访日",
            unit=world.liyang,
            organisation=world.liyang_committee,
            recurrence=Recurrence.MONTHLY_WEEKDAY,
            weekday=0,
            nth=1,
            start_time=time(9),
            end_time=time(11, 30),
            starts_on=date(2026, 1, 1),
        )
        made = services.expand_schedule(monthly, actor=None, until=date(2027, 2, 28))
        assert [a.starts_at.date() for a in made] == [date(2026, 12, 7), date(2027, 1, 4), date(2027, 2, 1)]
        assert services.expand_schedule(monthly, actor=None, until=date(2027, 2, 28)) == []
        weekly = services.create_schedule(
            actor=None,
            kind=ActivityKind.WORKING_DAY,
            title="基层工作日",
            unit=world.changlin,
            organisation=world.liyang_committee,
            recurrence=Recurrence.WEEKLY,
            weekday=4,
            start_time=time(14),
            end_time=time(17),
            starts_on=date(2026, 11, 1),
        )
        assert len(services.expand_schedule(weekly, actor=None, until=date(2026, 12, 31))) == 5
    with pytest.raises(ValidationError) as info:
        services.create_schedule(
            actor=None,
            kind=ActivityKind.RECEPTION_DAY,
            title="x",
            unit=world.liyang,
            organisation=world.liyang_committee,
            recurrence=Recurrence.MONTHLY_WEEKDAY,
            weekday=None,
            nth=9,
            start_time=time(9),
            end_time=time(8),
            starts_on=date(2026, 1, 1),
        )
    assert set(info.value.message_dict) == {"weekday", "nth", "end_time"}


def test_suqian_parking_story_from_the_visit_to_the_measures(world):
    """M10: a parking problem found on a visit; research on vehicles and demand; residents'
    opinions; 43 new spaces planned and 38 paid spaces free off-peak."""
    visit = services.record_activity(
        actor=world.street_staff,
        kind=ActivityKind.DOOR_TO_DOOR,
        title="入户走访长林社区",
        unit=world.changlin,
        starts_at=at(2026, 9, 3),
        persons=46,
        minutes="走访46户，多户反映停车难。",
    )
    case = services.file_case(
        visit,
        actor=world.street_staff,
        title="小区停车难",
        description="车多位少，夜间乱停，消防通道被占。",
        petitioners=[PetitionerData(name="居民代表")],
    )
    assert case.channel == Channel.DOWN_VISIT
    research = services.record_activity(
        actor=world.street_staff,
        kind=ActivityKind.RESEARCH_VISIT,
        title="停车需求调研",
        unit=world.changlin,
        starts_at=at(2026, 9, 10),
        minutes="登记车辆236辆，现有车位151个，夜间缺口约80个。",
    )
    services.link_case(research, actor=world.street_staff, case=case, role=CaseRole.MOVED)
    opinions = services.record_activity(
        actor=world.street_staff,
        kind=ActivityKind.GRID_MEETING,
        title="停车方案征求意见",
        unit=world.changlin_grid,
        starts_at=at(2026, 9, 17, 19),
        persons=35,
        minutes="35名居民参加，同意利用闲置地块新建车位。",
    )
    services.link_case(opinions, actor=world.street_staff, case=case, role=CaseRole.MOVED)
    new_spaces = adopt_measure(
        actor=world.street_staff,
        case=case,
        title="规划新建停车位",
        quantity=43,
        quantity_unit="个",
        adopted_on=date(2026, 9, 25),
    )
    free = adopt_measure(
        actor=world.street_staff,
        case=case,
        title="收费车位错峰免费开放",
        quantity=38,
        quantity_unit="个",
        adopted_on=date(2026, 9, 25),
    )
    finish(case, world)
    case.refresh_from_db()
    assert case.state == State.RESOLVED
    assert sorted(m.quantity or 0 for m in case.measures.all()) == [Decimal(38), Decimal(43)]
    assert {e.kind for e in case.events.all()} >= {"activity", "measure", "resolve"}
    assert new_spaces.unit == world.changlin and free.unit_path == world.changlin.path
    with pytest.raises(ValidationError) as info:
        adopt_measure(actor=None, case=case, title="", quantity=5, adopted_on=date(2026, 9, 25))
    assert set(info.value.message_dict) == {"title", "quantity_unit"}


def test_an_instructor_logs_work_and_an_order_of_five_and_a_half_million_yuan(world):
    """M1: a stationed instructor helps found a fishery cooperative; it signs an order."""
    person = org.register_person(actor=None, unit=world.county, code="P-SCM", name="孙长明", name_en="Sun Changming")
    posting = org.post_to_village(
        person,
        actor=None,
        village=world.changlin,
        role=PostingRole.RURAL_REVITALIZATION_INSTRUCTOR,
        started_on=date(2026, 3, 1),
        ended_on=date(2027, 2, 28),
    )
    services.log_posting_work(posting, actor=None, day=date(2026, 3, 15), work="协助村党支部筹建渔业专业合作社。")
    services.record_posting_outcome(
        posting,
        actor=None,
        kind=PostingOutcomeKind.COOPERATIVE,
        description="渔业专业合作社成立",
        achieved_on=date(2026, 4, 1),
    )
    services.record_posting_outcome(
        posting,
        actor=None,
        kind=PostingOutcomeKind.ORDER,
        description="水产品订单",
        quantity=5_500_000,
        quantity_unit="元",
        achieved_on=date(2026, 8, 1),
    )
    assert posting.outcomes.get(kind="order").quantity == Decimal("5500000")
    with pytest.raises(ValidationError):
        services.log_posting_work(posting, actor=None, day=date(2025, 1, 1), work="早于驻村")


def test_attachments_are_checked_by_content(world):
    meeting = services.record_grid_meeting(
        world.changlin_grid, actor=None, held_at=at(2026, 11, 2), topic="t", minutes="m", attendees=3
    )
    pdf = services.attach_file(meeting, actor=None, name="纪要.pdf", content=b"%PDF-1.4 minutes")
    assert (pdf.content_type, pdf.size) == ("application/pdf", 16)
    with pytest.raises(ValidationError, match="Only PDF"):
        services.attach_file(meeting, actor=None, name="evil.pdf", content=b"<script>alert(1)</script>")
    with pytest.raises(ValidationError, match="at most 10 MB"):
        services.attach_file(meeting, actor=None, name="big.pdf", content=b"%PDF" + b"0" * (10 * 1024 * 1024))
    assert Activity.objects.get(pk=meeting.pk).attachments.count() == 1


def test_activities_are_scoped_to_the_users_units(world):
    services.record_grid_meeting(
        world.changlin_grid, actor=None, held_at=at(2026, 11, 2), topic="t", minutes="m", attendees=3
    )
    assert Activity.objects.visible_to(world.street_staff).count() == 1
    assert Activity.objects.visible_to(world.outsider).count() == 0
