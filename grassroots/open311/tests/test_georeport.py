"""The Open311 GeoReport v2 interface, held to the specification: every resource in XML
and JSON with the same data, JSON valid against the published schemas, and each error
case answered with the specification's code and error list."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from django.conf import settings
from django.core.management import call_command
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from grassroots.cases import services as cases
from grassroots.cases.choices import State
from grassroots.cases.models import Case, Category, RoutingRule
from grassroots.open311 import services
from grassroots.open311.georeport import ITEM_TAGS
from grassroots.open311.models import ResidentReport

pytestmark = pytest.mark.django_db

# The published schemas state no licence, so they are read from ../shared, not copied in.
SCHEMAS = Path(settings.BASE_DIR).parent / "shared" / "open311" / "schema"


def validator(name: str) -> Draft4Validator:
    """A validator for one of the published schemas, resolving their file-name refs."""
    schemas = {p.name: json.loads(p.read_text()) for p in SCHEMAS.glob("*.json")}
    assert name in schemas, f"the GeoReport v2 schemas are missing from {SCHEMAS}"
    registry: Registry[Any] = Registry().with_resources(
        (n, Resource.from_contents(s, default_specification=DRAFT4)) for n, s in schemas.items()
    )
    return Draft4Validator(schemas[name], registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER)


def assert_valid(name: str, data: Any) -> None:
    errors = sorted(validator(name).iter_errors(data), key=str)
    assert not errors, [e.message for e in errors]


def from_xml(text: bytes) -> Any:
    """The XML read back into the JSON's shape, to compare the two."""
    assert text.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = ET.fromstring(text)  # noqa: S314  # our own response, in a test
    plural = {"services": "service", "service_requests": "request", "errors": "error"}
    if root.tag in plural:
        return [_element(child) for child in root if child.tag == plural[root.tag]]
    return _element(root)


def _element(element: ET.Element) -> Any:
    if element.tag in ITEM_TAGS:
        return [_element(child) for child in element]
    if len(element) == 0:
        return element.text
    return {child.tag: _element(child) for child in element}


def same_data(json_value: Any, xml_value: Any) -> Any:
    """XML carries text: compare the JSON's values as the XML writes them."""
    if isinstance(json_value, dict):
        return set(json_value) == set(xml_value) and all(same_data(v, xml_value[k]) for k, v in json_value.items())
    if isinstance(json_value, list):
        return len(json_value) == len(xml_value) and all(
            same_data(a, b) for a, b in zip(json_value, xml_value, strict=True)
        )
    if json_value is None:
        return xml_value is None
    if isinstance(json_value, bool):
        return xml_value == ("true" if json_value else "false")
    return str(json_value) == xml_value


def both(client: Any, path: str, **params: Any) -> tuple[Any, Any]:
    """GET a resource in JSON and XML; both must answer the same status and data."""
    as_json = client.get(f"/open311/v2/{path}.json", params)
    as_xml = client.get(f"/open311/v2/{path}.xml", params)
    assert as_json.status_code == as_xml.status_code
    assert as_json["Content-Type"] == "application/json; charset=utf-8"
    assert as_xml["Content-Type"] == "text/xml; charset=utf-8"
    data = as_json.json()
    assert same_data(data, from_xml(as_xml.content)), (data, as_xml.content)
    return as_json.status_code, data


@pytest.fixture
def key(world: Any) -> str:
    return services.issue_key(actor=None, name="Li County app", per_minute=30)[1]


def post(client: Any, key: str | None, fmt: str = "json", **fields: Any) -> Any:
    data = {"api_key": key, **fields} if key else fields
    return client.post(f"/open311/v2/requests.{fmt}", data)


def test_discovery_points_at_the_endpoint_in_both_formats(client, world):
    status, data = both(client, "discovery")
    assert status == 200
    (endpoint,) = data["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2")
    assert endpoint["formats"] == ["text/xml", "application/json"]


