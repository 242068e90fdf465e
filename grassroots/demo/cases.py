"""Demo cases: half a year of the closed loop in Li County, replayed through the services
with the clock pinned to each day, so every deadline, timeline event and flag is real."""

from __future__ import annotations

import dataclasses
import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.cases import services
from grassroots.cases.choices import AssignmentMode, CaseKind, Channel, Feedback, State
from grassroots.cases.deadlines import CALENDARS
from grassroots.cases.models import CalendarDay, Case, Category, RoutingRule
from grassroots.cases.services import PetitionerData
from grassroots.demo.county import DemoCounty
from grassroots.demo.names import NameSource
from grassroots.org.models import Organisation, Unit

# Category -> the county body the routing table sends it to. Drainage has no rule on
# purpose: such cases climb to the street's working committee (the Lixian story, M9).
ROUTES = {
    "parking": "lx-cgj",
    "street_vending": "lx-cgj",
    "illegal_building": "lx-cgj",
    "cityscape": "lx-cgj",
    "wages": "lx-rsj",
    "social_insurance": "lx-rsj",
    "employment": "lx-rsj",
    "consumer": "lx-swj",
    "market": "lx-swj",
    "noise": "lx-sthj",
    "air": "lx-sthj",
    "water_pollution": "lx-sthj",
    "enrolment": "lx-jyj",
    "school_safety": "lx-jyj",
    "medical": "lx-wjj",
    "assistance": "lx-mzj",
    "elderly": "lx-mzj",
    "subsidies": "lx-nyj",
    "rural_infrastructure": "lx-nyj",
    "public_order": "lx-gaj",
    "registration": "lx-gaj",
    "roads": "lx-jtj",
    "water_gas": "lx-szgy",
    "property": "lx-zfbz",
    "old_estates": "lx-zfbz",
    "housing_safety": "lx-zjj",
    "acquisition": "lx-zrzy",
    "land_rights": "lx-zrzy",
}

# 2026 public holidays and make-up working days, as the State Council announced them for
# the demo; administrators keep this calendar in the admin.
HOLIDAYS_2026 = [
    *[(date(2026, 1, d), "元旦") for d in (1, 2, 3)],
    *[(date(2026, 2, d), "春节") for d in range(15, 24)],
    *[(date(2026, 4, d), "清明节") for d in (4, 5, 6)],
    *[(date(2026, 5, d), "劳动节") for d in range(1, 6)],
    *[(date(2026, 6, d), "端午节") for d in (19, 20, 21)],
    *[(date(2026, 9, d), "中秋节") for d in (25, 26, 27)],
    *[(date(2026, 10, d), "国庆节") for d in range(1, 8)],
]
MAKEUP_DAYS_2026 = [
    (date(2026, 1, 4), "元旦调休"),
    (date(2026, 2, 14), "春节调休"),
    (date(2026, 2, 28), "春节调休"),
    (date(2026, 5, 9), "劳动节调休"),
    (date(2026, 9, 20), "国庆调休"),
    (date(2026, 10, 10), "国庆调休"),
]

