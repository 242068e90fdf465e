"""Every row that grows with the work carries its province's shard, written by every path
that makes it, so the move to Citus (docs/decisions/0006) is one migration away."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from grassroots import clock
from grassroots.activities import services as activities
from grassroots.cases import services as cases
from grassroots.cases.choices import CaseKind, Channel
from grassroots.cases.models import Case, CaseEvent, Petitioner
from grassroots.cases.services import PetitionerData
from grassroots.citus import LOCAL_TABLES, conversion_sql, placement, schema_statements
from grassroots.org import services as org
from grassroots.org.choices import Level
from grassroots.shards import ShardField, misplaced_rows, of_path, sharded_models
from grassroots.stats import rollups
from grassroots.stats.models import CaseDay, CaseFact, Rollup

pytestmark = pytest.mark.django_db

GROWING = {
    "cases_case",
    "cases_petitioner",
    "cases_complainedparty",
    "cases_assignment",
    "cases_packageplan",
    "cases_caseevent",
    "triage_suggestion",
    "stats_casefact",
    "stats_caseday",
    "stats_rollup",
    "stats_activityday",
    "activities_activity",
    "activities_activity_participants",
    "activities_activitycase",
    "activities_attachment",
    "activities_appointment",
    "research_problem",
    "research_measure",
}


def register(world, unit, **kw):
    return cases.register_case(
        **{
            "actor": world.admin,
            "kind": CaseKind.PETITION,
            "channel": Channel.VISIT,
            "unit": unit,
            "title": "物业乱收费",
            "description": "小区物业擅自上调物业费。",
            "petitioners": [PetitionerData(name="刘洋")],
        }
        | kw
    )


@pytest.fixture
def hubei(world):
    """A second province, with a street of its own."""
    province = org.create_unit(actor=None, code="420000000000", name="湖北省", name_en="Hubei", level=Level.PROVINCE)
    city = org.create_unit(
        actor=None, code="420100000000", name="武汉市", name_en="Wuhan", level=Level.CITY, parent=province
    )
    county = org.create_unit(
        actor=None, code="420102000000", name="江岸区", name_en="Jiang'an", level=Level.COUNTY, parent=city
    )
    return org.create_unit(
        actor=None, code="420102001000", name="大智街道", name_en="Dazhi Street", level=Level.TOWNSHIP, parent=county
    )


def test_the_distributed_tables_are_the_ones_that_grow_with_the_work():
    assert {m._meta.db_table for m in sharded_models()} == GROWING
    assert sharded_models()[0] is Case  # parents before children: the order a move fills them


def test_a_case_and_everything_it_makes_carry_its_provinces_shard(world, hubei):
    here = register(world, world.changlin)
    there = register(world, hubei)
    assert here.shard == of_path(world.province.path) != there.shard == of_path(hubei.path)
    cases.accept_case(there, actor=world.admin)
    assert set(CaseEvent.objects.filter(case=there).values_list("shard", flat=True)) == {there.shard}
    assert set(Petitioner.objects.filter(case=here).values_list("shard", flat=True)) == {here.shard}
    rollups.fold_all()
    assert CaseFact.objects.get(case_id=there.pk).shard == there.shard
    assert set(CaseDay.objects.filter(unit_path=hubei.path).values_list("shard", flat=True)) == {there.shard}
    assert set(Rollup.objects.filter(unit_id=hubei.parent.parent.parent_id).values_list("shard", flat=True)) == {
        there.shard
    }
    for model in sharded_models():
        assert misplaced_rows(model) == 0, model


def test_the_rebuilt_statistics_are_on_the_same_shards_as_the_folded_ones(world, hubei):
    register(world, world.changlin)
    register(world, hubei)
    rollups.fold_all()
    folded = sorted(Rollup.objects.values_list("unit_id", "grain", "day", "shard"))
    rollups.rebuild()
    assert sorted(Rollup.objects.values_list("unit_id", "grain", "day", "shard")) == folded
    for model in (CaseFact, CaseDay, Rollup):
        assert misplaced_rows(model) == 0, model


def test_the_check_finds_a_row_on_the_wrong_shard(world):
    case = register(world, world.changlin)
    CaseEvent.objects.filter(case=case).update(shard="zzzzzz")
    assert misplaced_rows(CaseEvent) == CaseEvent.objects.filter(case=case).count() > 0
    with pytest.raises(Exception, match="carry a shard their place does not give"):
        call_command("shards", "check")


def test_a_row_with_nothing_to_place_it_is_refused_with_the_reason():
    field = Case._meta.get_field("shard")
    assert isinstance(field, ShardField)
    with pytest.raises(ValueError, match="needs one of unit_path"):
        field.pre_save(Case(), add=True)


def test_cases_of_two_provinces_cannot_be_merged_or_linked(world, hubei):
    here = register(world, world.changlin)
    there = register(world, hubei)
    with pytest.raises(ValidationError) as info:
        cases.merge_case(here, actor=world.admin, into=there)
    assert "another province" in info.value.message_dict["into"][0]
    with pytest.raises(ValidationError) as info:
        cases.decline_repeat(here, actor=world.admin, earlier=there)
    assert "another province" in info.value.message_dict["earlier"][0]


def test_participants_are_on_their_activitys_shard_without_a_query_each(world):
    def held(*participants):
        with CaptureQueriesContext(connection) as queries:
            activity = activities.record_activity(
                actor=world.admin,
                kind="outreach",
                unit=world.liyang,
                title="政策宣讲",
                starts_at=clock.now(),
                participants=list(participants),
            )
        return activity, len(queries)

    _one, one_costs = held(world.liyang_cadre)
    two, two_costs = held(world.liyang_cadre, world.lipu_cadre)
    assert one_costs == two_costs
    through = type(two).participants.through
    assert set(through.objects.filter(activity=two).values_list("shard", flat=True)) == {two.shard}
    assert two.participants.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_demo_county_is_on_one_shard_in_every_table(capsys):
    from grassroots.cases.seed import seed_taxonomy

    seed_taxonomy()
    call_command("build_demo")
    rollups.fold_all()
    call_command("shards", "check")
    out = capsys.readouterr().out
    assert out.count(" ok") == len(GROWING)
    empty = [m._meta.db_table for m in sharded_models() if not m.objects.exists()]
    assert empty == [], "the demo should exercise every distributed table"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the move to Citus starts from PostgreSQL")
def test_the_move_to_citus_runs_on_this_schema_up_to_citus_own_calls(world):
    """Every key, unique rule and foreign key of the plan is valid SQL on this very schema
    (only create_*_table needs the extension), and leaves the keys Citus asks for."""
    register(world, world.changlin)
    plan = conversion_sql()
    assert plan[0] == "BEGIN;" and "SELECT create_distributed_table('cases_case', 'shard');" in plan
    distributed = {m._meta.db_table for m in sharded_models()}
    assert {p for p in LOCAL_TABLES if placement(p, distributed) != "local"} == set()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own rows are checked first
            for statement in schema_statements(plan):
                cursor.execute(statement)
            for table in distributed:
                cursor.execute(
                    "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
                    "AND contype IN ('p', 'u', 'f')",
                    [table],
                )
                for (definition,) in cursor.fetchall():
                    if definition.startswith(("PRIMARY KEY", "UNIQUE")):
                        assert definition.split("(", 1)[1].startswith("shard"), (table, definition)
                    elif "REFERENCES" in definition and definition.split("REFERENCES ")[1].split(" ")[0] in distributed:
                        assert definition.startswith("FOREIGN KEY (shard,"), (table, definition)
        transaction.set_rollback(True)


FILLING_MIGRATIONS = [
    "grassroots.cases.migrations.0008_shard",
    "grassroots.triage.migrations.0002_shard",
    "grassroots.stats.migrations.0004_shard",
    "grassroots.activities.migrations.0005_shard",
    "grassroots.activities.migrations.0006_participation",
    "grassroots.research.migrations.0003_shard",
]


def test_the_migrations_fill_the_shard_of_rows_made_before_it_existed(world, hubei):
    """An existing site's rows get their shards from the migrations' own UPDATEs."""
    import importlib

    from django.db.migrations import RunSQL

    register(world, world.changlin)
    register(world, hubei)
    rollups.fold_all()
    for model in sharded_models():
        model.objects.update(shard="zzzzzz")
    assert misplaced_rows(Case) == Case.objects.count()  # children agree with their wrong parents
    with connection.cursor() as cursor:
        for name in FILLING_MIGRATIONS:
            for operation in importlib.import_module(name).Migration.operations:
                if isinstance(operation, RunSQL):
                    assert isinstance(operation.sql, str)
                    cursor.execute(operation.sql)
    for model in sharded_models():
        assert misplaced_rows(model) == 0, model