def test_services_and_definitions_validate_and_carry_the_same_data_in_xml(client, world):
    status, listed = both(client, "services")
    assert status == 200
    assert_valid("services.json", listed)
    drainage = next(s for s in listed if s["service_code"] == "drainage")
    assert drainage["metadata"] is True and drainage["group"] == "Urban and rural construction"
    assert next(s for s in listed if s["service_code"] == "medical")["metadata"] is False

    status, definition = both(client, "services/noise")
    assert status == 200
    assert_valid("service-definition.json", definition)
    when = definition["attributes"][0]
    assert when["code"] == "when" and when["datatype"] == "multivaluelist" and when["required"] is True
    assert {"key": "night", "name": "At night (after 22:00)"} in when["values"]

    status, errors = both(client, "services/no-such-service")
    assert status == 404 and errors[0]["code"] == 404 and "no-such-service" in errors[0]["description"]


def test_services_speak_chinese_to_a_chinese_client(world):
    from django.test import Client

    listed = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/open311/v2/services.json").json()
    assert next(s for s in listed if s["service_code"] == "drainage")["service_name"] == "排水与污水管网"


def test_a_request_raised_through_open311_is_routed_handled_and_shows_closed_with_the_reply(
    client, world, key, as_user
):
    RoutingRule.objects.create(
        category=Category.objects.get(code="drainage"), unit=world.county, organisation=world.housing_centre
    )
    response = post(
        client,
        key,
        service_code="drainage",
        address_id=world.changlin.code,
        address_string="长林社区3栋旁",
        description="小区主污水管破损，下雨时雨污混流。",
        first_name="桂兰",
        last_name="李",
        phone="13512345678",
        email="li@example.cn",
        **{"attribute[overflow]": "yes"},
    )
    assert response.status_code == 201, response.content
    (created,) = response.json()
    number = created["service_request_id"]
    case = Case.objects.get(number=number)
    assert case.channel == "online" and case.unit == world.changlin
    assert case.responsible == world.liyang_committee  # the street coordinates Changlin
    assert case.petitioners.get().name == "李桂兰"
    assert ResidentReport.objects.get(case=case).answers == {"overflow": "yes"}

    # In the street's queue, like any other case.
    page = as_user(world.street_staff).get("/cases/")
    assert number in page.content.decode()

    status, listed = both(client, f"requests/{number}")
    assert status == 200
    assert_valid("requests.json", listed)
    assert listed[0]["status"] == "open" and listed[0]["status_notes"] is None
    body = json.dumps(listed, ensure_ascii=False)
    assert "李桂兰" not in body and "13512345678" not in body and "li@example.cn" not in body

    cases.accept_case(case, actor=world.street_staff)  # routed by the rule
    case.refresh_from_db()
    assert case.assignments.get().organisation == world.housing_centre
    cases.start_handling(case, actor=world.admin)
    cases.reply_to_resident(case, actor=world.admin, text="已更换破损主管，雨污分流。")
    cases.resolve_case(case, actor=world.admin, note="验收合格。")

    status, listed = both(client, f"requests/{number}")
    (request,) = listed
    assert request["status"] == "closed"
    assert request["status_notes"] == "已更换破损主管，雨污分流。"  # the reply, not the resolution note
    assert request["agency_responsible"] == "Housing Security Service Centre"  # where the rule sent it
    assert request["expected_datetime"] is None

    status, with_notes = both(client, f"requests/{number}", extensions="true")
    kinds = [n["type"] for n in with_notes[0]["notes"]]
    assert kinds[0] == "register" and "reply" in kinds and kinds[-1] == "resolve"
    assert with_notes[0]["notes"][-1]["description"] == "验收合格。"
    assert {"code": "overflow", "value": "yes"} in with_notes[0]["attributes"]


