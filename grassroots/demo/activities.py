"""Demo work at the grassroots: reception schedules at county, street and village level,
grid meetings that file problems, door-to-door visits, outreach by the practice group, a
Suqian-style parking case ending in measures, and an instructor's log and results."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Min
from django.utils import timezone

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.activities import services
from grassroots.activities.choices import ActivityKind, CaseRole, PostingOutcomeKind, Recurrence
from grassroots.activities.models import Activity
from grassroots.cases import services as cases
from grassroots.cases.choices import FINAL_STATES, State
from grassroots.cases.models import Case
from grassroots.cases.services import PetitionerData
from grassroots.demo.county import DemoCounty
from grassroots.demo.names import NameSource
from grassroots.org.models import Posting, Team
from grassroots.research.services import adopt_measure

GRID_TOPICS = [
    ("楼道堆物与消防通道", "清理楼道杂物，疏通消防通道。", "楼道堆物堵塞消防通道", "3栋、5栋楼道长期堆放杂物。"),
    ("小区路灯与安全", "排查路灯，增设监控。", "小巷路灯损坏", "小巷两盏路灯损坏，夜间出行不安全。"),
    ("垃圾分类与清运", "调整清运时间，增设分类桶。", "垃圾清运不及时", "垃圾桶满溢，夏季异味大。"),
    ("停车秩序", "划定临时停车区。", "夜间乱停车", "夜间车辆占用人行道。"),
]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def build_activities(demo: DemoCounty, today: date | None = None) -> None:
    today = today or timezone.localdate()
    rng = random.Random(84)
    users = {u.username: u for u in User.objects.filter(username__in=["petition", "street", "grid", "leader"])}
    county = demo.county
    liyang = demo.townships[0]
    leader = demo.people["LX-L01"]
    with clock.pinned(_at(today - timedelta(days=1), 8)):
        # Five-level reception days (M3): the county leader, the street, and a village.
        county_day = services.create_schedule(
            actor=None,
            kind=ActivityKind.RECEPTION_DAY,
            title="县级领导接访日",
            unit=county,
            organisation=demo.bodies["lx-xfj"],
            leader=leader,
            recurrence=Recurrence.WEEKLY,
            weekday=2,
            start_time=time(9),
            end_time=time(12),
            place="县信访局接待大厅",
            starts_on=today - timedelta(days=90),
        )
        street_day = services.create_schedule(
            actor=None,
            kind=ActivityKind.RECEPTION_DAY,
            title="澧阳街道领导接访日",
            unit=liyang,
            organisation=demo.bodies["t001-party"],
            leader=demo.people["LX-T001-01"],
            recurrence=Recurrence.MONTHLY_WEEKDAY,
            weekday=0,
            nth=1,
            start_time=time(9),
            end_time=time(11, 30),
            place="澧阳街道便民服务中心",
            starts_on=today - timedelta(days=90),
        )
        working_day = services.create_schedule(
            actor=None,
            kind=ActivityKind.WORKING_DAY,
            title="基层工作日",
            unit=liyang,
            organisation=demo.bodies["t001-party"],
            leader=demo.people["LX-T001-01"],
            recurrence=Recurrence.WEEKLY,
            weekday=4,
            start_time=time(14),
            end_time=time(17),
            starts_on=today - timedelta(days=90),
        )
        for schedule in (county_day, street_day, working_day):
            services.expand_schedule(schedule, actor=None, until=today + timedelta(days=45))
    _booked_reception(county_day, today)

    # Past reception days that were held: walk-ins counted in batches and persons.
    staff = users.get("petition")
    for weeks_ago in range(1, 9):
        day = today - timedelta(days=7 * weeks_ago)
        day -= timedelta(days=(day.weekday() - 2) % 7)
        with clock.pinned(_at(day, 9)):
            held = services.record_activity(
                actor=staff,
                kind=ActivityKind.RECEPTION_DAY,
                title="县级领导接访日",
                unit=county,
                starts_at=_at(day, 9),
                ends_at=_at(day, 12),
                leader=leader,
                organisation=demo.bodies["lx-xfj"],
                place="县信访局接待大厅",
                minutes="县委书记现场接待来访群众。",
            )
        for n in range(rng.randint(2, 5)):
            group = rng.random() < 0.3
            persons = rng.randint(3, 12) if group else 1
            village = rng.choice(demo.villages)
            with clock.pinned(_at(day, 9, 15) + timedelta(minutes=20 * n)):
                services.file_case(
                    held,
                    actor=staff,
                    title=rng.choice(["征地补偿标准有异议", "养老保险待遇核定", "小区物业纠纷", "农村道路硬化"]),
                    description="来访群众当面反映，县级领导现场听取并交办。",
                    unit=village,
                    persons=persons,
                    petitioners=[PetitionerData(name=f"来访群众{n + 1}", is_representative=group)],
                )

    # Grid meetings (M11) in Liyang's grids, each filing one or two problems.
    liyang_grids = [g for g in demo.grids if g.path.startswith(liyang.path)]
    for i, grid in enumerate(liyang_grids[:8]):
        topic, minutes, title, description = GRID_TOPICS[i % len(GRID_TOPICS)]
        day = today - timedelta(days=5 + i * 6)
        with clock.pinned(_at(day, 19)):
            meeting = services.record_grid_meeting(
                grid,
                actor=users.get("grid"),
                held_at=_at(day, 19),
                topic=topic,
                minutes=f"{rng.randint(8, 25)}户居民参加。{minutes}",
                attendees=rng.randint(8, 25),
                organisation=demo.bodies.get(f"v{grid.parent.code}") if grid.parent else None,
            )
            case = services.file_case(meeting, actor=users.get("grid"), title=title, description=description)
        if i % 2 == 0:
            with clock.pinned(_at(day + timedelta(days=3), 10)):
                case.refresh_from_db()
                cases.accept_case(case, actor=users.get("street"))
                case.refresh_from_db()
                if case.state == State.ACCEPTED:
                    cases.assign_case(
                        case, actor=users.get("street"), organisations=[demo.bodies["lx-cgj"]], mode="forward"
                    )
                cases.record_site_visit(case, actor=None, place=grid.name, findings="已现场处置。")
                cases.reply_to_resident(case, actor=None, text="已处理完毕。")
                cases.resolve_case(case, actor=None)

    # Outreach by the Huimin Practice Group (M2).
    team = Team.objects.filter(kind="practice_group").first()
    for k, village in enumerate([v for v in demo.villages if v.name.endswith("村")][:5]):
        day = today - timedelta(days=10 + 9 * k)
        with clock.pinned(_at(day, 9)):
            services.record_activity(
                actor=users.get("petition"),
                kind=ActivityKind.TECHNICAL_GUIDANCE if k % 2 else ActivityKind.OUTREACH,
                title="惠民实践团进村宣讲" if k % 2 == 0 else "黑木耳种植技术指导",
                unit=village,
                starts_at=_at(day, 9),
                team=team,
                participants=list(team.members.all()[:4]) if team else [],
                persons=rng.randint(40, 160),
                topic="惠民政策与产业发展" if k % 2 == 0 else "食用菌种植技术",
                minutes="讲解惠民政策，解答群众疑问。",
                organisation=demo.bodies["lx-cpc"],
            )

    _parking_story(demo, users, today)
    _instructor(demo, today)
    _down_visits(demo, today)
    _planned_then_held_or_called_off(demo, users, working_day, today)


def _planned_then_held_or_called_off(demo: DemoCounty, users: dict[str, Any], working_day: Any, today: date) -> None:
    """Liyang Street plans a talk on the new medical insurance rules a week ahead and records
    it held that evening; the next working day is called off for flood duty."""
    liyang = demo.townships[0]
    community = next(v for v in demo.villages if v.parent_id == liyang.pk)
    day = today - timedelta(days=4)
    with clock.pinned(_at(day - timedelta(days=7), 10)):
        talk = services.record_activity(
            actor=users.get("street"),
            kind=ActivityKind.OUTREACH,
            title="城乡居民医保新政宣讲",
            unit=community,
            starts_at=_at(day, 19),
            ends_at=_at(day, 20, 30),
            held=False,
            place=f"{community.name}党群服务中心",
            topic="2027年度城乡居民医保缴费与报销政策",
            organisation=demo.bodies["t001-party"],
        )
    with clock.pinned(_at(day, 21)):
        services.hold_activity(
            talk,
            actor=users.get("street"),
            persons=76,
            minutes="讲解缴费标准、门诊报销比例和异地就医备案，现场答疑14条，收集意见3条。",
        )
    following = working_day.activities.filter(starts_at__date__gt=today).order_by("starts_at").first()
    if following is not None:
        with clock.pinned(_at(today, 8, 30)):
            services.cancel_activity(
                following, actor=users.get("street"), reason="汛期防汛值班，街道干部在岗值守，工作日顺延至下周。"
            )


def _booked_reception(schedule: Any, today: date) -> None:
    """A resident whose allowance was revoked books the county leader's next reception day."""
    case = Case.objects.filter(title="低保资格被取消").exclude(state__in=FINAL_STATES).order_by("id").first()
    day = schedule.activities.filter(starts_at__date__gt=today).order_by("starts_at").first()
    if case is None or day is None:
        return
    with clock.pinned(_at(today, 8)):
        services.book_appointment(
            day, actor=None, case=case, slot_at=services.free_slots(day)[0], note="请求县领导复核低保资格"
        )


