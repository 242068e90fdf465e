"""The article's figures come out of the statistics when the work is recorded: the demo
county's research programme gives exactly 14 aspects, 95 topics and 280 problems."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command

from grassroots import clock
from grassroots.org.models import Unit
from grassroots.stats.briefing import briefing
from grassroots.stats.metrics import METRICS, compute

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("build_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115  # discard the console list
    return Unit.objects.get(code="430723000000")


def test_the_demo_county_reproduces_the_research_figures_and_writes_the_briefing(demo):
    figures = compute(demo, date(2020, 1, 1), date(2030, 12, 31))
    assert (figures["research.aspects"], figures["research.topics"], figures["research.problems"]) == (14, 95, 280)
    assert figures["linkage.villages_covered_pct"] == 100.0
    assert figures["linkage.enterprises_covered_pct"] == 100.0
    assert figures["receptions.batches"] > 0 and figures["receptions.persons"] >= figures["receptions.batches"]
    assert 0 <= figures["rate.satisfaction"] <= 100
    assert set(figures) == set(METRICS)
    # The briefing is written from the same figures, in both languages.
    zh = "".join(briefing(demo, date(2020, 1, 1), date(2030, 12, 31), "zh-hans"))
    en = " ".join(briefing(demo, date(2020, 1, 1), date(2030, 12, 31), "en"))
    assert "围绕14个方面确定95个调研课题，查找问题280个" in zh and "澧县领导干部接待群众" in zh
    assert "Research covered 14 aspects and 95 topics, found 280 problems" in en and "Li County" in en
    # The highlights: the Suqian-style parking measures, largest first, and the problems
    # with the most people behind them.
    assert "采取的举措包括规划新建停车位43个、收费车位错峰免费开放38个" in zh and "重点解决了“" in zh
    assert "Measures adopted include: 规划新建停车位, 43 个" in en and "Among the problems solved:" in en


def test_stats_api(world, client):
    client.force_login(world.street_staff)
    ok = client.get(
        "/api/v1/stats/",
        {
            "unit": world.liyang.code,
            "from": "2026-01-01",
            "to": "2026-12-31",
            "metrics": "cases.received,grid_meetings.count",
        },
    )
    assert ok.json() == {
        "unit": world.liyang.code,
        "from": "2026-01-01",
        "to": "2026-12-31",
        "metrics": {"cases.received": 0, "grid_meetings.count": 0},
    }
    assert set(client.get("/api/v1/stats/", {"unit": "x", "from": "soon", "to": "2026-01-01"}).json()) == {"unit"}
    bad = client.get(
        "/api/v1/stats/", {"unit": world.liyang.code, "from": "2026-05-01", "to": "2026-01-01", "metrics": "nope"}
    )
    assert bad.status_code == 400 and "to" in bad.json()
    assert client.get("/api/v1/stats/", {"unit": world.county.code}).status_code == 400  # not in scope
    keys = {m["key"] for m in client.get("/api/v1/stats/metrics/").json()}
    assert {"receptions.batches", "rate.satisfaction", "linkage.enterprises_covered_pct"} <= keys


def test_docs_metrics_md_is_up_to_date():
    from pathlib import Path

    from django.conf import settings

    from grassroots.stats.docs import metrics_markdown

    assert (Path(settings.BASE_DIR) / "docs" / "metrics.md").read_text() == metrics_markdown()


def test_breakdowns_and_the_dashboard(world, client):
    from grassroots.cases import services
    from grassroots.cases.choices import CaseKind, Channel
    from grassroots.cases.models import Category
    from grassroots.cases.services import PetitionerData

    for unit, channel in (
        (world.changlin, Channel.VISIT),
        (world.changlin, Channel.PHONE),
        (world.hexi, Channel.VISIT),
    ):
        services.register_case(
            actor=world.county_staff,
            kind=CaseKind.PETITION,
            channel=channel,
            unit=unit,
            title="停车",
            description="车位不足",
            category=Category.objects.get(code="parking"),
            petitioners=[PetitionerData(name="甲")],
        )
    client.force_login(world.county_staff)
    today = clock.today().isoformat()
    by = {}
    for dimension in ("child", "channel", "category", "month"):
        response = client.get(
            "/api/v1/stats/breakdown/", {"unit": world.county.code, "from": "2020-01-01", "to": today, "by": dimension}
        )
        by[dimension] = {r["key"]: r["value"] for r in response.json()}
    assert by["child"] == {world.liyang.code: 2, world.lipu.code: 1}
    assert by["channel"] == {"visit": 2, "phone": 1}
    assert by["category"] == {"parking": 3}
    assert sum(by["month"].values()) == 3
    bad = client.get("/api/v1/stats/breakdown/", {"unit": world.county.code, "by": "weather", "counter": "joy"})
    assert bad.status_code == 400 and set(bad.json()) == {"by", "counter"}
    page = client.get("/dashboard/", {"unit": world.county.code, "from": "2020-01-01", "to": today})
    assert page.status_code == 200 and 'id="chart-data"' in page.content.decode()
    assert client.get("/dashboard/", {"unit": world.province.code}).status_code == 404
    layer = client.get("/dashboard/hotspots/", {"unit": world.county.code}).json()
    assert layer["type"] == "FeatureCollection"


def test_statistics_export(world, client):
    import csv
    import io

    client.force_login(world.street_staff)
    response = client.get("/dashboard/export/", {"unit": world.liyang.code, "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {r[0] for r in rows[1:]} == set(__import__("grassroots.stats.metrics", fromlist=["METRICS"]).METRICS)
    assert client.get("/dashboard/export/", {"unit": world.county.code}).status_code == 404


def test_all_metrics_of_a_period_fold_and_sum_the_rollups_once(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        compute(world.county, date(2026, 1, 1), date(2026, 12, 31))
    rollup_reads = [
        q["sql"]
        for q in ctx.captured_queries
        if ("stats_caseday" in q["sql"] or "stats_rollup" in q["sql"]) and "SUM" in q["sql"]
    ]
    assert len(rollup_reads) == 1  # a whole year: twelve month rows of the county, one query
    with CaptureQueriesContext(connection) as ctx:
        compute(world.county, date(2026, 1, 5), date(2026, 12, 20))
    reads = [q["sql"] for q in ctx.captured_queries if "stats_" in q["sql"] and "SUM" in q["sql"]]
    assert len([r for r in reads if "stats_activityday" not in r]) == 3  # the whole months, and either edge
    assert len([r for r in reads if "stats_activityday" in r]) == 1  # every activity figure: the unit's days
