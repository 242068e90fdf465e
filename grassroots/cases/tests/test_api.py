"""The case API: the Lixian story end to end, bad input, conflicts, scope and query counts."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots.audit.models import AuditEntry
from grassroots.cases.models import Case, CaseEvent, Category
from grassroots.cases.tests.test_lixian import lixian  # noqa: F401  # the fixture

pytestmark = pytest.mark.django_db

SEWER = {
    "kind": "petition",
    "channel": "visit",
    "unit": "430723001001",
    "persons": 6,
    "title": "小区污水管破损、雨污混流",
    "description": "居民反映：主污水管破损，下雨时雨污混流，路面返臭。",
    "petitioners": [{"name": "李桂兰", "phone": "13512345678", "is_representative": True}],
}


def post(client, url, data=None, **headers):
    return client.post(url, data or {}, content_type="application/json", **headers)


def test_lixian_story_through_the_api(world, lixian, client):  # noqa: F811
    client.force_login(lixian["secretary"])
    created = post(client, "/api/v1/cases/", SEWER, HTTP_IDEMPOTENCY_KEY="lixian-1")
    assert created.status_code == 201, created.json()
    number = created.json()["number"]
    assert created.json()["petitioners"][0]["phone"] == "135****5678"
    assert post(client, "/api/v1/cases/", SEWER, HTTP_IDEMPOTENCY_KEY="lixian-1").json()["number"] == number
    assert Case.objects.count() == 1

    url = f"/api/v1/cases/{number}"
    assert post(client, f"{url}/accept/").json()["state"] == "accepted"
    assert (
        post(client, f"{url}/escalate/", {"summary": "涉及主管网，报街道党工委。"}).json()["responsible"]
        == "liyang-pwc"
    )

    client.force_login(world.street_staff)
    post(client, f"{url}/classify/", {"category": "drainage", "summary": "排水管网"})
    assigned = post(client, f"{url}/assign/", {"organisations": ["zfbz", "szgy"], "mode": "assign", "report_days": 15})
    assert assigned.json()["state"] == "assigned"

    client.force_login(lixian["housing"])
    post(client, f"{url}/site-visit/", {"place": "3栋旁", "findings": "主管破损约12米"})
    client.force_login(lixian["municipal_user"])
    post(client, f"{url}/site-visit/", {"place": "长林社区", "findings": "雨污错接"})
    client.force_login(lixian["housing"])
    post(client, f"{url}/progress/", {"note": "改造方案调整：增设独立雨水管。"})
    post(client, f"{url}/reply/", {"text": "已完成施工，雨污分流。"})
    assert post(client, f"{url}/resolve/").json()["state"] == "resolved"

    client.force_login(world.street_staff)
    closed = post(client, f"{url}/feedback/", {"verdict": "satisfied"}).json()
    assert closed["state"] == "closed" and closed["feedback"] == "satisfied"
    assert [e["kind"] for e in closed["events"]][-3:] == ["reply", "resolve", "feedback"]


def test_intake_answers_with_the_case_as_reading_it_back_shows_it_without_reading_it_back(world, client):
    client.force_login(world.county_staff)
    with CaptureQueriesContext(connection) as ctx:
        created = post(client, "/api/v1/cases/", SEWER, HTTP_IDEMPOTENCY_KEY="born-1")
    assert created.status_code == 201
    assert not [q for q in ctx.captured_queries if 'FROM "cases_petitioner"' in q["sql"]]
    read = client.get(f"/api/v1/cases/{created.json()['number']}/")
    assert created.json() == read.json()
    retried = post(client, "/api/v1/cases/", SEWER, HTTP_IDEMPOTENCY_KEY="born-1")
    assert retried.status_code == 200 and retried.json() == read.json()


def test_bad_intake_gets_field_specific_errors_and_writes_nothing(world, client):
    client.force_login(world.county_staff)
    bad = {
        **SEWER,
        "kind": "gossip",
        "unit": "nowhere",
        "persons": 0,
        "latitude": 123,
        "petitioners": [{"name": "", "phone": "call me"}],
    }
    response = post(client, "/api/v1/cases/", bad)
    assert response.status_code == 400
    assert {"kind", "unit", "persons", "latitude", "petitioners"} <= set(response.json())
    no_people = post(client, "/api/v1/cases/", {**SEWER, "petitioners": []})
    assert no_people.status_code == 400
    assert no_people.json() == {"petitioners": ["Name the petitioner, or mark the case anonymous."]}
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0


def test_intake_names_its_category_by_code_without_asking_the_database(world, client):
    client.force_login(world.county_staff)
    post(client, "/api/v1/cases/", {**SEWER, "category": "drainage"})  # the categories are now remembered
    with CaptureQueriesContext(connection) as ctx:
        created = post(client, "/api/v1/cases/", {**SEWER, "category": "drainage"})
    assert created.status_code == 201 and created.json()["category"] == "drainage"
    assert not [q for q in ctx.captured_queries if 'FROM "cases_category"' in q["sql"]]
    for bad in ("no-such-category", 42, ["drainage"]):
        refused = post(client, "/api/v1/cases/", {**SEWER, "category": bad})
        assert refused.status_code == 400 and list(refused.json()) == ["category"], bad
    # A category an administrator adds is known to the next intake on this server.
    Category.objects.create(code="flood-walls", name="防洪堤", parent=Category.objects.get(code="drainage").parent)
    assert post(client, "/api/v1/cases/", {**SEWER, "category": "flood-walls"}).json()["category"] == "flood-walls"


def test_an_intake_in_a_unit_out_of_scope_is_refused(world, client):
    client.force_login(world.outsider)
    response = post(client, "/api/v1/cases/", SEWER)
    assert response.status_code == 400 and "unit" in response.json()


def test_acts_refused_for_wrong_state_role_or_stale_version(world, client):
    client.force_login(world.county_staff)
    number = post(client, "/api/v1/cases/", SEWER).json()["number"]
    url = f"/api/v1/cases/{number}"
    wrong = post(client, f"{url}/resolve/")
    assert wrong.status_code == 409 and wrong.json()["code"] == "wrong_state"
    assert post(client, f"{url}/accept/", {"version": 7}).status_code == 409
    missing = post(client, f"{url}/decline/", {})
    assert missing.status_code == 400 and "reason" in missing.json()
    client.force_login(world.grid_member)
    assert post(client, f"{url}/accept/").status_code == 404  # not in the grid member's scope at all
    client.force_login(world.nobody)
    assert client.get(f"{url}/").status_code == 404


def test_reading_a_case_is_audited_and_the_list_shows_no_identity(world, client):
    client.force_login(world.county_staff)
    number = post(client, "/api/v1/cases/", SEWER).json()["number"]
    listed = client.get("/api/v1/cases/").json()["results"][0]
    assert "petitioners" not in listed
    client.get(f"/api/v1/cases/{number}/")
    assert AuditEntry.objects.filter(action="read", target_type="cases.case").count() == 1


def test_filters(world, client):
    client.force_login(world.county_staff)
    post(client, "/api/v1/cases/", SEWER)
    post(
        client,
        "/api/v1/cases/",
        {
            **SEWER,
            "unit": "430723002001",
            "title": "河西停车难",
            "category": "parking",
            "description": "河西社区车位不足，夜间乱停。",
        },
    )
    numbers = lambda **q: {c["title"] for c in client.get("/api/v1/cases/", q).json()["results"]}  # noqa: E731
    assert numbers(within="430723002000") == {"河西停车难"}
    assert numbers(category="transport") == {"河西停车难"}
    assert numbers(q="雨污") == {"小区污水管破损、雨污混流"}
    assert numbers(state="registered") == {"小区污水管破损、雨污混流", "河西停车难"}
    assert numbers(overdue="true") == set()
    assert client.get("/api/v1/cases/", {"state": "bogus"}).status_code == 400


def make_cases(client, n):
    for i in range(n):
        post(client, "/api/v1/cases/", {**SEWER, "title": f"案件{i}"})


@pytest.mark.parametrize("path", ["/api/v1/cases/", "/api/v1/cases/?open=true&within=430723000000"])
def test_case_list_query_count_does_not_grow(world, client, path):
    client.force_login(world.county_staff)
    make_cases(client, 2)
    with CaptureQueriesContext(connection) as small:
        client.get(path)
    make_cases(client, 10)
    with CaptureQueriesContext(connection) as large:
        client.get(path)
    assert len(small) == len(large)


def test_case_detail_query_count_does_not_grow_with_the_timeline(world, client):
    client.force_login(world.county_staff)
    number = post(client, "/api/v1/cases/", SEWER).json()["number"]
    url = f"/api/v1/cases/{number}"
    post(client, f"{url}/accept/")
    with CaptureQueriesContext(connection) as small:
        client.get(f"{url}/")
    for i in range(8):
        post(client, f"{url}/note/", {"note": f"备注{i}"})
    with CaptureQueriesContext(connection) as large:
        client.get(f"{url}/")
    assert len(small) == len(large)


def required_fields(serializer_class) -> set[str]:
    return {name for name, field in serializer_class().fields.items() if field.required}


@pytest.mark.parametrize(
    "name",
    sorted(
        n
        for n, e in __import__("grassroots.cases.api.views", fromlist=["ACT_ENDPOINTS"]).ACT_ENDPOINTS.items()
        if e.serializer and required_fields(e.serializer)
    ),
)
def test_every_act_with_missing_fields_gets_a_field_specific_400_and_writes_nothing(world, client, name):
    from grassroots.cases.api.views import ACT_ENDPOINTS

    client.force_login(world.county_staff)
    number = post(client, "/api/v1/cases/", SEWER).json()["number"]
    case = Case.objects.get(number=number)
    events = case.events.count()
    response = post(client, f"/api/v1/cases/{number}/{name}/", {})
    assert response.status_code == 400
    assert set(response.json()) == required_fields(ACT_ENDPOINTS[name].serializer)
    case.refresh_from_db()
    assert (case.version, case.events.count()) == (1, events)


@pytest.mark.parametrize("walk", [2, 5, 5000])
def test_a_text_search_through_the_api_pages_the_newest_matches_as_the_list_page_does(world, client, monkeypatch, walk):
    # As on the case list page, ?q= walks the newest cases of the other filters first and
    # leaves the rest to the database past WALK cases: the cursor's pages must hold every
    # match, newest first, once, however each was found.
    monkeypatch.setattr("grassroots.cases.querysets.WALK", walk)
    client.force_login(world.street_staff)
    made = [
        post(
            client,
            "/api/v1/cases/",
            {
                **SEWER,
                "title": "路灯不亮" if i in (0, 1, 2, 9, 10, 14) else "噪音扰民",
                "channel": "phone" if i % 3 else "visit",
            },
        ).json()["number"]
        for i in range(16)
    ]
    lamps = [n for i, n in enumerate(made) if i in (0, 1, 2, 9, 10, 14)]
    seen, url = [], "/api/v1/cases/?" + urlencode({"q": "路灯", "page_size": 2})
    while url:
        page = client.get(url).json()
        seen += [c["number"] for c in page["results"]]
        url = page["next"]
    assert seen == list(reversed(lamps))
    # With another filter beside it, and a number for a text.
    by_phone = client.get("/api/v1/cases/", {"q": "路灯", "channel": "phone"}).json()["results"]
    assert [c["number"] for c in by_phone] == [n for i, n in reversed(list(enumerate(made))) if i in (1, 2, 10, 14)]
    assert [c["number"] for c in client.get(f"/api/v1/cases/?q={made[3]}").json()["results"]] == [made[3]]
    # Bad filters beside a text are still refused, field by field.
    bad = client.get("/api/v1/cases/", {"q": "路灯", "registered_from": "soon"})
    assert bad.status_code == 400 and "registered_from" in bad.json()
    # The neighbouring street's officer finds none of them.
    client.force_login(world.outsider)
    assert client.get("/api/v1/cases/", {"q": "路灯"}).json()["results"] == []
