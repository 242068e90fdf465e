"""What a process reads from the database on every request but seldom changes: the current
deadline policies, a unit's coordinating organisation, the active triage model, the
categories' keywords (changed by administrators a few times a year), and the statistics'
edge rows (keyed by the fold's watermark).

Each process keeps what it read for at most ``seconds`` and forgets it at once when the
change is made in that process (the apps connect :meth:`Memo.forget` to the models'
save and delete signals; everything is forgotten after a flush, a migration or a restore).
A change made elsewhere reaches every server within that time.
Nothing that decides who may see what is kept here: scopes and roles are read per request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Hashable
from typing import Any, Generic, TypeVar

V = TypeVar("V")

_ALL: list[Memo[Any]] = []


class Memo(Generic[V]):
    def __init__(
        self, name: str, *, seconds: float = 60.0, size: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.name = name
        self.clock = clock
        self.seconds = seconds
        self.size = size
        self._values: dict[Hashable, tuple[float, V]] = {}
        self._lock = threading.Lock()
        _ALL.append(self)

    def get(self, key: Hashable, read: Callable[[], V]) -> V:
        now = self.clock()
        hit = self._values.get(key)
        if hit is not None and now - hit[0] < self.seconds:
            return hit[1]
        value = read()
        with self._lock:
            if len(self._values) >= self.size:
                self._values.clear()  # a crude bound: refilling costs one read per key
            self._values[key] = (now, value)
        return value

    def get_many(
        self, keys: Collection[Hashable], read: Callable[[set[Hashable]], dict[Hashable, V]]
    ) -> dict[Hashable, V]:
        """The value of each of ``keys``: those kept, and the rest read together by
        ``read(missing)``, which answers every key it is given (a batch of cases names many
        places; one statement for all of them rather than one each)."""
        now = self.clock()
        found: dict[Hashable, V] = {}
        missing: set[Hashable] = set()
        for key in keys:
            hit = self._values.get(key)
            if hit is not None and now - hit[0] < self.seconds:
                found[key] = hit[1]
            else:
                missing.add(key)
        if missing:
            values = read(missing)
            with self._lock:
                if len(self._values) + len(missing) > self.size:
                    self._values.clear()
                for key in missing:
                    self._values[key] = (now, values[key])
            found.update((key, values[key]) for key in missing)
        return found

    def forget(self, *args: Any, **kwargs: Any) -> None:
        """Forget everything (also a signal receiver, hence the arguments)."""
        with self._lock:
            self._values.clear()

    def __repr__(self) -> str:
        return f"<Memo {self.name}: {len(self._values)} kept for {self.seconds:g} s>"


def forget_all(*args: Any, **kwargs: Any) -> None:
    """Forget every memo of this process: after a flush, a migration or a restore, which
    replace rows without save signals, and in tests, whose rolled-back transactions send
    none (also a signal receiver, hence the arguments)."""
    for memo in _ALL:
        memo.forget()