def _sign_in_sheet(activity: Activity, residents: int) -> bytes:
    """The sign-in sheet of a meeting, as the grid member would scan or upload it."""
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "签到表"
    sheet.append([activity.title, f"{activity.starts_at:%Y-%m-%d %H:%M}"])
    sheet.append(["序号", "姓名", "楼栋", "签到"])
    names = NameSource(35)
    for n in range(1, residents + 1):
        sheet.append([n, names.person()[0], f"{(n - 1) % 8 + 1}栋", "✓"])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _parking_story(demo: DemoCounty, users: dict[str, Any], today: date) -> None:
    """M10, the Suqian story, in a Liyang community."""
    community = next(v for v in demo.villages if v.parent_id == demo.townships[0].pk and v != demo.villages[0])
    grid = next(g for g in demo.grids if g.parent_id == community.pk)
    start = today - timedelta(days=70)
    street = users.get("street")
    with clock.pinned(_at(start, 9)):
        visit = services.record_activity(
            actor=street,
            kind=ActivityKind.DOOR_TO_DOOR,
            title=f"入户走访{community.name}",
            unit=community,
            starts_at=_at(start, 9),
            persons=46,
            minutes="走访46户，多户反映停车难。",
        )
        case = services.file_case(
            visit,
            actor=street,
            title="小区停车难",
            petitioners=[PetitionerData(name="居民代表")],
            description="车多位少，夜间乱停，消防通道被占。",
        )
        cases.accept_case(case, actor=street)
    steps: list[tuple[int, Any]] = [
        (
            5,
            lambda: services.link_case(
                services.record_activity(
                    actor=street,
                    kind=ActivityKind.RESEARCH_VISIT,
                    title="停车需求调研",
                    unit=community,
                    starts_at=_at(start + timedelta(days=5), 9),
                    minutes="登记车辆236辆，现有车位151个，夜间缺口约80个。",
                ),
                actor=street,
                case=case,
                role=CaseRole.MOVED,
            ),
        ),
        (
            12,
            lambda: services.link_case(
                services.record_activity(
                    actor=street,
                    kind=ActivityKind.GRID_MEETING,
                    title="停车方案征求意见",
                    unit=grid,
                    starts_at=_at(start + timedelta(days=12), 19),
                    persons=35,
                    minutes="35名居民参加，同意利用闲置地块新建车位，错峰共享周边收费车位。",
                ),
                actor=street,
                case=case,
                role=CaseRole.MOVED,
            ),
        ),
        (
            20,
            lambda: adopt_measure(
                actor=street,
                case=case,
                title="规划新建停车位",
                quantity=43,
                quantity_unit="个",
                adopted_on=start + timedelta(days=20),
            ),
        ),
        (
            20,
            lambda: adopt_measure(
                actor=street,
                case=case,
                title="收费车位错峰免费开放",
                quantity=38,
                quantity_unit="个",
                adopted_on=start + timedelta(days=20),
            ),
        ),
    ]
    for offset, step in steps:
        with clock.pinned(_at(start + timedelta(days=offset), 10)):
            step()
    with clock.pinned(_at(start + timedelta(days=13), 9)):
        meeting = Activity.objects.get(unit=grid, title="停车方案征求意见")
        services.attach_file(
            meeting, actor=street, name="停车方案征求意见签到表.xlsx", content=_sign_in_sheet(meeting, 35)
        )
    with clock.pinned(_at(start + timedelta(days=21), 10)):
        case = Case.objects.get(pk=case.pk)
        if case.state == State.ACCEPTED:
            cases.assign_case(case, actor=street, organisations=[demo.bodies["lx-cgj"]], mode="forward")
        cases.record_site_visit(case, actor=None, place=community.name, findings="新建车位选址确认。")
    with clock.pinned(_at(start + timedelta(days=45), 10)):
        cases.reply_to_resident(case, actor=None, text="新建车位43个已投入使用，周边38个收费车位夜间免费开放。")
        cases.resolve_case(case, actor=None)
    with clock.pinned(_at(start + timedelta(days=47), 10)):
        cases.give_feedback(case, actor=street, verdict="satisfied", comment="居民表示满意。")


