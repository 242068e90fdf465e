"""Hot issues: similar cases in a unit and period grouped, ranked by size and growth, on the
dashboard and in the briefing; a street sees only its own."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from grassroots.cases import services as cases
from grassroots.cases.models import Category
from grassroots.cases.services import PetitionerData
from grassroots.stats.briefing import briefing
from grassroots.triage.hot import hot_issues

pytestmark = pytest.mark.django_db
CST = ZoneInfo("Asia/Shanghai")
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))

PARKING = [
    "长林小区乱停车，消防通道被占",
    "长林小区消防通道被乱停车占用",
    "小区乱停车堵住消防通道",
    "长林小区晚上乱停车",
]
NOISE = ["河西工地夜间施工噪音扰民", "河西工地晚上施工噪音太大", "工地夜间施工噪音扰民严重"]


def register(world, title, day, code, unit):
    return cases.register_case(
        actor=world.county_staff,
        kind="hotline",
        channel="phone",
        unit=unit,
        title=title,
        description=title + "，请尽快处理。",
        category=Category.objects.get(code=code),
        petitioners=[PetitionerData(name="市民")],
        registered_at=datetime(2026, day[0], day[1], 10, tzinfo=CST),
    )


@pytest.fixture
def october(world):
    for n, title in enumerate(PARKING + PARKING[:1]):
        register(world, title, (10, 3 + n), "parking", world.changlin)
    for n, title in enumerate(PARKING[:2]):
        register(world, title, (9, 10 + n), "parking", world.changlin)  # the month before
    for n, title in enumerate(NOISE):
        register(world, title, (10, 12 + n), "noise", world.hexi)
    register(world, "孩子入学材料咨询", (10, 20), "enrolment", world.changlin)


def test_similar_cases_cluster_into_hot_issues_ranked_by_size_and_growth(world, october):
    issues = hot_issues(world.county, *OCTOBER)
    assert [(i.size, i.before, i.growth) for i in issues] == [(5, 2, 3), (3, 0, 3)]
    parking, noise = issues
    assert "乱停车" in parking.title and parking.places == ["Changlin Community"]
    assert parking.category == "Transport / Parking" and "噪音" in noise.title

    assert [i.size for i in hot_issues(world.liyang, *OCTOBER)] == [5]
    assert [i.size for i in hot_issues(world.county, *OCTOBER, user=world.outsider)] == [3]  # Lipu's own


def test_the_dashboard_and_the_briefing_show_them(world, october, as_user):
    page = as_user(world.county_staff).get(
        "/dashboard/hot/", {"unit": world.county.code, "from": "2026-10-01", "to": "2026-10-31"}
    )
    html = page.content.decode()
    assert "Hot issues" in html and "+3" in html and "Hexi Community" in html
    dashboard = as_user(world.county_staff).get("/dashboard/", {"unit": world.county.code}).content.decode()
    assert "/dashboard/hot/?unit=" in dashboard

    zh = "".join(briefing(world.county, *OCTOBER, "zh-hans"))
    en = " ".join(briefing(world.county, *OCTOBER, "en"))
    assert "群众反映集中的问题有：" in zh and "5件（较上期增加3件）" in zh
    assert "The problems raised most often:" in en and "(5 cases, 3 more than the period before)" in en
