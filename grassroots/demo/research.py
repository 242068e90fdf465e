"""Demo research: Ziyang's programme as Li County's (14 aspects, 95 topics, 280 problems),
the enterprise start-up reform (13 -> 5 materials, 4 hours), a key project in parts, and a
dispute mediated to an agreement."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from grassroots import clock
from grassroots.activities.services import record_mediation
from grassroots.cases import services as cases
from grassroots.cases.choices import CaseKind, Channel
from grassroots.cases.services import PetitionerData
from grassroots.demo.county import DemoCounty
from grassroots.research import services

ASPECTS = [
    "优化营商环境",
    "乡村振兴",
    "基层治理",
    "民生保障",
    "生态环境保护",
    "城市更新",
    "教育发展",
    "医疗卫生",
    "养老服务",
    "就业创业",
    "安全生产",
    "信访积案化解",
    "党建引领",
    "干部作风",
]
TOPIC_STEMS = ["现状与问题", "群众急难愁盼", "政策落实情况", "体制机制堵点", "典型经验做法", "短板弱项", "资金使用效益"]
PROBLEM_STEMS = [
    "办事环节多、材料多",
    "服务窗口分散",
    "政策知晓率不高",
    "基础设施薄弱",
    "群众反映强烈",
    "部门协同不够",
    "资金到位慢",
    "专业人才缺乏",
]


def build_research(demo: DemoCounty, today: date | None = None) -> None:
    today = today or timezone.localdate()
    rng = random.Random(14)
    county = demo.county
    cadres = [p for code, p in sorted(demo.people.items()) if code.startswith(("LX-L", "LX-T"))]
    start = today - timedelta(days=240)
    with clock.pinned(timezone.make_aware(datetime.combine(start, time(9)))):
        plan = services.create_plan(
            actor=None,
            title="澧县大兴调查研究工作方案",
            unit=county,
            starts_on=start,
            ends_on=today + timedelta(days=60),
            organisation=demo.bodies["lx-cpc"],
            description="围绕14个方面确定95个调研课题，聚焦解决280个问题。",
        )
    topics_per_aspect = [7] * 11 + [6] * 3  # 95 topics over 14 aspects
    problems_left, topics_left = 280, 95
    for a_index, (title, n_topics) in enumerate(zip(ASPECTS, topics_per_aspect, strict=True)):
        aspect = services.add_aspect(plan, actor=None, title=title)
        for t in range(n_topics):
            topic = services.add_topic(
                aspect,
                actor=None,
                title=f"{title}{TOPIC_STEMS[t % len(TOPIC_STEMS)]}调研",
                lead=rng.choice(cadres),
                due_on=start + timedelta(days=120 + 7 * t),
            )
            topics_left -= 1
            share = problems_left // (topics_left + 1)
            n_problems = share + (1 if problems_left - share > 3 * topics_left else 0)
            n_problems = min(n_problems, problems_left - 2 * topics_left) if topics_left else problems_left
            for p in range(n_problems):
                problem = services.record_problem(
                    topic, actor=None, description=f"{title}：{PROBLEM_STEMS[(t + p) % len(PROBLEM_STEMS)]}"
                )
                if rng.random() < 0.6:
                    services.mark_problem_solved(problem, actor=None, on=start + timedelta(days=rng.randint(60, 230)))
            problems_left -= n_problems
            if rng.random() < 0.5:
                services.record_finding(
                    topic, actor=None, text="梳理形成问题清单和对策建议。", recorded_on=start + timedelta(days=90)
                )
                services.adopt_measure(
                    actor=None,
                    topic=topic,
                    title=f"{topic.title.removesuffix('调研')}：出台专项措施",
                    adopted_on=start + timedelta(days=150),
                    kind="policy",
                    document_number=f"澧办发〔2026〕{a_index * 10 + t + 1}号",
                )
            if t % 2 == 0:
                services.finish_topic(topic, actor=None, on=start + timedelta(days=200))

    item = services.create_service_item(
        actor=None,
        name="企业开办",
        unit=county,
        materials=13,
        time_limit_hours=120,
        organisation=demo.bodies["lx-zwzx"],
        description="营业执照、公章刻制、发票申领、社保登记。",
    )
    services.adopt_reform(
        item,
        actor=None,
        title="“多事一次办”“一网通办”改革",
        adopted_on=start + timedelta(days=100),
        materials_after=5,
        hours_after=4,
        document_number="澧政办发〔2026〕8号",
    )

    liyang = demo.townships[0]
    project = services.create_project(
        actor=None,
        title="老城区城中村改造",
        unit=liyang,
        package_leaders=[demo.people["LX-L02"], demo.people["LX-T001-01"]],
        description="摸清产权底数，提出改造方案，将拥挤老街改造为步行街。",
    )
    survey = services.create_project(actor=None, title="产权摸底", unit=liyang, parent=project, weight=1)
    street = services.create_project(actor=None, title="步行街改造", unit=liyang, parent=project, weight=3)
    services.set_progress(survey, actor=None, progress=100)
    services.set_progress(street, actor=None, progress=45)
    services.add_milestone(street, actor=None, title="完成立面和管网改造", due_on=today + timedelta(days=40))

    village = next(v for v in demo.villages if v.name.endswith("村"))
    with clock.pinned(timezone.make_aware(datetime.combine(today - timedelta(days=20), time(10)))):
        dispute = cases.register_case(
            actor=None,
            kind=CaseKind.DISPUTE,
            channel=Channel.VISIT,
            unit=village,
            title="宅基地边界纠纷",
            persons=2,
            description="两户村民因宅基地边界发生争执，多次协商未果。",
            petitioners=[PetitionerData(name="彭国庆"), PetitionerData(name="覃德华")],
        )
        record_mediation(
            dispute,
            actor=None,
            held_at=clock.now() + timedelta(days=3),
            outcome="agreement",
            minutes="县矛盾纠纷调处化解中心组织调解，双方同意以原界桩为准，签订调解协议。",
            organisation=demo.bodies["lx-mdzx"],
        )
