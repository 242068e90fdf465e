"""Fuzzing the REST API with schemathesis, in process and bounded: generated requests for
every operation of the OpenAPI schema, as an administrator over the test county; no
response may be a server error or break the schema."""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

MAX_EXAMPLES = 6  # per operation: the whole run stays under a minute


def api_schema() -> Any:
    from django.core.wsgi import get_wsgi_application
    from drf_spectacular.generators import SchemaGenerator

    raw = json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))
    loaded = schemathesis.openapi.from_dict(raw)
    loaded.app = get_wsgi_application()
    return loaded


schema = api_schema()


pytestmark = pytest.mark.usefixtures("wsgi_keeps_the_connection")


@pytest.fixture
def token(world: Any) -> str:
    from rest_framework.authtoken.models import Token

    key: str = Token.objects.get_or_create(user=world.admin)[0].key
    return key


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_the_api_never_fails_under_generated_requests(case: Any, token: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Token {token}", "Accept-Language": "en"},
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
