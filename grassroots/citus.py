"""The move to Citus, written out from the live schema (docs/decisions/0006).

``conversion_sql`` reads PostgreSQL's catalogue and returns the statements that turn one
node's database into a Citus one sharded by ``shard`` (grassroots.shards): every key and
unique rule of a distributed table widened by the shard, foreign keys between distributed
tables made composite, and the tables declared reference, local or distributed. Everything
but the last step runs on plain PostgreSQL, so the test suite runs it (and rolls it back)
to prove the schema is ready; the ``create_*`` calls need the Citus extension.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import connection

from grassroots.shards import sharded_models

# Kept on the coordinator only. The audit chain is one chain whatever shard an act
# touches; residents' reports arrive before their place (and so their shard) is known,
# and are emptied into cases; the rest is the framework's own bookkeeping.
LOCAL_TABLES = frozenset(
    {
        "audit_auditentry",
        "audit_chainhead",
        "open311_residentreport",
        "open311_photo",
        "open311_failedsecret",
        "django_session",
        "django_admin_log",
        "django_migrations",
    }
)
LOCAL_PREFIXES = ("django_tasks",)
CITUS_CALL = "SELECT create_"
ANCHOR = "cases_case"


@dataclass(frozen=True)
class Constraint:
    name: str
    table: str
    kind: str  # p, u or f
    columns: tuple[str, ...]
    target: str | None
    target_columns: tuple[str, ...]
    definition: str


def placement(table: str, distributed: set[str]) -> str:
    if table in distributed:
        return "distributed"
    if table in LOCAL_TABLES or table.startswith(LOCAL_PREFIXES):
        return "local"
    return "reference"


def _constraints() -> list[Constraint]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.conname, c.conrelid::regclass::text, c.contype,
                   ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i),
                   CASE WHEN c.contype = 'f' THEN c.confrelid::regclass::text END,
                   ARRAY(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
                         JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i),
                   pg_get_constraintdef(c.oid)
            FROM pg_constraint c JOIN pg_namespace s ON s.oid = c.connamespace
            WHERE s.nspname = current_schema() AND c.contype IN ('p', 'u', 'f')
            ORDER BY c.conrelid::regclass::text, c.conname
            """
        )
        return [
            Constraint(name, table, kind, tuple(columns), target, tuple(target_columns or ()), definition)
            for name, table, kind, columns, target, target_columns, definition in cursor.fetchall()
        ]


def _unique_indexes(tables: set[str]) -> list[tuple[str, str, str]]:
    """(index, table, definition) of unique indexes that back no constraint (partial ones)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.relname, t.relname, pg_get_indexdef(x.indexrelid)
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
            JOIN pg_namespace s ON s.oid = t.relnamespace
            WHERE s.nspname = current_schema() AND x.indisunique
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            ORDER BY t.relname, i.relname
            """
        )
        return [row for row in cursor.fetchall() if row[1] in tables]


def _quoted(names: tuple[str, ...] | list[str]) -> str:
    return ", ".join(connection.ops.quote_name(n) for n in names)


def _parents_first(tables: set[str], references: dict[str, set[str]]) -> list[str]:
    ordered: list[str] = []
    pending = sorted(tables)
    while pending:
        ready = [t for t in pending if not (references[t] & set(pending)) - {t}]
        if not ready:  # a cycle (none in this schema): any order works for Citus then
            ready = pending[:1]
        for table in ready:
            ordered.append(table)
            pending.remove(table)
    return ordered


def conversion_sql() -> list[str]:
    """The statements of the move, in order; only the last ones need Citus."""
    if connection.vendor != "postgresql":
        raise RuntimeError("the move to Citus starts from PostgreSQL")
    distributed_models = sharded_models()
    distributed = {m._meta.db_table for m in distributed_models}
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    constraints = _constraints()
    q = connection.ops.quote_name
    dropped: list[str] = []
    widened: list[str] = []
    recreated: list[str] = []
    references: dict[str, set[str]] = defaultdict(set)
    for c in constraints:
        if c.kind == "f":
            assert c.target is not None
            source, target = placement(c.table, distributed), placement(c.target, distributed)
            if source == target == "distributed":
                dropped.append(f"ALTER TABLE {q(c.table)} DROP CONSTRAINT {q(c.name)};")
                recreated.append(
                    f"ALTER TABLE {q(c.table)} ADD CONSTRAINT {q(c.name)} "
                    f"FOREIGN KEY ({_quoted(['shard', *c.columns])}) "
                    f"REFERENCES {q(c.target)} ({_quoted(['shard', *c.target_columns])}) DEFERRABLE INITIALLY DEFERRED;"
                )
            elif target == "distributed" or (source == "reference" and target == "local"):
                # Citus keeps no such key: the column stays, its integrity is the code's.
                dropped.append(f"ALTER TABLE {q(c.table)} DROP CONSTRAINT {q(c.name)};  -- {source} → {target}")
            else:
                references[c.table].add(c.target)
        elif c.table in distributed and "shard" not in c.columns:
            kind = "PRIMARY KEY" if c.kind == "p" else "UNIQUE"
            widened.append(f"ALTER TABLE {q(c.table)} DROP CONSTRAINT {q(c.name)};")
            widened.append(
                f"ALTER TABLE {q(c.table)} ADD CONSTRAINT {q(c.name)} {kind} ({_quoted(['shard', *c.columns])});"
            )
    for index, _table, definition in _unique_indexes(distributed):
        head, bracket, rest = definition.partition(" USING btree (")
        if not bracket or rest.startswith("shard"):
            continue
        widened.append(f"DROP INDEX {q(index)};")
        widened.append(f"{head}{bracket}shard, {rest};")
    calls = [
        f"SELECT create_reference_table('{table}');"
        for table in _parents_first({t for t in tables if placement(t, distributed) == "reference"}, references)
    ]
    # Every distributed table is co-located with the cases: a province's rows on one node.
    calls.append(f"SELECT create_distributed_table('{ANCHOR}', 'shard');")
    for model in distributed_models:
        if model._meta.db_table != ANCHOR:
            calls.append(
                f"SELECT create_distributed_table('{model._meta.db_table}', 'shard', colocate_with => '{ANCHOR}');"
            )
    return ["BEGIN;", *dropped, *widened, *recreated, "COMMIT;", *calls]


def schema_statements(plan: list[str]) -> list[str]:
    """The part of the plan that plain PostgreSQL runs: everything but Citus's own calls."""
    return [s for s in plan if s not in ("BEGIN;", "COMMIT;") and not s.startswith(CITUS_CALL)]
