"""Investigation and research (M7), key projects (M8), service reforms, and mediation (M6)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from grassroots.activities.services import record_mediation
from grassroots.cases import services as cases
from grassroots.cases.choices import CaseKind, Channel, State
from grassroots.cases.services import PetitionerData
from grassroots.research import services
from grassroots.research.models import Measure

pytestmark = pytest.mark.django_db


def test_a_research_plan_whose_problem_becomes_a_case_and_whose_topic_produces_a_measure(world):
    """M7, Ziyang: aspects > topics > problems; results applied to decisions."""
    plan = services.create_plan(
        actor=world.admin,
        title="2026年大兴调查研究",
        unit=world.county,
        starts_on=date(2026, 3, 1),
        organisation=world.petition_office,
    )
    business = services.add_aspect(plan, actor=world.admin, title="优化营商环境")
    services.add_aspect(plan, actor=world.admin, title="基层治理")
    topic = services.add_topic(
        business, actor=world.admin, title="企业开办便利度", lead=world.liyang_cadre, due_on=date(2026, 6, 30)
    )
    problem = services.record_problem(topic, actor=world.admin, description="企业开办需提交13份材料，跑多个窗口。")
    other = services.record_problem(topic, actor=world.admin, description="部分窗口午间不办公。")
    case = services.problem_to_case(
        problem, actor=world.county_staff, title="企业开办材料多", unit=world.liyang, is_anonymous=False
    )
    assert (case.channel, case.kind) == (Channel.RESEARCH, CaseKind.SUGGESTION)
    services.record_finding(
        topic, actor=world.admin, text="材料中有8份可由部门共享获取。", recorded_on=date(2026, 5, 1)
    )
    measure = services.adopt_measure(
        actor=world.admin,
        topic=topic,
        problem=other,
        title="推行午间不打烊",
        adopted_on=date(2026, 5, 10),
        kind="decision",
        document_number="澧政办发〔2026〕12号",
    )
    assert measure.unit == world.county and measure.topic == topic
    services.mark_problem_solved(other, actor=world.admin, on=date(2026, 5, 10))
    services.finish_topic(topic, actor=world.admin, on=date(2026, 6, 1))
    assert services.plan_progress(plan) == {
        "aspects": 2,
        "topics": 1,
        "topics_done": 1,
        "problems": 2,
        "problems_solved": 1,
        "findings": 1,
        "measures": 1,
    }
    with pytest.raises(ValidationError):
        services.problem_to_case(problem, actor=None, title="again")


def test_enterprise_start_up_reform_13_to_5_materials_and_4_hours(world):
    item = services.create_service_item(
        actor=world.admin, name="企业开办", unit=world.county, materials=13, time_limit_hours=72
    )
    reform = services.adopt_reform(
        item,
        actor=world.admin,
        title="“多事一次办”“一网通办”改革",
        adopted_on=date(2026, 6, 1),
        materials_after=5,
        hours_after=4,
    )
    item.refresh_from_db()
    assert (reform.materials_before, reform.materials_after, reform.hours_after) == (13, 5, Decimal(4))
    assert (item.materials, item.time_limit_hours) == (5, Decimal(4))


def test_key_project_progress_rolls_up_by_weight(world):
    """M8, Haizhu: an urban village's transformation in parts."""
    village = services.create_project(
        actor=None, title="城中村改造", unit=world.liyang, package_leaders=[world.liyang_cadre]
    )
    street = services.create_project(actor=None, title="步行街改造", unit=world.liyang, parent=village, weight=3)
    survey = services.create_project(actor=None, title="产权摸底", unit=world.liyang, parent=village, weight=1)
    services.set_progress(survey, actor=None, progress=100)
    services.set_progress(street, actor=None, progress=40)
    village.refresh_from_db()
    assert village.progress == Decimal("55.00")  # (100 x 1 + 40 x 3) / 4
    with pytest.raises(ValidationError):
        services.set_progress(village, actor=None, progress=80)
    with pytest.raises(ValidationError):
        services.set_progress(street, actor=None, progress=120)
    milestone = services.add_milestone(street, actor=None, title="完成立面改造", due_on=date(2026, 12, 31))
    services.reach_milestone(milestone, actor=None, on=date(2026, 12, 20))
    assert street.milestones.get().done_on == date(2026, 12, 20)
    services.adopt_measure(
        actor=None,
        project=street,
        title="新增公共停车位",
        quantity=120,
        quantity_unit="个",
        adopted_on=date(2026, 10, 1),
    )
    assert Measure.objects.get().unit == world.liyang


