"""The distribution column a move to Citus shards by (docs/decisions/0006).

Every table that grows with the work carries ``shard``: the first segment of the place's
materialised path, i.e. the top-level unit (a province) its rows belong to. A province's
cases, their timelines, suggestions and statistics then share one value, and Citus can keep
them on one node. On one PostgreSQL or SQLite node the column is only carried.

The value is filled by the field itself when a row is saved or bulk-created (Django asks
every field's ``pre_save`` on both paths), from the first of its ``sources`` that is set:
a path (the row's own ``unit_path``), a unit, or a parent row that is sharded itself.
Raw SQL that inserts such rows (the statistics' rebuild and fold, the benchmark's loader)
writes it explicitly, and ``misplaced_rows`` checks every table against its sources.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import connection, models

from grassroots.org.paths import SEGMENT_WIDTH

SHARD_WIDTH = SEGMENT_WIDTH


def of_path(path: str) -> str:
    """The shard of any row placed at ``path``: its top-level unit's segment."""
    if len(path) < SHARD_WIDTH:
        raise ValueError(f"{path!r} is not a unit path")
    return path[:SHARD_WIDTH]


class ShardField(models.CharField):  # type: ignore[type-arg]  # CharField generics are stub-only
    """``shard``: the top-level unit's path segment, filled from ``sources`` on write.

    A source is a dotted attribute path from the row: ending at a string it is a unit
    path, at an integer a unit's id, at a unit its path is taken, at a sharded row its
    shard. It never changes after the row is made: a row that moved shard would have to
    move node.
    """

    description = "The top-level unit's path segment (the Citus distribution column)"

    def __init__(self, *args: Any, sources: tuple[str, ...] = (), **kwargs: Any) -> None:
        self.sources = tuple(sources)
        kwargs.setdefault("max_length", SHARD_WIDTH)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["sources"] = self.sources
        if kwargs.get("max_length") == SHARD_WIDTH:
            del kwargs["max_length"]
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"  # like the paths it is cut from
        return params

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if not value:
            value = self.shard_of(model_instance)
            setattr(model_instance, self.attname, value)
        return value

    def shard_of(self, instance: models.Model) -> str:
        for source in self.sources:
            value: Any = instance
            for name in source.split("."):
                value = getattr(value, name, None)
                if value is None:
                    break
            if value is None or value == "":
                continue
            if isinstance(value, str):
                return of_path(value)
            if isinstance(value, int):  # a unit's id (the statistics keep ids, not keys)
                value = apps.get_model("org", "Unit").objects.only("path").get(pk=value)
            shard = getattr(value, "shard", None) or (of_path(value.path) if getattr(value, "path", "") else None)
            if shard:
                return str(shard)
        raise ValueError(f"a {instance._meta.verbose_name} needs one of {', '.join(self.sources)} to know its shard")


def sharded_models() -> list[type[models.Model]]:
    """The models whose tables Citus distributes, in an order where parents come first."""
    found = [m for m in apps.get_models() if _is_sharded(m)]
    ordered: list[type[models.Model]] = []
    while found:
        for model in found:
            if all(parent in ordered or parent is model for parent in _sharded_parents(model)):
                ordered.append(model)
                found.remove(model)
                break
        else:  # a cycle through sharded parents: cannot happen with sources as written
            ordered.extend(found)
            break
    return ordered


def _is_sharded(model: Any) -> bool:
    return any(isinstance(f, ShardField) for f in model._meta.local_fields)


def shard_field(model: type[models.Model]) -> ShardField:
    field = model._meta.get_field("shard")
    assert isinstance(field, ShardField)
    return field


def _sharded_parents(model: type[models.Model]) -> list[type[models.Model]]:
    parents = []
    for source in shard_field(model).sources:
        current: Any = model
        for name in source.split("."):
            field = current._meta.get_field(name)
            if not field.is_relation:
                break
            current = field.related_model
            if _is_sharded(current):
                parents.append(current)
                break
    return parents


def expected_shard_sql(model: type[models.Model]) -> str:
    """A SQL expression, over ``model``'s table, for the shard its sources give."""
    choices = []
    for source in shard_field(model).sources:
        current: Any = model
        alias = model._meta.db_table
        tables: list[str] = []
        where = ""
        for depth, name in enumerate(source.split(".")):
            field = current._meta.get_field(name)
            if not field.is_relation and isinstance(field, models.IntegerField):  # a unit's id
                unit = apps.get_model("org", "Unit")._meta.db_table
                tables.append(f"{unit} u" if not tables else f"JOIN {unit} u ON u.id = {alias}.{field.column}")
                where = where or f"u.id = {alias}.{field.column}"
                expression = f"SUBSTR(u.path, 1, {SHARD_WIDTH})"
                break
            if not field.is_relation:
                expression = f"SUBSTR({alias}.{field.column}, 1, {SHARD_WIDTH})"
                break
            target = field.related_model
            joined = f"s{depth}"
            on = f"{joined}.{target._meta.pk.column} = {alias}.{field.column}"
            if tables:
                tables.append(f"JOIN {target._meta.db_table} {joined} ON {on}")
            else:
                tables.append(f"{target._meta.db_table} {joined}")
                where = on
            alias, current = joined, target
            if _is_sharded(current):
                expression = f"{alias}.shard"
                break
        else:
            expression = f"SUBSTR({alias}.path, 1, {SHARD_WIDTH})"
        choices.append(f"(SELECT {expression} FROM {' '.join(tables)} WHERE {where})" if tables else expression)
    return choices[0] if len(choices) == 1 else f"COALESCE({', '.join(choices)})"


def misplaced_rows(model: type[models.Model]) -> int:
    """How many of ``model``'s rows carry a shard other than their sources give."""
    table = model._meta.db_table
    expected = expected_shard_sql(model)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {table} WHERE shard IS NULL OR ({expected}) IS NULL OR shard <> {expected}"
        )
        return int(cursor.fetchone()[0])
