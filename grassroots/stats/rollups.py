"""Folding the timeline into the rollups, and rebuilding them from scratch."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.db import OperationalError, connection, transaction

from grassroots.cases.choices import Feedback
from grassroots.cases.models import Case, CaseEvent
from grassroots.org.choices import Level
from grassroots.org.models import Unit
from grassroots.org.paths import SEGMENT_WIDTH, ancestor_paths
from grassroots.replicas import on_primary
from grassroots.shards import SHARD_WIDTH, of_path
from grassroots.stats.models import COUNTERS, TOTAL_OF, CaseDay, CaseFact, Grain, Rollup, Watermark

Key = tuple[int, str, date, int, str, str]  # unit_id, unit_path, day, category, channel, kind
# grain, unit_id, parent_id, day or month, category, channel, kind, shard (the unit's)
RollupKey = tuple[str, int, int | None, date, int, str, str, str]

# Units this high keep month rows: below them a unit's year is a few thousand leaf day
# rows anyway, and month rows would be as many as its cases.
MONTH_GRAIN_LEVEL = Level.TOWNSHIP
# Units this high keep day rows too: a province's partial month, or its cities', would
# otherwise be summed from hundreds of thousands of leaf rows; a county's is thousands.
DAY_GRAIN_LEVEL = Level.CITY


def facts_select() -> tuple[list[str], Any]:
    """Every case's fact (what the rollups count of it) as one SELECT: the fact's column
    names, and the query. The one definition of a fact: a rebuild inserts these rows, a
    fold reads them for the cases it folds."""
    from django.db.models import BooleanField, ExpressionWrapper, F, Q, Value, When
    from django.db.models import Case as Cases
    from django.db.models.functions import Coalesce, TruncDate

    def flag(q: Q) -> ExpressionWrapper[Q]:
        return ExpressionWrapper(q, output_field=BooleanField())

    def local_day(field: str, only: Q | None = None) -> Any:
        if only is None:
            return TruncDate(field)
        return Cases(When(only, then=TruncDate(field)), default=None)

    resolved = Q(resolved_at__isnull=False)
    columns = {
        "case_id": F("id"),
        "unit_id": F("unit"),
        "unit_path": F("unit_path"),
        "shard": F("shard"),
        "category_key": Coalesce("category", Value(0)),
        "channel": F("channel"),
        "kind": F("kind"),
        "received_on": TruncDate("registered_at"),
        "accepted_on": local_day("accepted_at"),
        "declined_on": local_day("closed_at", Q(state__in=["declined", "not_reaccepted"])),
        "resolved_on": local_day("resolved_at"),
        "closed_on": local_day("closed_at", Q(state="closed")),
        "judged_on": local_day("feedback_at", ~Q(feedback="")),
        "backlog": flag(resolved & Q(was_backlog=True)),
        "difficult": flag(resolved & Q(is_difficult=True)),
        "urgent": flag(resolved & Q(is_urgent=True)),
        "on_time": Cases(
            When(resolved & Q(handling_due_at__isnull=False), then=flag(Q(resolved_at__lte=F("handling_due_at")))),
            default=None,
            output_field=BooleanField(),
        ),
        "satisfied": Cases(
            When(~Q(feedback=""), then=flag(Q(feedback__in=[Feedback.SATISFIED, Feedback.BASICALLY_SATISFIED]))),
            default=None,
            output_field=BooleanField(),
        ),
        "suggestion_taken": F("suggestion__taken"),
    }
    aliases = {f"fact_{name}": expression for name, expression in columns.items()}
    select = Case.objects.order_by().annotate(**aliases).values(*aliases)
    # The INSERT names its columns in this order: make sure the SELECT keeps it.
    assert list(select.query.annotation_select) == list(aliases), "facts_select lost its column order"
    return list(columns), select


def _contribution(fact: CaseFact, sign: int, into: dict[Key, dict[str, int]]) -> None:
    base = (fact.unit_id, fact.unit_path)
    rest = (fact.category_key, fact.channel, fact.kind)

    def add(day: date | None, **counts: int) -> None:
        if day is None:
            return
        bucket = into[(*base, day, *rest)]
        for name, n in counts.items():
            bucket[name] += sign * n

    add(
        fact.received_on,
        received=1,
        suggested=int(fact.suggestion_taken is not None),
        suggestion_taken=int(bool(fact.suggestion_taken)),
    )
    add(fact.accepted_on, accepted=1)
    add(fact.declined_on, declined=1)
    add(
        fact.resolved_on,
        resolved=1,
        backlog_resolved=int(fact.backlog),
        difficult_resolved=int(fact.difficult),
        urgent_resolved=int(fact.urgent),
        timed=int(fact.on_time is not None),
        on_time=int(bool(fact.on_time)),
    )
    add(fact.closed_on, closed=1)
    add(fact.judged_on, judged=int(fact.satisfied is not None), satisfied=int(bool(fact.satisfied)))


def add_counters(
    model: Any,
    key_columns: tuple[str, ...],
    rows: list[tuple[Any, ...]],
    counters: tuple[str, ...] = COUNTERS,
    conflict: tuple[str, ...] | None = None,
) -> None:
    """Add counters into their buckets, creating the missing ones (both databases know
    ``ON CONFLICT ... DO UPDATE``). On PostgreSQL one statement takes every row, as
    arrays: run row by row, each would be parsed and planned again. ``conflict``: the
    bucket's unique key, by default the key columns but the path, parent and shard."""
    if not rows:
        return
    table = model._meta.db_table
    columns = (*key_columns, *counters)
    if conflict is None:
        conflict = tuple(c for c in key_columns if c not in ("unit_path", "parent_id", "shard"))
    on_conflict = f"ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET " + ", ".join(
        f"{c} = {table}.{c} + excluded.{c}" for c in counters
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = [model._meta.get_field(c).db_type(connection) for c in columns]
            arrays = ", ".join(f"%s::{t}[]" for t in types)
            sql = f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM unnest({arrays}) {on_conflict}"
            cursor.execute(sql, [list(column) for column in zip(*rows, strict=True)])
        else:
            values = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({values}) {on_conflict}", rows)


def _insert(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Rows of plain values: COPY on PostgreSQL, else one statement run for each row
    (``bulk_create`` would prepare each value of each row through its field — most of a
    fold's time)."""
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})", rows)


def _apply(deltas: dict[Key, dict[str, int]]) -> None:
    changed = {key: counts for key, counts in deltas.items() if any(counts.values())}
    add_counters(
        CaseDay,
        ("unit_id", "unit_path", "day", "category_key", "channel", "kind", "shard"),
        [(*key, of_path(key[1]), *(counts[c] for c in COUNTERS)) for key, counts in changed.items()],
    )
    add_counters(
        Rollup,
        ("grain", "unit_id", "parent_id", "day", "category_key", "channel", "kind", "shard"),
        [(*key, *(counts[c] for c in COUNTERS)) for key, counts in _up_the_tree(changed).items()],
    )


def _up_the_tree(leaf: dict[Key, dict[str, int]]) -> dict[RollupKey, dict[str, int]]:
    """The leaf buckets' deltas, added to every ancestor's month (and high ones' day)."""
    paths = {p for (_u, path, *_rest) in leaf for p in ancestor_paths(path)}
    ancestors = {
        path: (pk, parent, level)
        for pk, parent, level, path in Unit.objects.filter(path__in=paths).values_list(
            "pk", "parent_id", "level", "path"
        )
    }
    out: dict[RollupKey, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    for (_unit, path, day, category, channel, kind), counts in leaf.items():
        for ancestor_path in ancestor_paths(path):
            if ancestor_path not in ancestors:
                continue
            pk, parent, level = ancestors[ancestor_path]
            if level > MONTH_GRAIN_LEVEL:
                continue
            month = day.replace(day=1)
            shard = of_path(ancestor_path)
            keys = [
                (Grain.MONTH.value, pk, parent, month, category, channel, kind, shard),
                (Grain.MONTH_TOTAL.value, pk, parent, month, 0, "", "", shard),
            ]
            if level <= DAY_GRAIN_LEVEL:
                keys.append((Grain.DAY.value, pk, parent, day, category, channel, kind, shard))
                keys.append((Grain.DAY_TOTAL.value, pk, parent, day, 0, "", "", shard))
            for key in keys:
                bucket = out[key]
                for name, n in counts.items():
                    bucket[name] += n
    return out


def settled_event_id() -> int | None:
    """The highest timeline event id below which no transaction can still add an event, or
    None when that cannot be known now.

    PostgreSQL numbers a row when it is inserted, not when its transaction commits: an act
    can insert event 100 and commit after another act's event 101, and a fold that had
    moved its watermark to 101 would never see 100. A SHARE lock on the events waits for
    every transaction writing them to end (new writers queue behind it for that moment);
    the largest id then is settled. SQLite runs one writer at a time, so its largest id
    always is."""
    table = CaseEvent._meta.db_table
    if connection.vendor != "postgresql":
        return CaseEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '5s'")
            cursor.execute(f"LOCK TABLE {table} IN SHARE MODE")
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            return int(cursor.fetchone()[0])
    except OperationalError:  # a long writer (or a VACUUM) holds it: fold at the next turn
        return None


def fold_events(batch: int = 5000) -> int:
    """Fold the timeline events after the watermark into the rollups; returns how many.
    One transaction: the facts, the buckets and the watermark move together. Only settled
    events are folded, so none can appear behind the watermark later."""
    settled = settled_event_id()
    if settled is None:
        return 0
    with transaction.atomic():
        mark, _created = Watermark.objects.select_for_update().get_or_create(name="cases")
        events = list(
            CaseEvent.objects.filter(id__gt=mark.last_event_id, id__lte=settled)
            .order_by("id")
            .values_list("id", "case_id")[:batch]
        )
        if not events:
            return 0
        case_ids = {case_id for _id, case_id in events}
        old = {f.case_id: f for f in CaseFact.objects.filter(case_id__in=case_ids)}
        deltas: dict[Key, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
        # The facts as a rebuild computes them, read once as plain rows: what is counted
        # is exactly what is kept.
        names, select = facts_select()
        rows = list(select.filter(pk__in=case_ids).values_list(*(f"fact_{n}" for n in names)))
        for row in rows:
            fact = CaseFact(**dict(zip(names, row, strict=True)))
            if fact.case_id in old:
                _contribution(old[fact.case_id], -1, deltas)
            _contribution(fact, +1, deltas)
        _apply(deltas)
        CaseFact.objects.filter(case_id__in=case_ids).delete()
        _insert(CaseFact._meta.db_table, names, rows)
        Watermark.objects.filter(pk=mark.pk).update(last_event_id=events[-1][0])
    return len(events)


def fold_all() -> int:
    """Fold everything new. Asked before every statistics answer, so the common case —
    nothing new since the last fold — costs two indexed reads and takes no lock. Always on
    the primary: a replica's watermark and events may be a moment behind."""
    with on_primary():
        return _fold_all()


def _fold_all() -> int:
    folded = Watermark.objects.filter(name="cases").values_list("last_event_id", flat=True).first()
    newest = CaseEvent.objects.order_by("-id").values_list("id", flat=True).first()
    if newest is None or (folded is not None and folded >= newest):
        return 0
    total = 0
    while n := fold_events():
        total += n
    return total


def rebuild() -> int:
    """Throw the rollups away and recompute them from every case; returns the cases seen.

    Everything is done by the database — the facts by ``facts_select``, the buckets
    summed from them — so memory stays flat and ten million cases take minutes. The test
    of rollups holds a rebuild equal to folding after any history."""
    # Settled first, in a moment of its own: the rebuild must not hold writers off for minutes.
    last = settled_event_id()
    if last is None:
        raise OperationalError("timeline events are locked by a long transaction; try the rebuild again")
    with transaction.atomic():
        mark, _created = Watermark.objects.select_for_update().get_or_create(name="cases")
        if connection.vendor == "postgresql":
            # DELETE would leave every old row behind as dead space until a VACUUM FULL.
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {Rollup._meta.db_table}, {CaseDay._meta.db_table}, {CaseFact._meta.db_table}")
        else:
            Rollup.objects.all().delete()
            CaseDay.objects.all().delete()
            CaseFact.objects.all().delete()
        # Every case, even one whose events came after ``last``: folding later replaces its
        # fact, so nothing is counted twice.
        names, select = facts_select()
        with connection.cursor() as cursor, _indexes_built_after(CaseDay, Rollup):
            sql, params = select.query.sql_with_params()
            cursor.execute(f"INSERT INTO {CaseFact._meta.db_table} ({', '.join(names)}) {sql}", params)
            seen = int(cursor.rowcount)
            cursor.execute(_DAYS_FROM_FACTS)
            sum_up_the_tree()
        Watermark.objects.filter(pk=mark.pk).update(last_event_id=last)
    return seen


@contextmanager
def _indexes_built_after(*models: Any) -> Iterator[None]:
    """Drop the models' secondary indexes (and, on PostgreSQL, unique constraints) for a
    bulk load and build them again after it: ten times faster than keeping them up row by
    row. Inside the caller's transaction, so a failed rebuild leaves them as they were."""
    editor = connection.schema_editor(collect_sql=True)
    editor.deferred_sql = []  # only its SQL is wanted: it is not entered, so nothing runs
    for model in models:
        for index in model._meta.indexes:
            editor.remove_index(model, index)
        if connection.vendor == "postgresql":  # SQLite would copy the whole table to drop one
            for constraint in model._meta.constraints:
                editor.remove_constraint(model, constraint)
    dropping, editor.collected_sql = list(editor.collected_sql), []
    for model in models:
        for index in model._meta.indexes:
            editor.add_index(model, index)
        if connection.vendor == "postgresql":
            for constraint in model._meta.constraints:
                editor.add_constraint(model, constraint)
    with connection.cursor() as cursor:
        for sql in dropping:
            cursor.execute(sql)
        yield
        for sql in editor.collected_sql:
            cursor.execute(sql)


def sum_up_the_tree() -> None:
    """Fill the rollups from the leaf day buckets, one depth of the tree at a time."""
    with connection.cursor() as cursor:
        for grain, level in ((Grain.MONTH, MONTH_GRAIN_LEVEL), (Grain.DAY, DAY_GRAIN_LEVEL)):
            for depth in range(1, _deepest(level) + 1):
                cursor.execute(_rollups_from_days(grain, depth, level))
            cursor.execute(
                f"INSERT INTO {Rollup._meta.db_table} (grain, unit_id, parent_id, day, category_key, channel, kind, "
                f"shard, {', '.join(COUNTERS)}) SELECT '{TOTAL_OF[grain].value}', unit_id, parent_id, day, 0, '', '', "
                f"shard, {_SUMS} FROM {Rollup._meta.db_table} WHERE grain = '{grain.value}' "
                "GROUP BY unit_id, parent_id, day, shard"
            )


def _deepest(level: int) -> int:
    """How many path segments deep the units at or above ``level`` go."""
    from django.db.models import Max
    from django.db.models.functions import Length

    longest = Unit.objects.filter(level__lte=level).aggregate(n=Max(Length("path")))["n"] or 0
    return int(longest) // SEGMENT_WIDTH


def _one(flag: str) -> str:
    return f"CASE WHEN {flag} THEN 1 ELSE 0 END"


_SUMS = ", ".join(f"SUM({c})" for c in COUNTERS)
_ZERO = dict.fromkeys(COUNTERS, "0")


def _contribution_sql(day_column: str, **counters: str) -> str:
    values = {**_ZERO, **counters}
    return (
        f"SELECT unit_id, unit_path, shard, {day_column} AS day, category_key, channel, kind, "
        + ", ".join(f"{values[c]} AS {c}" for c in COUNTERS)
        + f" FROM {CaseFact._meta.db_table} WHERE {day_column} IS NOT NULL"
    )


# The same contributions as ``_contribution``, summed by the database.
_DAYS_FROM_FACTS = (
    f"INSERT INTO {CaseDay._meta.db_table} (unit_id, unit_path, shard, day, category_key, channel, kind, "
    f"{', '.join(COUNTERS)}) SELECT unit_id, unit_path, shard, day, category_key, channel, kind, {_SUMS} FROM ("
    + " UNION ALL ".join(
        [
            _contribution_sql(
                "received_on",
                received="1",
                suggested=_one("suggestion_taken IS NOT NULL"),
                suggestion_taken=_one("suggestion_taken"),
            ),
            _contribution_sql("accepted_on", accepted="1"),
            _contribution_sql("declined_on", declined="1"),
            _contribution_sql(
                "resolved_on",
                resolved="1",
                backlog_resolved=_one("backlog"),
                difficult_resolved=_one("difficult"),
                urgent_resolved=_one("urgent"),
                timed=_one("on_time IS NOT NULL"),
                on_time=_one("on_time"),
            ),
            _contribution_sql("closed_on", closed="1"),
            _contribution_sql("judged_on", judged=_one("satisfied IS NOT NULL"), satisfied=_one("satisfied")),
        ]
    )
    + ") contributions GROUP BY unit_id, unit_path, shard, day, category_key, channel, kind"
)


def _rollups_from_days(grain: Grain, depth: int, level: int) -> str:
    """Sum the leaf day buckets into the rows of the units ``depth`` segments deep and at
    or above ``level``: summed by path prefix first, then joined to the few units."""
    width = depth * SEGMENT_WIDTH
    if grain == Grain.MONTH:
        bucket = (
            "CAST(date_trunc('month', day) AS date)"
            if connection.vendor == "postgresql"
            else ("date(day, 'start of month')")
        )
    else:
        bucket = "day"
    return (
        f"INSERT INTO {Rollup._meta.db_table} (grain, unit_id, parent_id, day, category_key, channel, kind, "
        f"shard, {', '.join(COUNTERS)}) "
        f"SELECT '{grain.value}', a.id, a.parent_id, s.bucket, s.category_key, s.channel, s.kind, "
        f"SUBSTR(a.path, 1, {SHARD_WIDTH}), "
        + ", ".join(f"s.{c}" for c in COUNTERS)
        + f" FROM (SELECT SUBSTR(unit_path, 1, {width}) AS prefix, {bucket} AS bucket, category_key, channel, "
        f"kind, {', '.join(f'SUM({c}) AS {c}' for c in COUNTERS)} FROM {CaseDay._meta.db_table} "
        f"WHERE LENGTH(unit_path) >= {width} GROUP BY SUBSTR(unit_path, 1, {width}), {bucket}, category_key, "
        f"channel, kind) s JOIN {Unit._meta.db_table} a ON a.path = s.prefix WHERE a.level <= {int(level)}"
    )