def test_the_request_list_filters_and_pages_and_validates(client, world, key):
    numbers = []
    for code in ["roads", "roads", "noise"]:
        extra: dict[str, Any] = (
            {"attribute[size]": "small"} if code == "roads" else {"attribute[when][]": ["night", "weekend"]}
        )
        response = post(
            client, key, service_code=code, lat="29.63", long="111.76", description=f"{code} report", **extra
        )
        assert response.status_code == 201, response.content
        numbers.append(response.json()[0]["service_request_id"])
    closed = Case.objects.get(number=numbers[0])
    cases.withdraw_case(closed, actor=world.county_staff, reason="重复反映，已合并处理。")

    status, everything = both(client, "requests")
    assert status == 200
    assert_valid("requests.json", everything)
    assert [r["service_request_id"] for r in everything] == numbers[::-1]  # newest first

    _, roads = both(client, "requests", service_code="roads")
    assert {r["service_request_id"] for r in roads} == set(numbers[:2])
    _, open_only = both(client, "requests", status="open")
    assert {r["service_request_id"] for r in open_only} == set(numbers[1:])
    _, closed_only = both(client, "requests", status="closed")
    assert [r["service_request_id"] for r in closed_only] == [numbers[0]]
    assert closed_only[0]["status_notes"] == "重复反映，已合并处理。"
    _, chosen = both(client, "requests", service_request_id=f"{numbers[0]},{numbers[2]}", status="open")
    assert {r["service_request_id"] for r in chosen} == {numbers[0], numbers[2]}  # the ids override the rest
    _, page2 = both(client, "requests", page="2", page_size="2")
    assert [r["service_request_id"] for r in page2] == [numbers[0]]
    _, none = both(client, "requests", start_date="2010-01-01T00:00:00Z", end_date="2010-02-01T00:00:00Z")
    assert none == []
    _, staff_only = both(client, "requests", jurisdiction_id=world.lipu.code)
    assert staff_only == []  # the requests were placed in Liyang, not Lipu


def test_staff_registered_petitions_and_private_reports_are_not_in_the_public_feed(client, world, key):
    petition = cases.register_case(
        actor=world.county_staff,
        kind="petition",
        channel="letter",
        unit=world.changlin,
        title="拆迁补偿",
        description="对补偿标准有异议。",
        petitioners=[cases.PetitionerData(name="赵六")],
    )
    category = Category.objects.get(code="medical")
    private, _secret = services.submit(
        services.Submission(category=category, description="诊所收费不透明", address="河西社区", is_public=False),
        source="portal",
        address="127.0.0.9",
    )
    _, listed = both(client, "requests")
    assert listed == []
    for number in (petition.number, private.case.number):
        status, errors = both(client, f"requests/{number}")
        assert status == 404 and errors[0]["code"] == 404


@pytest.mark.parametrize(
    ("fields", "status", "needle"),
    [
        ({"lat": "29.6", "long": "111.7", "description": "x"}, 400, "service_code"),
        ({"service_code": "teleport", "lat": "29.6", "long": "111.7"}, 404, "teleport"),
        ({"service_code": "medical", "description": "no place"}, 400, "location"),
        ({"service_code": "medical", "lat": "29.6", "description": "half a point"}, 400, "lat"),
        ({"service_code": "medical", "lat": "95", "long": "111.7"}, 400, "Latitude"),
        ({"service_code": "medical", "lat": "north", "long": "111.7"}, 400, "Not a number"),
        ({"service_code": "medical", "address_string": "x", "description": "长" * 4001}, 400, "4,000"),
        ({"service_code": "medical", "address_id": "999"}, 400, "999"),
        ({"service_code": "drainage", "address_string": "x"}, 400, "attribute[overflow]"),
        ({"service_code": "drainage", "address_string": "x", "attribute[overflow]": "maybe"}, 400, "maybe"),
        ({"service_code": "medical", "address_string": "x", "attribute[colour]": "red"}, 400, "colour"),
        ({"service_code": "parking", "address_string": "x", "attribute[vehicles]": "many"}, 400, "many"),
        ({"service_code": "medical", "address_string": "x", "phone": "139"}, 400, "name"),
        ({"service_code": "medical", "address_string": "x", "media_url": "file:///etc/passwd"}, 400, "media"),
        ({"service_code": "medical", "address_string": "x", "jurisdiction_id": "nowhere"}, 404, "nowhere"),
    ],
)
def test_each_bad_post_gets_the_specifications_code_and_nothing_is_written(client, key, fields, status, needle):
    for fmt in ("json", "xml"):
        response = post(client, key, fmt=fmt, **fields)
        assert response.status_code == status, response.content
        errors = response.json() if fmt == "json" else from_xml(response.content)
        assert all(str(e["code"]) == str(status) for e in errors)
        assert any(needle in e["description"] for e in errors), errors
    assert not Case.objects.exists() and not ResidentReport.objects.exists()


