"""A 12345 platform forwards its work orders in batches: every case of a batch is checked as
one intake is, and either all are registered — in one transaction, in order — or none is,
with each refusal named by its position."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots import clock
from grassroots.audit.models import Action, AuditEntry
from grassroots.cases import deadlines, services
from grassroots.cases.api.serializers import MAX_BATCH
from grassroots.cases.models import Case, CaseEvent
from grassroots.cases.tests.test_api import SEWER, post
from grassroots.memo import forget_all
from grassroots.triage.models import Suggestion

pytestmark = pytest.mark.django_db

BATCH = "/api/v1/cases/batch/"


def orders(*keys: str) -> dict[str, Any]:
    return {
        "cases": [
            {**SEWER, "kind": "hotline", "channel": "phone", "title": f"工单 {key}", "idempotency_key": key}
            for key in keys
        ]
    }


def move_to_lipu(login: Any, world: Any) -> None:
    """``login`` now holds Lipu Street's post (its outsider's), and no other: it sees Lipu only."""
    world.outsider.person = None
    world.outsider.save()
    login.person = world.lipu_cadre
    login.save()


def test_a_hotline_batch_is_registered_in_order_as_direct_intake_would(world, client):
    client.force_login(world.county_staff)
    direct = post(client, "/api/v1/cases/", SEWER).json()

    answer = post(client, BATCH, orders("12345-0001", "12345-0002", "12345-0003"), HTTP_USER_AGENT="hotline/3")

    assert answer.status_code == 201, answer.json()
    made = answer.json()["cases"]
    assert [c["idempotency_key"] for c in made] == ["12345-0001", "12345-0002", "12345-0003"]
    assert [int(c["number"]) for c in made] == [int(direct["number"]) + i for i in (1, 2, 3)]
    assert all(c["created"] and c["state"] == "registered" for c in made)
    assert {c["responsible"] for c in made} == {direct["responsible"]}
    assert "petitioners" not in made[0] and "13512345678" not in answer.content.decode()
    assert made[0]["url"].endswith(f"/api/v1/cases/{made[0]['number']}/")
    for row in made:
        case = Case.objects.get(number=row["number"])
        assert case.created_by == world.county_staff and case.acceptance_due_at is not None
        assert case.petitioners.get().phone == "13512345678"
        assert CaseEvent.objects.get(case=case).kind == "register"
        assert Suggestion.objects.filter(case=case).exists()
        entry = AuditEntry.objects.get(action=Action.CREATE, target_type="cases.case", target_id=str(case.pk))
        assert (entry.actor, entry.channel, entry.user_agent) == (world.county_staff, "api", "hotline/3")
    assert client.get(made[1]["url"]).json()["title"] == "工单 12345-0002"


def test_a_platform_says_when_each_call_came_in_and_the_deadlines_count_from_then(world, client):
    client.force_login(world.county_staff)
    now = clock.now()
    night = orders("N-1", "N-2")
    night["cases"][0]["received_at"] = (now - timedelta(hours=9)).isoformat()
    made = post(client, BATCH, night).json()["cases"]
    called, unsaid = (Case.objects.get(number=c["number"]) for c in made)
    assert called.registered_at == now - timedelta(hours=9)
    assert called.acceptance_due_at == deadlines.acceptance_due(called.policy, called.registered_at)
    assert unsaid.registered_at >= now  # none given: when the batch arrived
    assert CaseEvent.objects.get(case=called).at >= now  # the timeline says when it was entered

    late = orders("N-3", "N-4", "N-5")
    late["cases"][0]["received_at"] = (now + timedelta(hours=1)).isoformat()
    late["cases"][2]["received_at"] = (now - timedelta(days=8)).isoformat()
    late["cases"][1]["received_at"] = "yesterday evening"
    refused = post(client, BATCH, late)
    assert refused.status_code == 400
    why = refused.json()["cases"]
    assert why["0"] == {"received_at": ["This moment is still to come."]}
    assert why["2"] == {
        "received_at": ["A case is forwarded within 7 days of its call; register an older one as it arrives."]
    }
    assert list(why["1"]) == ["received_at"]
    assert Case.objects.count() == 2


def test_a_retried_batch_returns_the_cases_it_made_and_registers_only_what_is_new(world, client):
    client.force_login(world.county_staff)
    first = post(client, BATCH, orders("A-1", "A-2")).json()["cases"]

    again = post(client, BATCH, orders("A-1", "A-2"))
    assert again.status_code == 200
    assert [(c["number"], c["created"]) for c in again.json()["cases"]] == [(c["number"], False) for c in first]

    grown = post(client, BATCH, orders("A-2", "A-3"))
    assert grown.status_code == 201
    assert [c["created"] for c in grown.json()["cases"]] == [False, True]
    assert grown.json()["cases"][0]["number"] == first[1]["number"]
    assert Case.objects.count() == 3


def test_one_refused_case_refuses_the_batch_naming_it_by_position_and_nothing_is_written(world, client):
    client.force_login(world.county_staff)
    body = orders("B-1", "B-2", "B-3", "B-4")
    body["cases"][1]["title"] = ""
    body["cases"][3]["petitioners"] = []

    refused = post(client, BATCH, body)
    assert refused.status_code == 400
    assert refused.json() == {"cases": {"1": {"title": ["This field may not be blank."]}}}

    body["cases"][1]["title"] = "工单 B-2"  # the form's errors mended, the domain's remain
    refused = post(client, BATCH, body)
    assert refused.json() == {"cases": {"3": {"petitioners": ["Name the petitioner, or mark the case anonymous."]}}}
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_a_key_twice_in_one_batch_and_a_place_outside_ones_scope_are_refused(world, client):
    client.force_login(world.county_staff)
    body = orders("C-1", "C-2", "C-1")
    body["cases"][1]["unit"] = "nowhere"
    refused = post(client, BATCH, body, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert refused.status_code == 400
    assert set(refused.json()["cases"]) == {"1"} and set(refused.json()["cases"]["1"]) == {"unit"}
    body["cases"][1]["unit"] = SEWER["unit"]
    refused = post(client, BATCH, body, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert refused.json() == {"cases": {"2": {"idempotency_key": ["同一批中重复使用了这个幂等键。"]}}}
    assert not Case.objects.exists()


def test_an_empty_or_oversized_batch_is_refused_with_the_reason(world, client):
    client.force_login(world.county_staff)
    assert post(client, BATCH, {"cases": []}).json() == {"cases": {"non_field_errors": ["This list may not be empty."]}}
    too_many = post(client, BATCH, {"cases": [SEWER] * (MAX_BATCH + 1)})
    assert too_many.status_code == 400
    assert too_many.json() == {
        "cases": {"non_field_errors": [f"Ensure this field has no more than {MAX_BATCH} elements."]}
    }
    assert post(client, BATCH, {"cases": "all of them"}).status_code == 400
    client.logout()
    assert post(client, BATCH, orders("D-1")).status_code in (401, 403)
    assert not Case.objects.exists()


def test_a_batch_costs_the_same_statements_however_many_cases_it_holds(world, client):
    client.force_login(world.county_staff)

    def statements_to_register(n: int, start: int) -> int:
        body = orders(*(f"E-{start + i}" for i in range(n)))
        with CaptureQueriesContext(connection) as ctx:
            assert post(client, BATCH, body).status_code == 201
        return len(ctx.captured_queries)

    statements_to_register(2, 0)  # the memos filled
    assert statements_to_register(3, 100) == statements_to_register(12, 200)
    assert Case.objects.count() == 17


def test_a_batch_reads_its_places_and_their_coordinators_together_however_many_it_names(world, client):
    client.force_login(world.county_staff)

    def register_at(places: list[Any], start: int) -> tuple[int, list[str]]:
        forget_all()  # every place read afresh, as when a platform names places not seen lately
        body = {
            "cases": [
                {**SEWER, "unit": place.code, "title": f"工单 {start + i}", "idempotency_key": f"P-{start + i}"}
                for i, place in enumerate(places)
            ]
        }
        with CaptureQueriesContext(connection) as ctx:
            answer = post(client, BATCH, body)
        assert answer.status_code == 201, answer.json()
        return len(ctx.captured_queries), [c["responsible"] for c in answer.json()["cases"]]

    five = [world.liyang, world.changlin, world.changlin_grid, world.lipu, world.hexi]
    register_at(five[:1], 0)  # what the process reads once (content types and the like)
    one_statements, _ = register_at(five[:1], 50)
    five_statements, responsible = register_at(five, 100)
    assert five_statements == one_statements
    # Each case still goes to its own place's coordinator, or the nearest one above it.
    liyang, lipu = world.liyang_committee.code, world.lipu_committee.code
    assert responsible == [liyang, liyang, liyang, lipu, lipu]


def test_two_platforms_numbering_their_work_orders_alike_each_get_their_own_case(world, client):
    client.force_login(world.county_staff)
    ours = post(client, BATCH, orders("F-1")).json()["cases"][0]
    client.force_login(world.outsider)  # another place's platform, numbering its orders alike
    elsewhere = {**orders("F-1")["cases"][0], "unit": world.outsider.person.unit.code, "title": "他处工单"}
    theirs = post(client, BATCH, {"cases": [elsewhere]})
    assert theirs.status_code == 201, theirs.json()
    assert theirs.json()["cases"][0]["number"] != ours["number"]
    assert "工单 F-1" not in theirs.content.decode()
    again = post(client, BATCH, {"cases": [elsewhere]})  # and each one's retry finds its own
    assert again.status_code == 200 and again.json()["cases"][0]["number"] == theirs.json()["cases"][0]["number"]
    single = post(client, "/api/v1/cases/", elsewhere, HTTP_IDEMPOTENCY_KEY="F-1")
    assert single.status_code == 200 and single.json()["number"] == theirs.json()["cases"][0]["number"]
    assert Case.objects.filter(idempotency_key="F-1").count() == 2


def test_a_key_of_a_case_now_outside_ones_units_shows_nothing_of_it_and_registers_nothing(world, client):
    client.force_login(world.county_staff)
    post(client, BATCH, orders("G-1"))
    move_to_lipu(world.county_staff, world)
    there = [{**case, "unit": world.lipu.code} for case in orders("G-2", "G-1")["cases"]]
    refused = post(client, BATCH, {"cases": there})
    assert refused.status_code == 400
    assert refused.json() == {
        "cases": {"1": {"idempotency_key": ["This idempotency key belongs to a case you cannot see."]}}
    }
    assert "工单 G-1" not in refused.content.decode()
    assert Case.objects.count() == 1  # G-2 rolled back with the batch
    single = post(client, "/api/v1/cases/", there[1], HTTP_IDEMPOTENCY_KEY="G-1")
    assert single.status_code == 400 and set(single.json()) == {"Idempotency-Key"}
    assert Case.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL plan")
def test_a_platforms_retry_finds_its_cases_by_their_keys_not_by_reading_all_it_ever_sent(world):
    """A platform's keys are looked up by the key first: the sender alone is no way in,
    since one sender may have sent millions of cases. Even when the planner's statistics
    predate every case the platform sent (taken before a bulk load, or autovacuum behind),
    the keys are the index's condition, not a filter over the sender's every case."""

    def intakes(actor: Any, keyed: bool) -> list[services.Intake]:
        return [
            services.Intake(
                actor=actor,
                kind="hotline",
                channel="phone",
                title=f"工单 {n}",
                description="路灯不亮",
                unit=world.liyang,
                is_anonymous=True,
                idempotency_key=f"12345-{n:05d}" if keyed else None,
            )
            for n in range(400)
        ]

    services.register_cases(intakes(None, keyed=False))  # residents' reports, before the platform came
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Case._meta.db_table}")
    sent = intakes(world.county_staff, keyed=True)
    services.register_cases(sent)

    def plan_of_the_lookup(retry: Any) -> str:
        with CaptureQueriesContext(connection) as asked:
            retry()
        [lookup] = [
            q["sql"] for q in asked.captured_queries if q["sql"].startswith("SELECT") and "idempotency_key" in q["sql"]
        ]
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + lookup)
            return "\n".join(row[0] for row in cursor.fetchall())

    again: list[Case] = []
    batch = plan_of_the_lookup(lambda: again.extend(services.register_batch([sent[7], sent[300]])))
    single = plan_of_the_lookup(lambda: again.append(services.register(sent[9])))  # its insert refused first

    assert [case.idempotency_key for case in again] == ["12345-00007", "12345-00300", "12345-00009"]
    assert not any(hasattr(case, "_born") for case in again)  # made by the first requests
    for plan in (batch, single):
        conditions = [line for line in plan.splitlines() if "Index Cond" in line]
        assert any("idempotency_key" in line for line in conditions), plan
