"""The API describes itself: an OpenAPI schema and a docs page that work offline."""

from __future__ import annotations

import pytest
import yaml

pytestmark = pytest.mark.django_db


def test_schema_lists_the_org_endpoints(world, as_user):
    response = as_user(world.street_staff).get("/api/v1/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert {"/api/v1/units/", "/api/v1/units/{code}/", "/api/v1/people/{code}/reveal-phone/"} <= set(schema["paths"])
    params = {p["name"] for p in schema["paths"]["/api/v1/units/"]["get"]["parameters"]}
    assert {"within", "level", "cursor"} <= params


def test_docs_page_uses_vendored_assets(world, as_user):
    page = as_user(world.street_staff).get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in page and "cdn" not in page.lower()


def test_token_authentication(world, client):
    from grassroots.conftest import PASSWORD

    token = client.post("/api/v1/auth/token/", {"username": "street", "password": PASSWORD}).json()["token"]
    response = client.get("/api/v1/units/", HTTP_AUTHORIZATION=f"Token {token}")
    assert {u["code"] for u in response.json()["results"]} == {
        world.liyang.code,
        world.changlin.code,
        world.changlin_grid.code,
    }


def test_a_bad_filter_value_gets_a_field_specific_400(world, as_user):
    response = as_user(world.street_staff).get("/api/v1/units/", {"level": "nine"})
    assert response.status_code == 400 and "level" in response.json()


def test_the_schema_generates_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/v1/cases/{number}/assign/" in (tmp_path / "schema.yaml").read_text()