# (category, kind, channel, title, description)
PROBLEMS = [
    (
        "parking",
        CaseKind.PETITION,
        Channel.VISIT,
        "小区停车位严重不足",
        "居民反映小区只有车位80个，私家车超过200辆，夜间消防通道被占。",
    ),
    (
        "property",
        CaseKind.HOTLINE,
        Channel.PHONE,
        "物业擅自上调物业费",
        "物业公司未经业主大会同意上调物业费0.3元/平方米。",
    ),
    ("noise", CaseKind.HOTLINE, Channel.PHONE, "夜间施工噪音扰民", "工地晚上十一点后仍在打桩，影响附近居民休息。"),
    ("wages", CaseKind.PETITION, Channel.VISIT, "农民工工资被拖欠", "某建筑工地拖欠20名农民工工资共计38万元。"),
    ("roads", CaseKind.HOTLINE, Channel.ONLINE, "村道路面破损坑洼", "村主路多处坑洼，雨天积水，电动车经过容易摔倒。"),
    ("water_gas", CaseKind.HOTLINE, Channel.PHONE, "小区频繁停水", "近一个月小区停水四次，且没有提前通知。"),
    ("enrolment", CaseKind.PETITION, Channel.LETTER, "随迁子女入学难", "外来务工人员子女无法在就近小学入学。"),
    (
        "assistance",
        CaseKind.PETITION,
        Channel.LETTER,
        "低保资格被取消",
        "家中有重病患者，低保被取消后生活困难，请求复核。",
    ),
    (
        "street_vending",
        CaseKind.HOTLINE,
        Channel.PHONE,
        "学校门口流动摊贩占道",
        "上下学时段校门口摊贩占道，存在安全隐患。",
    ),
    (
        "illegal_building",
        CaseKind.GRID_INCIDENT,
        Channel.GRID_PATROL,
        "楼顶违章搭建",
        "网格巡查发现5栋楼顶正在搭建彩钢房。",
    ),
    (
        "elderly",
        CaseKind.SUGGESTION,
        Channel.GRID_MEETING,
        "建议增设社区老年食堂",
        "网格议事会上居民建议在社区设老年助餐点。",
    ),
    (
        "consumer",
        CaseKind.HOTLINE,
        Channel.ONLINE,
        "健身房关门预付卡无法退款",
        "健身房突然停业，会员预付卡余额无法退还。",
    ),
    (
        "subsidies",
        CaseKind.PETITION,
        Channel.VISIT,
        "耕地地力保护补贴未发放",
        "本组12户今年的耕地地力保护补贴至今未到账。",
    ),
    ("land_rights", CaseKind.DISPUTE, Channel.VISIT, "宅基地边界纠纷", "两户村民因宅基地边界发生争执，多次协商未果。"),
    (
        "rural_infrastructure",
        CaseKind.PETITION,
        Channel.DOWN_VISIT,
        "灌溉水渠堵塞",
        "村里灌溉水渠淤塞，影响200亩稻田用水。",
    ),
    ("air", CaseKind.HOTLINE, Channel.PHONE, "餐馆油烟直排", "底商餐馆油烟未经净化直排，楼上住户无法开窗。"),
    (
        "public_order",
        CaseKind.GRID_INCIDENT,
        Channel.GRID_PATROL,
        "夜间路灯损坏治安隐患",
        "网格员巡查发现小巷路灯损坏，居民担心安全。",
    ),
    (
        "old_estates",
        CaseKind.PETITION,
        Channel.RECEPTION,
        "老旧小区改造进度慢",
        "改造工程停工两个月，楼道杂物无人清理。",
    ),
    ("medical", CaseKind.HOTLINE, Channel.PHONE, "卫生院周末无医生值班", "镇卫生院周末没有医生，老人看病要跑县城。"),
    ("housing_safety", CaseKind.PETITION, Channel.VISIT, "房屋出现裂缝", "相邻工地施工后，居民楼墙体出现多处裂缝。"),
]

DEMO_DAYS = 180


def build_calendar() -> None:
    CalendarDay.objects.bulk_create(
        [CalendarDay(day=d, is_working_day=False, name=n) for d, n in HOLIDAYS_2026]
        + [CalendarDay(day=d, is_working_day=True, name=n) for d, n in MAKEUP_DAYS_2026]
    )
    CALENDARS.forget()  # a bulk insert sends no save signal


def build_routing(demo: DemoCounty) -> None:
    categories = {c.code: c for c in Category.objects.filter(code__in=ROUTES)}
    RoutingRule.objects.bulk_create(
        [
            RoutingRule(category=categories[code], unit=demo.county, organisation=demo.bodies[body])
            for code, body in ROUTES.items()
        ]
    )


