"""The time the domain acts at. Normally the wall clock; the demo builder pins it to
replay months of history through the same services (``with clock.pinned(day): ...``).
Audit entries keep the real time: they record when an act was really done."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import date, datetime, timedelta

from django.utils import timezone

_offset: ContextVar[timedelta] = ContextVar("clock_offset", default=timedelta(0))


def now() -> datetime:
    return timezone.now() + _offset.get()


def today() -> date:
    return timezone.localtime(now()).date()


@contextlib.contextmanager
def pinned(at: datetime) -> Iterator[None]:
    """Act as if it were ``at`` (time still moves on from there)."""
    token = _offset.set(at - timezone.now())
    try:
        yield
    finally:
        _offset.reset(token)
