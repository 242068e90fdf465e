"""Summing the case rollups of a unit's subtree over a period of days.

A period is cut into whole months, read from the unit's own month rows, and the days at
its edges, read from the unit's own day rows when it is high enough to keep them, else
from the leaf day rows of its subtree (which is all a village or grid reads). A
province's year-to-date is then a few thousand rows however many million cases lie below
it, and a street's is what it always was.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.db.models import Max, Q, QuerySet, Sum
from django.db.models.functions import Substr, TruncMonth

from grassroots.memo import Memo
from grassroots.org.models import Unit
from grassroots.org.paths import SEGMENT_WIDTH, within_q
from grassroots.stats.models import COUNTERS, CaseDay, Grain, Rollup, Watermark
from grassroots.stats.rollups import DAY_GRAIN_LEVEL, MONTH_GRAIN_LEVEL, fold_all

GROUPS = (None, "child", "category", "channel", "month")


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def cut(start: date, end: date) -> tuple[tuple[date, date] | None, list[tuple[date, date]]]:
    """The whole months of ``[start, end]`` (first days of the first and last month), and
    the day ranges left over at either edge."""
    first = start if start.day == 1 else _next_month(start)
    after_last = _next_month(end) if _next_month(end) - timedelta(days=1) == end else end.replace(day=1)
    if first >= after_last:
        return None, [(start, end)] if start <= end else []
    edges = []
    if start < first:
        edges.append((start, first - timedelta(days=1)))
    if after_last <= end:
        edges.append((after_last, end))
    last = (after_last - timedelta(days=1)).replace(day=1)
    return (first, last), edges


# Leaf rows of an edge, grouped once for every grouping a page asks: a county's dashboard
# asks for totals, trend, categories and children, and each read of a county's leaf rows
# walks its whole path range (260,000 index entries at ten million cases). Keyed by the
# watermark, as the rows change only when the fold moves it; the minute's limit covers a
# restore, which can bring the watermark back to a value already seen.
_EDGES: Memo[list[tuple[date, dict[str, Any]]]] = Memo("statistics edge rows", size=256)


def _leaf_edge(unit: Unit, first: date, last: date) -> list[tuple[date, dict[str, Any]]]:
    """The subtree's leaf day rows from ``first`` to ``last`` summed by child path, category
    and channel, per month (first day of the month, the row)."""

    def read() -> list[tuple[date, dict[str, Any]]]:
        rows: list[tuple[date, dict[str, Any]]] = []
        piece = first
        while piece <= last:  # an edge can straddle two months
            month = piece.replace(day=1)
            until = min(last, _next_month(piece) - timedelta(days=1))
            grouped = (
                CaseDay.objects.filter(within_q("unit_path", [unit.path]), day__gte=piece, day__lte=until)
                .annotate(child=Substr("unit_path", 1, len(unit.path) + SEGMENT_WIDTH))
                .values("child", "category_key", "channel")
                .annotate(**{c: Sum(c) for c in COUNTERS})
                .order_by()
            )
            rows += [(month, row) for row in grouped]
            piece = until + timedelta(days=1)
        return rows

    mark = Watermark.objects.filter(name="cases").values_list("last_event_id", flat=True).first() or 0
    return _EDGES.get((unit.pk, first, last, mark), read)


def sums(unit: Unit, start: date, end: date, by: str | None, counters: tuple[str, ...]) -> dict[Any, dict[str, int]]:
    """``{group: {counter: total}}`` of the unit's subtree over the period; the group is
    ``None`` for plain totals, else a child unit's id, a category key, a channel or the
    first day of a month."""
    if by not in GROUPS:
        raise ValueError(f"unknown grouping {by!r}")
    fold_all()
    # A unit's children keep month and day rows only if they are high enough themselves.
    level = unit.level
    if by == "child":
        level = Unit.objects.filter(parent=unit).aggregate(lowest=Max("level"))["lowest"] or unit.level + 1
    months, edges = cut(start, end) if level <= MONTH_GRAIN_LEVEL else (None, [(start, end)])
    keeps_days = level <= DAY_GRAIN_LEVEL
    total: dict[Any, dict[str, int]] = defaultdict(lambda: dict.fromkeys(counters, 0))

    def merge(key: Any, row: dict[str, Any]) -> None:
        bucket = total[key]
        for c in counters:
            bucket[c] += int(row[c] or 0)

    def add(rows: Any, key: str | None) -> None:
        if key is None:
            merge(None, rows.aggregate(**{c: Sum(c) for c in counters}))
            return
        for row in rows.values(key).annotate(**{c: Sum(c) for c in counters}).order_by():
            merge(row[key], row)

    by_dimension = by in ("category", "channel")
    month_grain = Grain.MONTH if by_dimension else Grain.MONTH_TOTAL
    day_grain = Grain.DAY if by_dimension else Grain.DAY_TOTAL
    own = Q(parent_id=unit.pk) if by == "child" else Q(unit_id=unit.pk)
    group = {"child": "unit_id", "category": "category_key", "channel": "channel", "month": "day"}.get(by or "")
    if months:
        add(Rollup.objects.filter(own, grain=month_grain, day__gte=months[0], day__lte=months[1]), group)
    for first, last in edges:
        if keeps_days:
            rows: QuerySet[Any] = Rollup.objects.filter(own, grain=day_grain, day__gte=first, day__lte=last)
        else:
            children = dict(Unit.objects.filter(parent=unit).values_list("path", "pk")) if by == "child" else {}
            for month, row in _leaf_edge(unit, first, last):
                key = {
                    None: None,
                    "month": month,
                    "category": row["category_key"],
                    "channel": row["channel"],
                    # The first path segment below the unit names the child a leaf row is under.
                    "child": children.get(row["child"]),
                }[by]
                if by != "child" or key is not None:
                    merge(key, row)
            continue
        if by == "month":
            add(rows.annotate(month=TruncMonth("day")), "month")
        else:
            add(rows, group)
    if by is None:
        total[None]  # a period with nothing in it still has totals (zeros)
    return dict(total)