def _moment(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def build_cases(demo: DemoCounty, today: date | None = None) -> None:
    """About 120 cases over the last half year, in every state, plus the Lixian story."""
    build_calendar()
    build_routing(demo)
    rng = random.Random(20240130)
    names = NameSource(7)
    today = today or timezone.localdate()
    users = {u.username: u for u in User.objects.filter(username__in=["petition", "street", "handler", "leader"])}
    staff = users.get("petition")
    villages = list(demo.villages)
    categories = {c.code: c for c in Category.objects.all()}
    _lixian_story(demo, users, today)
    _hotline_burst(demo, users, today)
    _hotline_night_batch(demo, users, today)
    for i in range(120):
        category, kind, channel, title, description = PROBLEMS[i % len(PROBLEMS)]
        village = rng.choice(villages)
        place: Unit = village
        if channel in (Channel.GRID_PATROL, Channel.GRID_MEETING):
            place = rng.choice([g for g in demo.grids if g.parent_id == village.pk])
        day = today - timedelta(days=rng.randint(0, DEMO_DAYS))
        found_by_staff = channel in (Channel.GRID_PATROL, Channel.GRID_MEETING)
        group = channel == Channel.VISIT and rng.random() < 0.3
        persons = rng.randint(3, 30) if group else 1
        petitioners = (
            []
            if found_by_staff
            else [
                PetitionerData(name=names.person()[0], phone=names.phone(), is_representative=group)
                for _ in range(min(persons, rng.randint(1, 5)) if group else 1)
            ]
        )
        with clock.pinned(_moment(day, rng.randint(8, 17), rng.randint(0, 59))):
            case = services.register_case(
                actor=staff,
                kind=kind,
                channel=channel,
                title=title,
                description=description,
                unit=place,
                category=categories[category],
                persons=persons,
                petitioners=petitioners,
                is_urgent=rng.random() < 0.08,
                address=f"{village.name}{rng.randint(1, 40)}号",
                # The village committee that revoked the allowance must not learn who asked.
                complained=[
                    services.ComplainedData(
                        organisation=demo.bodies[f"v{village.code}"], description="取消低保资格未告知理由"
                    )
                ]
                if category == "assistance"
                else None,
            )
        _progress(case, demo, rng, day, today, staff)


def _progress(case: Case, demo: DemoCounty, rng: random.Random, day: date, today: date, staff: Any) -> None:
    """Move a case as far as its age and chance allow, one working step every few days."""
    age = (today - day).days
    steps = ["accept", "assign", "visit", "reply", "resolve", "feedback"]
    # Older cases have got further; a few stall (the overdue and backlog boards need them).
    stall = rng.random()
    reach = min(len(steps), age // 6 + 1) if stall > 0.12 else min(2, age // 6 + 1)
    if rng.random() < 0.04:
        with clock.pinned(_moment(day + timedelta(days=2), 10)):
            services.decline_case(case, actor=staff, reason="该事项已通过诉讼程序处理，不属于信访受理范围。")
        return
    moment = day
    for step in steps[:reach]:
        moment = moment + timedelta(days=rng.randint(1, 6))
        if moment > today:
            return
        with clock.pinned(_moment(moment, rng.randint(9, 17))):
            case.refresh_from_db()
            if step == "accept":
                services.accept_case(case, actor=staff)
            elif step == "assign" and case.state == State.ACCEPTED:
                body = demo.bodies.get("lx-cgj") if case.category is None else None
                target = body or _department_for(case, demo)
                services.assign_case(
                    case, actor=staff, organisations=[target], mode=AssignmentMode.ASSIGN, report_days=15
                )
            elif step == "visit" and case.state in (State.ASSIGNED, State.IN_PROGRESS):
                services.record_site_visit(
                    case,
                    actor=None,
                    place=case.address or case.unit.name,
                    findings="现场核实情况属实，已制定整改方案。",
                )
            elif step == "reply" and case.state == State.IN_PROGRESS:
                services.reply_to_resident(case, actor=None, text="经核实，已责成相关单位整改到位，并将持续跟踪。")
            elif step == "resolve" and case.state == State.REPLIED:
                services.resolve_case(case, actor=None, note="整改完成。")
            elif step == "feedback" and case.state == State.RESOLVED:
                verdict = rng.choices(
                    [Feedback.SATISFIED, Feedback.BASICALLY_SATISFIED, Feedback.UNSATISFIED], weights=[75, 18, 7]
                )[0]
                services.give_feedback(case, actor=staff, verdict=verdict)
            # Difficult and complex (疑难复杂) once a department holds it: a county leader
            # goes down to the petitioner (demo.activities), and most are resolved (M5). A
            # die of the case's own, so the rest of the county stays as it was.
            if step == "assign" and case.state == State.ASSIGNED and random.Random(case.pk * 7919).random() < 0.15:
                services.flag_case(case, actor=staff, difficult=True)
    if case.state in (State.ASSIGNED, State.IN_PROGRESS) and rng.random() < 0.15:
        case.refresh_from_db()
        services.flag_case(case, actor=staff, difficult=True)


def _department_for(case: Case, demo: DemoCounty) -> Organisation:
    code = ROUTES.get(case.category.code if case.category else "", "lx-zjj")
    return demo.bodies[code]


# The morning after a rainstorm the county's 12345 platform forwards its calls in a burst,
# each answered with a receipt at once (``Prefer: respond-async``) and registered by the task
# worker moments later (``services.register_receipts``).
STORM_CALLS = [
    ("drainage", "暴雨后小区地下车库进水", "居民来电：昨夜暴雨，小区地下车库进水约半米，多辆车被淹，请尽快抽排。"),
    ("roads", "村道被山洪冲毁一段", "村民来电：通往组里的村道被山洪冲断约十米，车辆无法通行。"),
    ("drainage", "低洼处积水倒灌民房", "居民来电：低洼处积水倒灌进三户民房，老人行动不便。"),
    ("water_gas", "暴雨后自来水浑浊", "居民来电：暴雨后自来水发黄浑浊，不敢饮用。"),
    ("roads", "山体滑坡堵塞道路", "村民来电：组道旁山体滑坡，泥石堵住道路，有再次滑坡危险。"),
    ("drainage", "排水沟堵塞农田受淹", "村民来电：排水沟被冲来的杂物堵塞，二十多亩稻田受淹。"),
]


# The 12345 platform forwards the night shift's work orders in one batch each morning,
# each with its own work-order number.
NIGHT_ORDERS = [
    ("noise", "深夜KTV噪音扰民", "市民来电：小区对面KTV凌晨两点仍在高声播放音乐，多次投诉无果。"),
    ("parking", "消防通道被私家车堵塞", "市民来电：小区消防通道长期停满私家车，夜间救护车无法进入。"),
    ("water_gas", "夜间燃气异味", "市民来电：楼道内闻到明显燃气味，担心泄漏，请派人检查。"),
    ("wages", "工地拖欠农民工工资", "市民来电：某工地拖欠十余名农民工三个月工资，包工头联系不上。"),
    ("elderly", "独居老人夜间求助", "市民来电：隔壁独居老人夜里摔倒，已送医，希望社区今后定期上门探望。"),
]


def _hotline_calls(
    calls: list[tuple[str, str, str]], seed: int, demo: DemoCounty, users: dict[str, Any]
) -> list[services.Intake]:
    """``calls`` (category, title, description) as the 12345 platform forwards them: each
    from a resident of a village, taken down by the petition office's account."""
    from grassroots.audit.context import Origin

    rng = random.Random(seed)
    names = NameSource(seed)
    categories = {c.code: c for c in Category.objects.filter(code__in={c for c, _t, _d in calls})}
    intakes = []
    for category, title, description in calls:
        village = rng.choice(demo.villages)
        intakes.append(
            services.Intake(
                actor=users.get("petition"),
                kind=CaseKind.HOTLINE,
                channel=Channel.PHONE,
                title=title,
                description=description,
                unit=village,
                category=categories[category],
                address=f"{village.name}{rng.randint(1, 40)}号",
                petitioners=(PetitionerData(name=names.person()[0], phone=names.phone()),),
                origin=Origin(channel="api", ip="10.12.3.45", user_agent="12345-platform/3.2"),
            )
        )
    return intakes


def _hotline_night_batch(demo: DemoCounty, users: dict[str, Any], today: date) -> None:
    morning = today - timedelta(days=2)
    intakes = [
        # each under its work-order number, counted from when it was called in, through the night
        dataclasses.replace(call, idempotency_key=f"12345-{morning:%Y%m%d}-{n:04d}", registered_at=_moment(morning, n))
        for n, call in enumerate(_hotline_calls(NIGHT_ORDERS, 12346, demo, users), start=1)
    ]
    assert not any(services.batch_errors(intakes)), services.batch_errors(intakes)
    with clock.pinned(_moment(morning, 8, 0)):
        cases = services.register_batch(intakes)
    rng = random.Random(12346)
    for case in cases:
        _progress(case, demo, rng, morning, today, users.get("petition"))


def _hotline_burst(demo: DemoCounty, users: dict[str, Any], today: date) -> None:
    morning = today - timedelta(days=3)
    keys = []
    for minute, call in enumerate(_hotline_calls(STORM_CALLS, 12345, demo, users)):
        with clock.pinned(_moment(morning, 7, 5 + minute * 3)):
            keys.append(services.receive(call).idempotency_key)
    with clock.pinned(_moment(morning, 7, 30)):
        services.register_receipts()
    rng = random.Random(12345)
    for case in Case.objects.filter(idempotency_key__in=keys).order_by("id"):
        _progress(case, demo, rng, morning, today, users.get("petition"))


def _lixian_story(demo: DemoCounty, users: dict[str, Any], today: date) -> None:
    """M9 from the article, in Liyang Street: sewer damage and mixed rain and sewage."""
    community = next(v for v in demo.villages if v.parent_id == demo.townships[0].pk)
    start = today - timedelta(days=40)
    steps: list[tuple[int, Any]] = []
    with clock.pinned(_moment(start, 9, 30)):
        case = services.register_case(
            actor=users.get("street"),
            kind=CaseKind.PETITION,
            channel=Channel.VISIT,
            unit=community,
            title="小区污水管网破损、雨污混流",
            persons=12,
            description=f"{community.name}居民反映：小区主污水管破损，下雨时雨水污水混流，路面返臭，低洼处积水。",
            petitioners=[
                PetitionerData(name="李桂兰", phone="13507361234", is_representative=True),
                PetitionerData(name="张建华", phone="13807364321", is_representative=True),
            ],
            category=Category.objects.get(code="drainage"),
        )
    steps = [
        (0, lambda: services.accept_case(case, actor=users.get("street"))),
        (1, lambda: services.escalate_case(case, actor=None, summary="涉及主管网改造，社区无力解决，报街道党工委。")),
        (
            2,
            lambda: services.classify_case(
                case,
                actor=users.get("street"),
                category=Category.objects.get(code="drainage"),
                summary="排水管网：主管破损＋雨污混流，需县住房保障服务中心和市政公用事务中心共同处理。",
            ),
        ),
        (
            2,
            lambda: services.assign_case(
                case,
                actor=users.get("street"),
                organisations=[demo.bodies["lx-zfbz"], demo.bodies["lx-szgy"]],
                mode=AssignmentMode.ASSIGN,
                report_days=15,
                instructions="请现场核查，调整老旧小区改造方案。",
            ),
        ),
        (
            5,
            lambda: services.record_site_visit(
                case,
                actor=users.get("handler"),
                place=f"{community.name}3栋旁",
                findings="主管破损约12米，雨污管错接三处。",
                participants="县住房保障服务中心、县市政公用事务中心",
            ),
        ),
        (
            9,
            lambda: services.record_progress(
                case, actor=users.get("handler"), note="改造方案调整：增设独立雨水管，更换破损主管，实施雨污分流。"
            ),
        ),
        (
            24,
            lambda: services.reply_to_resident(
                case, actor=users.get("handler"), text="已按调整后的方案完成施工，实现雨污分流，路面已恢复。"
            ),
        ),
        (25, lambda: services.resolve_case(case, actor=users.get("handler"), note="工程验收合格。")),
        (
            27,
            lambda: services.give_feedback(
                case, actor=users.get("street"), verdict=Feedback.SATISFIED, comment="居民代表回访表示满意。"
            ),
        ),
    ]
    for offset, step in steps:
        with clock.pinned(_moment(start + timedelta(days=offset), 10)):
            step()
