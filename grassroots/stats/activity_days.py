"""The activity figures of a subtree and a period, kept per unit and day as work happens.

A province's dashboard counts the year's receptions, visits, grid meetings and outreach
of every unit below it: read from the activities themselves that is an index scan of
every activity held in the province that year (130,000 at ten million cases), on every
page. Each activity recorded, held or counting one more visitor instead moves its
figures into the day rows of its unit and every unit above it (``activity_changed``, in
the same transaction), so the province's year is read from its own 365 rows.

``FIGURES`` defines each figure once; the Python tally of one activity and the SQL of a
rebuild are both made from it, and the tests hold them equal.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, F, IntegerField, Max, Q, Sum, Value, When
from django.db.models.functions import Length, Substr, TruncDate
from django.utils import timezone

from grassroots.activities.choices import ActivityKind, ActivityState
from grassroots.activities.models import Activity
from grassroots.org.paths import SEGMENT_WIDTH, ancestor_paths
from grassroots.shards import SHARD_WIDTH, of_path
from grassroots.stats.models import ACTIVITY_COUNTERS, ActivityDay
from grassroots.stats.rollups import add_counters

RECEPTION_KINDS = (ActivityKind.RECEPTION_DAY, ActivityKind.DOWN_VISIT, ActivityKind.ON_SITE_OFFICE)
VISIT_KINDS = (ActivityKind.DOWN_VISIT, ActivityKind.DOOR_TO_DOOR)
OUTREACH_KINDS = (ActivityKind.OUTREACH, ActivityKind.TECHNICAL_GUIDANCE)

# figure: (the kinds of held activity it counts, the column it sums — None: one each)
FIGURES: dict[str, tuple[tuple[str, ...], str | None]] = {
    "reception_batches": (RECEPTION_KINDS, "batches"),
    "reception_persons": (RECEPTION_KINDS, "persons"),
    "visits": (VISIT_KINDS, None),
    "grid_meetings": ((ActivityKind.GRID_MEETING,), None),
    "outreach": (OUTREACH_KINDS, None),
    "outreach_audience": (OUTREACH_KINDS, "persons"),
}
assert tuple(FIGURES) == ACTIVITY_COUNTERS


def _day(moment: Any) -> date:
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def figures_of(activity: Activity | None) -> dict[str, int]:
    """What one activity counts for: nothing until it is held."""
    if activity is None or activity.state != ActivityState.HELD:
        return dict.fromkeys(FIGURES, 0)
    return {
        name: (1 if column is None else int(getattr(activity, column))) if activity.kind in kinds else 0
        for name, (kinds, column) in FIGURES.items()
    }


def tally(changes: Iterable[tuple[Activity | None, Activity | None]]) -> None:
    """Move each change's figures (before → after) into the day rows of its unit and every
    unit above it: one statement for all."""
    deltas: dict[tuple[str, date], dict[str, int]] = {}
    for before, after in changes:
        for activity, sign in ((before, -1), (after, 1)):
            counts = figures_of(activity)
            if activity is None or not any(counts.values()):
                continue
            day = _day(activity.starts_at)
            for path in ancestor_paths(activity.unit_path):
                bucket = deltas.setdefault((path, day), dict.fromkeys(FIGURES, 0))
                for name, n in counts.items():
                    bucket[name] += sign * n
    rows = [
        (path, day, of_path(path), *(counts[c] for c in ACTIVITY_COUNTERS))
        for (path, day), counts in deltas.items()
        if any(counts.values())
    ]
    add_counters(
        ActivityDay, ("unit_path", "day", "shard"), rows, counters=ACTIVITY_COUNTERS, conflict=("unit_path", "day")
    )


def on_activity_changed(sender: Any, before: Activity | None, after: Activity | None, **kwargs: Any) -> None:
    tally([(before, after)])


def sums(path: str, start: date, end: date) -> dict[str, int]:
    """The figures of the subtree at ``path`` from ``start`` to ``end`` (days, inclusive)."""
    rows = ActivityDay.objects.filter(unit_path=path, day__gte=start, day__lte=end)
    totals = rows.aggregate(**{c: Sum(c) for c in ACTIVITY_COUNTERS})
    return {c: int(totals[c] or 0) for c in ACTIVITY_COUNTERS}


def rebuild() -> int:
    """Throw the day rows away and count every held activity again; returns the rows made.
    One ``INSERT … SELECT`` per depth of the tree: the database does the counting."""
    # Only the kinds some figure counts: a mediation or a working day would make rows of zeros.
    counted = sorted({kind for kinds, _column in FIGURES.values() for kind in kinds})
    held = Activity.objects.filter(state=ActivityState.HELD, kind__in=counted)
    deepest = held.aggregate(n=Max(Length("unit_path")))["n"] or 0
    made = 0
    table = ActivityDay._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # DELETE would leave every old row behind as dead space
            cursor.execute(f"TRUNCATE {table}")
        else:
            ActivityDay.objects.all().delete()
        columns = ", ".join(("unit_path", "shard", "day", *ACTIVITY_COUNTERS))
        for width in range(SEGMENT_WIDTH, deepest + 1, SEGMENT_WIDTH):
            select = (
                held.alias(depth=Length("unit_path"))
                .filter(depth__gte=width)
                .annotate(
                    at_path=Substr("unit_path", 1, width),
                    at_shard=Substr("unit_path", 1, SHARD_WIDTH),
                    on_day=TruncDate("starts_at", tzinfo=timezone.get_default_timezone()),
                )
                .values("at_path", "at_shard", "on_day")
                .annotate(**{name: _summed(kinds, column) for name, (kinds, column) in FIGURES.items()})
                .order_by()
            )
            sql, params = select.query.sql_with_params()
            cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)
            made += int(cursor.rowcount)
    return made


def _summed(kinds: tuple[str, ...], column: str | None) -> Sum:
    counted = Value(1) if column is None else F(column)
    return Sum(Case(When(Q(kind__in=kinds), then=counted), default=Value(0), output_field=IntegerField()))