def test_a_dispute_mediated_to_an_agreement(world):
    """M6: the one-stop mediation centre handles a dispute; the agreement is on the timeline."""
    dispute = cases.register_case(
        actor=world.county_staff,
        kind=CaseKind.DISPUTE,
        channel=Channel.VISIT,
        unit=world.changlin,
        title="宅基地边界纠纷",
        description="两户因宅基地边界争执。",
        persons=2,
        petitioners=[PetitionerData(name="甲"), PetitionerData(name="乙")],
    )
    session = record_mediation(
        dispute,
        actor=world.county_staff,
        held_at=datetime(2026, 11, 10, 9, tzinfo=ZoneInfo("Asia/Shanghai")),
        outcome="agreement",
        minutes="双方同意以原界桩为准，签订调解协议。",
    )
    assert session.outcome == "agreement" and session.case_links.get().role == "resolved"
    assert dispute.events.filter(kind="activity", payload__role="resolved").exists()
    assert dispute.state == State.REGISTERED  # the closed loop still asks for the resident's verdict
    with pytest.raises(ValidationError):
        record_mediation(dispute, actor=None, held_at=session.starts_at, outcome="maybe", minutes="")


def test_research_pages_are_scoped(world, as_user):
    from django.urls import reverse

    plan = services.create_plan(actor=None, title="澧阳街道调研", unit=world.liyang, starts_on=date(2026, 3, 1))
    aspect = services.add_aspect(plan, actor=None, title="基层治理")
    services.record_problem(services.add_topic(aspect, actor=None, title="网格"), actor=None, description="网格员不足")
    page = as_user(world.street_staff).get(reverse("research:plan", args=[plan.pk])).content.decode()
    assert "网格员不足" in page
    assert as_user(world.outsider).get(reverse("research:plan", args=[plan.pk])).status_code == 404
    assert "澧阳街道调研" not in as_user(world.outsider).get(reverse("research:overview")).content.decode()


def test_research_api_and_page_queries_do_not_grow(world, as_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = as_user(world.street_staff)

    def add(n):
        plan = services.create_plan(actor=None, title=f"方案{n}", unit=world.liyang, starts_on=date(2026, 1, 1))
        services.add_topic(services.add_aspect(plan, actor=None, title="方面"), actor=None, title="课题")
        services.adopt_measure(actor=None, unit=world.liyang, title=f"举措{n}", adopted_on=date(2026, 1, 2))
        services.create_service_item(actor=None, name=f"事项{n}", unit=world.liyang, materials=3, time_limit_hours=8)
        return plan

    plan = add(0)
    urls = [
        "/api/v1/measures/",
        "/api/v1/service-items/",
        "/api/v1/key-projects/",
        reverse("research:plan", args=[plan.pk]),
        reverse("research:overview"),
        "/api/v1/research-plans/",
    ]
    small = []
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        small.append(len(ctx))
    for n in range(1, 5):
        add(n)
    for url, before in zip(urls, small, strict=True):
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        assert len(ctx) == before, url
    outsider = as_user(world.outsider).get("/api/v1/measures/").json()
    assert outsider["results"] == []


def test_research_lists_export_within_scope_and_each_export_is_audited(world, as_user):
    import csv
    import io

    from grassroots.audit.models import AuditEntry

    plan = services.create_plan(actor=None, title="澧阳街道调研", unit=world.liyang, starts_on=date(2026, 3, 1))
    topic = services.add_topic(services.add_aspect(plan, actor=None, title="基层治理"), actor=None, title="网格")
    problem = services.record_problem(topic, actor=None, description="网格员不足")
    services.mark_problem_solved(problem, actor=None, on=date(2026, 4, 1))
    services.adopt_measure(actor=None, unit=world.liyang, title="增设停车位", adopted_on=date(2026, 4, 2))
    services.create_plan(actor=None, title="澧浦街道调研", unit=world.lipu, starts_on=date(2026, 3, 1))

    client = as_user(world.street_staff)

    def rows(what, fmt="csv"):
        response = client.get(f"/research/export/{what}.{fmt}")
        assert response.status_code == 200
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))

    plans = rows("plans")
    assert plans[0][:2] == ["Plan", "Unit"]
    assert [r[0] for r in plans[1:]] == ["澧阳街道调研"]  # not the neighbour's
    assert plans[1][4:] == ["1", "1", "1", "1", "0"]
    assert [r[2] for r in rows("problems")[1:]] == ["网格员不足"]
    assert [r[0] for r in rows("measures")[1:]] == ["增设停车位"]
    assert client.get("/research/export/plans.xlsx")["Content-Type"].startswith("application/vnd.openxml")
    assert client.get("/research/export/secrets.csv").status_code == 404
    exports = AuditEntry.objects.filter(action="export", actor=world.street_staff)
    assert sorted(e.target_type for e in exports) == [
        "research.measures",
        "research.plans",
        "research.plans",
        "research.problems",
    ]
    assert "澧阳街道调研" not in as_user(world.outsider).get("/research/export/plans.csv").content.decode("utf-8-sig")
