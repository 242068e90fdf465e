"""Where the current act comes from (IP, user agent, channel), carried without threading
request objects through every service call."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse


@dataclass(frozen=True)
class Origin:
    channel: str
    ip: str | None = None
    user_agent: str = ""


_CLI = Origin(channel="cli")
_origin: ContextVar[Origin] = ContextVar("audit_origin", default=_CLI)


def acting_user(actor: Any) -> Any:
    """The login behind an act, or None for the system or an anonymous visitor (a task, a
    command, a resident's report): what an act's ``created_by`` and audit entry record."""
    return actor if getattr(actor, "is_authenticated", False) else None


def current_origin() -> Origin:
    return _origin.get()


@contextlib.contextmanager
def origin(value: Origin) -> Iterator[None]:
    token = _origin.set(value)
    try:
        yield
    finally:
        _origin.reset(token)


class AuditOriginMiddleware:
    """Marks everything a request does with its address and channel (web or api)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        channel = "api" if request.path.startswith(("/api/", "/open311/")) else "web"
        value = Origin(
            channel=channel,
            ip=request.META.get("REMOTE_ADDR"),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        )
        with origin(value):
            return self.get_response(request)
