"""Dashboards and statistics read from a PostgreSQL replica when one is configured.

A province's leaders open dashboards all day; their reads are heavy and may be a second
stale, so they go to a streaming replica (`DATABASE_REPLICA_URL`) and leave the primary to
the closed loop. Only code inside `statistics_reads()` reads from it; everything else —
logins, sessions, case work, the rollup fold — stays on the primary. Without a replica the
context changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
_reading_from: ContextVar[str | None] = ContextVar("reading_from", default=None)


@contextmanager
def statistics_reads() -> Iterator[None]:
    """Reads inside go to the replica, if there is one."""
    token = _reading_from.set(REPLICA if REPLICA in settings.DATABASES else None)
    try:
        yield
    finally:
        _reading_from.reset(token)


@contextmanager
def on_primary() -> Iterator[None]:
    """Reads inside go to the primary, even within `statistics_reads()`: the fold reads
    the watermark and the new events it is about to write from."""
    token = _reading_from.set(None)
    try:
        yield
    finally:
        _reading_from.reset(token)


def statistics_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page of figures: the login is read from the primary (a session made a moment ago
    may not have reached the replica), the figures from the replica."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:  # resolves the lazy user on the primary
            with statistics_reads():
                return view(request, *args, **kwargs)
        return view(request, *args, **kwargs)

    return wrapped


class ReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return _reading_from.get()

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica is a copy of the primary: the same rows

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == "default"
