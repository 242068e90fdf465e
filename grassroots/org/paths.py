"""The materialised path of the unit tree.

A unit's path is its parent's path followed by its own primary key in base 36, padded
to a fixed width, so a subtree is the half-open range ``[path, path + "~")``: one
B-tree range scan on SQLite and PostgreSQL alike, with no LIKE and no recursive query.
``~`` sorts after every base-36 digit under binary ("C") collation, which
:class:`PathField` asks for.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

SEGMENT_WIDTH = 6  # 36**6 ≈ 2.2 billion units
PATH_MAX_LENGTH = SEGMENT_WIDTH * 8
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_UPPER_BOUND = "~"


def segment(pk: int) -> str:
    if pk <= 0:
        raise ValueError("a unit path segment needs a saved primary key")
    out = ""
    n = pk
    while n:
        n, r = divmod(n, 36)
        out = _DIGITS[r] + out
    if len(out) > SEGMENT_WIDTH:
        raise ValueError(f"primary key {pk} does not fit a path segment")
    return out.rjust(SEGMENT_WIDTH, "0")


def ancestor_paths(path: str) -> list[str]:
    """Paths of every ancestor of ``path`` and of ``path`` itself, root first."""
    return [path[:end] for end in range(SEGMENT_WIDTH, len(path) + 1, SEGMENT_WIDTH)]


def within_q(field: str, paths: list[str]) -> Q:
    """Rows whose ``field`` lies in the subtree of any of ``paths``; no paths, no rows."""
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__gte": path, f"{field}__lt": path + _UPPER_BOUND})
    return q


def minimal_cover(paths: list[str]) -> list[str]:
    """Drop every path that lies inside another, so a scope is a few disjoint ranges."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return kept


class PathField(models.CharField):  # type: ignore[type-arg]  # CharField generics are stub-only
    """A CharField compared byte by byte on every database.

    PostgreSQL's default collation (e.g. en_US.UTF-8) may order punctuation and case
    unlike bytes, which would break the range trick above; "C" collation makes the
    B-tree order plain byte order. SQLite compares with BINARY by default.
    """

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params
