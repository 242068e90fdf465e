"""Fuzzing the Open311 endpoint with schemathesis against its own OpenAPI description
(``/open311/v2/openapi.json``), in process and bounded: no server errors, every answer as
documented — reports posted with a valid key and with garbage alike."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from grassroots.open311 import services
from grassroots.open311.openapi import document

MAX_EXAMPLES = 25  # per operation: seven operations, well under a minute


def open311_schema() -> Any:
    from django.core.wsgi import get_wsgi_application

    loaded = schemathesis.openapi.from_dict(document("/open311/v2"))
    loaded.app = get_wsgi_application()
    return loaded


schema = open311_schema()


pytestmark = pytest.mark.usefixtures("wsgi_keeps_the_connection")


@pytest.fixture
def key(world: Any) -> str:
    return services.issue_key(actor=None, name="fuzzing app", per_minute=10_000)[1]


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_open311_never_fails_under_generated_requests(case: Any, key: str) -> None:
    if case.method == "POST" and isinstance(case.body, dict) and len(str(case.body.get("api_key"))) % 2:
        case.body["api_key"] = key  # half the reports with a real key, to reach the intake behind it
    case.call_and_validate(
        headers={"Accept-Language": "en"},
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )


def test_the_description_is_served_with_this_servers_address(client: Any, world: Any) -> None:
    served = client.get("/open311/v2/openapi.json").json()
    assert served["servers"] == [{"url": "http://testserver/open311/v2"}]
    assert set(served["paths"]) == set(document()["paths"])


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60) | st.sampled_from(
    [
        "'; DROP TABLE cases_case; --",
        "<script>alert(1)</script>",
        "{{ settings.SECRET_KEY }}",
        "../../etc/passwd",
        "\x00",
    ]
)


def as_json_schema(schema: Any) -> Any:
    """OpenAPI 3.0's ``nullable`` as JSON Schema's null type, for jsonschema."""
    if isinstance(schema, list):
        return [as_json_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: as_json_schema(v) for k, v in schema.items() if k != "nullable"}
    if schema.get("nullable"):
        out["type"] = [schema["type"], "null"]
    return out


REQUIRED_ANSWER: dict[str, dict[str, Any]] = {
    "roads": {"attribute[size]": "small"},
    "drainage": {"attribute[overflow]": "yes"},
    "noise": {"attribute[when][]": ["night", "weekend"]},
}


@pytest.mark.django_db
@given(
    service=st.sampled_from(["roads", "roads", "roads", "noise", "drainage", "drainage", "no-such-service", ""]),
    description=st.one_of(TEXT, TEXT, st.text(min_size=3990, max_size=4010)),
    address=st.sampled_from(["长林社区3号楼前", "Changlin, by the gate"]) | TEXT,
    first=TEXT,
    last=TEXT,
    email=st.one_of(st.just(""), st.just("resident@example.cn"), TEXT),
    phone=TEXT,
    garbage=st.dictionaries(st.sampled_from(["when", "overflow", "since", "vehicles", "nope"]), TEXT, max_size=2),
    answer_well=st.booleans(),
)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_reports_with_a_real_key_and_any_text_are_made_or_refused_plainly(
    client: Any,
    key: str,
    service: str,
    description: str,
    address: str,
    first: str,
    last: str,
    email: str,
    phone: str,
    garbage: dict[str, str],
    answer_well: bool,
) -> None:
    from jsonschema import Draft4Validator

    from grassroots.cases.models import Case

    form: dict[str, Any] = {
        "api_key": key,
        "service_code": service,
        "description": description,
        "address_string": address,
        "first_name": first,
        "last_name": last,
        "email": email,
        "phone": phone,
        **{f"attribute[{code}]": value for code, value in garbage.items()},
    }
    if answer_well:  # the required question answered as asked, and nothing else
        form = {k: v for k, v in form.items() if not k.startswith("attribute[")} | REQUIRED_ANSWER.get(service, {})
    before = Case.objects.count()
    response = client.post("/open311/v2/requests.json", form, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code in (201, 400, 404), response.content  # 404: no such service_code
    documented = document()["paths"]["/requests.{format}"]["post"]["responses"][str(response.status_code)]
    Draft4Validator(as_json_schema(documented["content"]["application/json"]["schema"])).validate(response.json())
    made = Case.objects.count() - before
    if response.status_code == 201:
        assert made == 1  # and the text is stored as sent, never run
        assert description.strip() in Case.objects.latest("id").description
    else:
        assert made == 0 and response.json()[0]["description"]
