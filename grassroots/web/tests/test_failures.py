"""While the database is away, clients are told to retry — not that we have a bug."""

from __future__ import annotations

import psycopg
import pytest
from django import db

from grassroots.web.failures import is_retryable

pytestmark = pytest.mark.django_db


def wrapped(cause: Exception, kind: type[db.DatabaseError] = db.OperationalError) -> db.DatabaseError:
    """A database error as Django raises it: its driver's error as the cause."""
    try:
        try:
            raise cause
        except Exception as driver:
            raise kind(str(driver)) from driver
    except db.DatabaseError as error:
        return error


class Sqlstate(psycopg.OperationalError):
    def __init__(self, code: str) -> None:
        self._code = code
        super().__init__(code)

    @property
    def sqlstate(self) -> str | None:  # type: ignore[override]
        return self._code


@pytest.mark.parametrize(
    ("error", "retry"),
    [
        (wrapped(psycopg.OperationalError("connection refused")), True),  # no server yet
        (wrapped(Sqlstate("57P01")), True),  # the server shutting down
        (wrapped(Sqlstate("08006")), True),  # connection failure
        (wrapped(Sqlstate("40P01")), True),  # deadlock: the other transaction won
        (wrapped(Sqlstate("42P01"), db.ProgrammingError), False),  # no such table: our bug
        (wrapped(Sqlstate("23505"), db.IntegrityError), False),  # a constraint: not a retry
        (db.OperationalError("database is locked"), True),  # SQLite's busy timeout
        (db.OperationalError("no such column: x"), False),
        (ValueError("not the database"), False),
    ],
)
def test_which_failures_are_the_clients_cue_to_retry(error, retry):
    assert is_retryable(error) is retry


@pytest.fixture
def database_away(monkeypatch):
    from grassroots.cases.api.views import CaseViewSet
    from grassroots.open311 import georeport

    def away(*args, **kwargs):
        raise wrapped(psycopg.OperationalError("connection to server at 127.0.0.1 failed: Connection refused"))

    monkeypatch.setattr(CaseViewSet, "list", away)
    monkeypatch.setattr(georeport, "_jurisdiction", away)


def test_the_api_answers_503_with_retry_after(world, client, database_away):
    client.raise_request_exception = False
    client.force_login(world.county_staff)
    response = client.get("/api/v1/cases/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    body = response.json()
    assert body["code"] == "unavailable" and body["retryable"] is True
    assert "Idempotency-Key" in body["detail"]


def test_a_bug_is_still_a_500(world, client, monkeypatch):
    from grassroots.cases.api.views import CaseViewSet

    def bug(*args, **kwargs):
        raise wrapped(Sqlstate("42703"), db.ProgrammingError)  # undefined column

    monkeypatch.setattr(CaseViewSet, "list", bug)
    client.raise_request_exception = False
    client.force_login(world.county_staff)
    response = client.get("/api/v1/cases/")
    assert response.status_code == 500 and "Retry-After" not in response


def test_open311_clients_get_an_open311_error_list(client, database_away):
    client.raise_request_exception = False
    response = client.get("/open311/v2/services.json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    [error] = response.json()
    assert error["code"] == 503 and "briefly unavailable" in error["description"]