def test_a_post_needs_a_valid_unrevoked_key(client, world, key):
    fields = {"service_code": "medical", "address_string": "澧阳街道", "description": "候诊时间太长"}
    response = post(client, None, **fields)
    assert response.status_code == 403 and "api_key" in response.json()[0]["description"]
    response = post(client, "deadbeef.wrong", fmt="xml", **fields)
    assert response.status_code == 403
    assert from_xml(response.content) == [
        {"code": "403", "description": "Invalid api_key received -- can't proceed with create_request."}
    ]
    assert post(client, key, **fields).status_code == 201
    client_row = services.client_for_key(key)
    assert client_row is not None
    call_command("open311", "revoke", client_row.key_prefix, stdout=StringIO())
    assert post(client, key, **fields).status_code == 403
    assert Case.objects.count() == 1


def test_bad_queries_get_error_lists(client, world):
    for params, needle in [
        ({"start_date": "yesterday"}, "start_date"),
        ({"start_date": "2026-01-01T00:00:00"}, "zone"),
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "90 days"),
        ({"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, "before"),
        ({"status": "pending"}, "status"),
        ({"page_size": "5000"}, "page_size"),
        ({"page": "zero"}, "whole numbers"),
    ]:
        status, errors = both(client, "requests", **params)
        assert status == 400 and errors[0]["code"] == 400 and needle in errors[0]["description"], (params, errors)
    status, errors = both(client, "tokens/nope")
    assert status == 404
    status, errors = both(client, "requests/2099000001")
    assert status == 404
    assert client.get("/open311/v2/nothing.json").status_code == 404
    assert from_xml(client.get("/open311/v2/requests").content)[0]["code"] == "404"  # no suffix: XML
    assert from_xml(client.get("/open311/v2/requests.html").content)[0]["code"] == "404"
    response = client.put("/open311/v2/services.json")
    assert response.status_code == 405 and response["Allow"] == "GET"


def test_a_burst_is_slowed_with_tokens_never_lost_and_far_above_the_limit_refused(
    client, world, django_capture_on_commit_callbacks
):
    _client_row, key = services.issue_key(actor=None, name="busy app", per_minute=2)
    fields = {"service_code": "medical", "address_string": "河西社区", "description": "药房排队"}
    answers = []
    with django_capture_on_commit_callbacks(execute=False) as queued:
        for _ in range(2 * settings.REPORT_REFUSE_FACTOR + 1):
            answers.append(post(client, key, **fields))
    assert [r.status_code for r in answers].count(201) == 2 * settings.REPORT_REFUSE_FACTOR
    refused = answers[-1]
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert "Try again" in refused.json()[0]["description"]
    realtime = [r.json()[0] for r in answers[:2]]
    tokens = [r.json()[0]["token"] for r in answers[2:-1]]
    assert all("service_request_id" in r for r in realtime) and len(tokens) == 8
    assert len(queued) == 8  # one task per queued report

    status, waiting = both(client, f"tokens/{tokens[0]}")
    assert status == 200 and waiting == [{"token": tokens[0]}]

    from grassroots.open311.tasks import make_case

    for report in ResidentReport.objects.filter(processed_at__isnull=True):
        make_case.call(report.pk)
        make_case.call(report.pk)  # a retried task makes no second case
    assert Case.objects.count() == 10
    status, found = both(client, f"tokens/{tokens[0]}")
    assert found[0]["service_request_id"] == ResidentReport.objects.get(token=tokens[0]).case.number
    assert Case.objects.filter(state=State.REGISTERED).count() == 10
