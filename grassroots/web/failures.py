"""What a client is told when the fault is the database's, not theirs or ours.

While PostgreSQL restarts, fails over to a replica or drops connections, every request
fails. A plain 500 says "our bug, do not retry"; these failures are over in seconds and a
retry is safe (intake takes an Idempotency-Key, acts take the `version` the actor saw), so
the answer is 503 with `Retry-After` and a body that says so. Anything else stays a 500.

Django turns an exception anywhere in the request (view or middleware) into a response
through `handler500`, with the exception still being handled, so that is where it is read.
"""

from __future__ import annotations

import logging
import sys

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
# SQLSTATE classes and codes that mean "try again": connection exceptions (08), the server
# shutting down or starting (57P01-57P03), serialization failures and deadlocks (40001, 40P01).
RETRYABLE_CLASSES = ("08",)
RETRYABLE_CODES = {"57P01", "57P02", "57P03", "40001", "40P01"}


def is_retryable(error: BaseException | None) -> bool:
    """Whether ``error`` is the database being unreachable or busy, not a fault in a query."""
    if not isinstance(error, DatabaseError):
        return False
    cause = error.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate:
        return sqlstate.startswith(RETRYABLE_CLASSES) or sqlstate in RETRYABLE_CODES
    module = type(cause).__module__ if cause is not None else ""
    if module.startswith("psycopg"):
        # No SQLSTATE: the server could not be reached or the connection broke mid-query.
        return type(cause).__name__ in {"OperationalError", "InterfaceError"}
    # SQLite: a writer held the lock longer than the busy timeout.
    return "database is locked" in str(error)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 handler: a retryable 503 when the database is away, else a 500."""
    error = sys.exc_info()[1]
    if not is_retryable(error):
        return defaults.server_error(request)
    log.warning("database unavailable (%s); answered 503", error)
    message = _(
        "The service is briefly unavailable. Please send the same request again in a few seconds: "
        "a case sent with its Idempotency-Key is never made twice."
    )
    response: HttpResponse
    if request.path.startswith("/open311/"):
        response = JsonResponse([{"code": 503, "description": message}], safe=False, status=503)
    elif request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "code": "unavailable", "retryable": True}, status=503)
    else:
        response = HttpResponse(
            f'<!doctype html><meta charset="utf-8"><title>503</title><p>{message}</p>',
            status=503,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
