"""Triage at intake: categories suggested from keywords until the site has a model trained
on its own classified cases; whether staff took the first suggestion is recorded and is a
statistic; the same trainer serves the CLI on any labelled file."""

from __future__ import annotations

import csv
import random
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots.cases import services as cases
from grassroots.cases.models import Category, RoutingRule
from grassroots.cases.services import PetitionerData
from grassroots.triage import services
from grassroots.triage.models import Suggestion, TriageModel

pytestmark = pytest.mark.django_db

PHRASES = {
    "drainage": ["下水道堵塞", "污水外溢", "雨污混流", "化粪池满了", "排水管破裂", "路面积水排不出去"],
    "noise": ["夜间施工噪音", "广场舞音响太吵", "工地打桩扰民", "商铺喇叭噪声", "凌晨装修声音很大"],
    "parking": ["车位不够", "小区乱停车", "停车场收费太高", "消防通道被占用停车", "充电桩车位被燃油车占"],
}
PLACES = ["长林社区", "澧阳街道", "河西社区", "城南小区", "荆州路", "澧州大道"]


def problem(code: str, rng: random.Random) -> tuple[str, str]:
    phrase = rng.choice(PHRASES[code])
    place = rng.choice(PLACES)
    return f"{place}{phrase}", f"{place}居民反映：{phrase}，已经持续{rng.randint(2, 30)}天，希望尽快解决。"


def register(world, title: str, description: str, category: Category | None = None):
    return cases.register_case(
        actor=world.county_staff,
        kind="hotline",
        channel="phone",
        unit=world.changlin,
        title=title,
        description=description,
        category=category,
        petitioners=[PetitionerData(name="市民")],
    )


def test_until_a_model_is_trained_suggestions_come_from_the_keywords(world, as_user):
    RoutingRule.objects.create(
        category=Category.objects.get(code="drainage"), unit=world.county, organisation=world.housing_centre
    )
    api = as_user(world.county_staff)
    answer = api.get(
        "/api/v1/triage/suggest/",
        {"title": "小区下水道堵塞", "description": "污水外溢，管网堵塞", "unit": world.changlin.code},
    ).json()
    assert answer["origin"] == "keywords" and answer["model"] is None
    first = answer["items"][0]
    assert first["category"] == "drainage" and first["organisation"] == "zfbz"
    assert sum(i["probability"] for i in answer["items"]) == pytest.approx(1.0, abs=0.001)

    page = api.get("/triage/suggest/", {"title": "夜间施工噪音", "description": "工地扰民"}).content.decode()
    assert "Suggested categories" in page and "Environment / Noise" in page
    assert "No category suggested yet" in api.get("/triage/suggest/", {"title": "你好"}).content.decode()
    assert 'hx-get="/triage/suggest/"' in api.get("/cases/new/").content.decode()


def test_a_model_trained_on_the_sites_cases_suggests_and_its_hit_rate_is_a_statistic(world, as_user):
    rng = random.Random(7)
    categories = {c.code: c for c in Category.objects.filter(code__in=PHRASES)}
    for n in range(90):
        code = list(PHRASES)[n % 3]
        register(world, *problem(code, rng), category=categories[code])
    model = services.train_site_model(actor=world.admin)
    assert model.version == 1 and not model.is_active and model.trained_on == 90
    assert model.accuracy is not None and model.macro_f1 is not None
    assert model.accuracy > 0.9 and model.macro_f1 > 0.9
    assert services.suggest("城南小区乱停车", "车位不够").source == "keywords"  # not active yet

    services.activate_model(model, actor=world.admin)
    made = services.suggest("城南小区乱停车", "消防通道被占用停车，车位不够")
    assert made.source == "model" and made.model.version == 1
    assert made.items[0].category.code == "parking"
    probabilities = [s.probability for s in made.items]
    assert probabilities == sorted(probabilities, reverse=True) and len(made.items) == 3
    # At intake's pace the model and its categories are at hand: no statement to suggest.
    with CaptureQueriesContext(connection) as asked:
        services.suggest("城南小区乱停车", "消防通道被占用停车", route=False)
    assert len(asked) == 0

    second = services.train_site_model(actor=world.admin, activate=True)
    assert list(TriageModel.objects.filter(is_active=True)) == [second]  # the earlier one is kept, inactive
    Suggestion.objects.all().delete()

    took = register(world, "荆州路下水道堵塞", "污水外溢", category=categories["drainage"])
    assert Suggestion.objects.get(case=took).taken is True
    changed = register(world, "广场舞音响太吵", "每天晚上十点后还在跳")
    suggestion = Suggestion.objects.get(case=changed)
    assert suggestion.taken is None and suggestion.first.code == "noise"
    cases.accept_case(changed, actor=world.county_staff)
    cases.classify_case(changed, actor=world.county_staff, category=categories["parking"])
    suggestion.refresh_from_db()
    assert suggestion.taken is False and suggestion.chosen.code == "parking"

    stats = (
        as_user(world.county_staff)
        .get("/api/v1/stats/", {"unit": world.county.code, "metrics": "rate.triage_hits"})
        .json()
    )
    assert stats["metrics"] == {"rate.triage_hits": 50.0}


def test_too_few_classified_cases_are_refused_with_the_reason(world):
    register(world, "下水道堵塞", "污水外溢", category=Category.objects.get(code="drainage"))
    with pytest.raises(services.TrainingError, match="Only 1 classified cases"):
        services.train_site_model(actor=None)
    out = StringIO()
    with pytest.raises(CommandError, match="at least 30"):
        call_command("triage", "train", stdout=out)


def test_any_labelled_file_is_trained_and_scored_from_the_command_line(tmp_path: Path):
    rng = random.Random(3)
    labelled = tmp_path / "messages.csv"
    with labelled.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "detail", "label"])
        for n in range(60):
            code = list(PHRASES)[n % 3]
            writer.writerow([*problem(code, rng), code])
    model = tmp_path / "model.bin"
    out = StringIO()
    call_command(
        "triage",
        "train",
        "--csv",
        str(labelled),
        "--text-columns",
        "title,detail",
        "--label-column",
        "label",
        "--out",
        str(model),
        stdout=out,
    )
    assert "trained on 60 rows, 3 labels" in out.getvalue()
    scored = tmp_path / "scored.csv"
    call_command("triage", "predict", "--model", str(model), "--csv", str(labelled), "--out", str(scored), stdout=out)
    rows = list(csv.DictReader(scored.open(encoding="utf-8")))
    assert len(rows) == 60 and all(r["predicted"] == r["label"] for r in rows)

    with pytest.raises(CommandError, match="no column body"):
        call_command("triage", "train", "--csv", str(labelled), "--text-columns", "title,body", "--out", str(model))
    with pytest.raises(CommandError, match="not a grassroots triage model"):
        call_command("triage", "predict", "--model", str(labelled), "--csv", str(labelled))
    lonely = tmp_path / "lonely.csv"
    lonely.write_text("title,detail,label\n下水道,堵塞,drainage\n噪音,扰民,noise\n", encoding="utf-8")
    with pytest.raises(CommandError, match="at least 2 examples"):
        call_command("triage", "train", "--csv", str(lonely), "--out", str(model))
