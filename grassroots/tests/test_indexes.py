"""Every index is written at each insert: on the tables that grow with the cases, none may
be a plain copy of the front of another (the longer one serves every lookup the shorter
would)."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

# The tables an intake or an act writes to, which reach tens of millions of rows.
GROWING = [
    "cases_case",
    "cases_caseevent",
    "cases_assignment",
    "cases_petitioner",
    "cases_complainedparty",
    "audit_auditentry",
    "triage_suggestion",
    "stats_casefact",
]


def plain_indexes(table: str) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {
        name: c["columns"]
        for name, c in constraints.items()
        if c["index"] and not c["unique"] and not c["primary_key"] and "_like" not in name
    }


def every_index(table: str) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {name: c["columns"] for name, c in constraints.items() if c["index"] or c["unique"]}


@pytest.mark.parametrize("table", GROWING)
def test_no_index_repeats_the_front_of_another(table):
    partial = _partial_indexes(table)
    repeated = [
        (name, other)
        for name, columns in plain_indexes(table).items()
        if name not in partial
        for other, longer in every_index(table).items()
        if other != name and other not in partial and longer[: len(columns)] == columns and len(longer) > len(columns)
    ]
    assert not repeated


def _partial_indexes(table: str) -> set[str]:
    """Partial indexes serve only their own condition: neither side of a comparison."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = %s::regclass AND x.indpred IS NOT NULL",
                [table],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql LIKE %s",
                [table, "% WHERE %"],
            )
        return {row[0] for row in cursor.fetchall()}