def _down_visits(demo: DemoCounty, today: date) -> None:
    """M5, Yuzhong's front-line method: the day after a case is marked difficult and
    complex, the county leader meets its petitioners face to face where they live; the
    visit is on the case's timeline, and counted among the visits and the resolved."""
    leader = demo.people["LX-L01"]
    flagged = (
        Case.objects.filter(is_difficult=True, events__kind="flag")
        .annotate(flagged_at=Min("events__at"))
        .select_related("unit")
        .order_by("pk")
    )
    for case in flagged:
        flagged_at = case.flagged_at  # type: ignore[attr-defined]  # the annotation above
        at = timezone.localtime(flagged_at).replace(hour=15, minute=0) + timedelta(days=1)
        if at.date() >= today:
            continue
        with clock.pinned(at):
            visit = services.record_activity(
                actor=None,
                kind=ActivityKind.DOWN_VISIT,
                title=f"领导下访：{case.title}",
                unit=case.unit,
                starts_at=at,
                ends_at=at + timedelta(hours=2),
                leader=leader,
                organisation=demo.bodies["lx-xfj"],
                place=case.address or case.unit.name,
                persons=case.persons,
                batches=1,
                minutes="面对面听取诉求，现场协调承办部门，明确办理时限。",
            )
            resolved = case.resolved_at is not None or case.state in FINAL_STATES
            services.link_case(visit, actor=None, case=case, role=CaseRole.RESOLVED if resolved else CaseRole.MOVED)


def _instructor(demo: DemoCounty, today: date) -> None:
    """M1: an instructor helps a village branch found a fishery cooperative."""
    posting = Posting.objects.select_related("person").order_by("id").first()
    if posting is None:
        return
    services.log_posting_work(
        posting,
        actor=None,
        day=posting.started_on + timedelta(days=14),
        work="走访养殖户，协助村党支部筹建渔业专业合作社。",
    )
    services.log_posting_work(
        posting, actor=None, day=posting.started_on + timedelta(days=40), work="对接县城商超和水产加工企业，洽谈订单。"
    )
    services.record_posting_outcome(
        posting,
        actor=None,
        kind=PostingOutcomeKind.COOPERATIVE,
        description="渔业专业合作社成立",
        achieved_on=posting.started_on + timedelta(days=30),
    )
    services.record_posting_outcome(
        posting,
        actor=None,
        kind=PostingOutcomeKind.ORDER,
        description="水产品订单",
        quantity=5_500_000,
        quantity_unit="元",
        achieved_on=min(today, posting.started_on + timedelta(days=150)),
    )
