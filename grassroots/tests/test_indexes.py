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


@pytest.mark.parametrize("table", GROWING)
def test_no_index_repeats_the_front_of_another(table):
    partial = _partial_indexes(table)
    with connection.cursor() as cursor:
        indexes = {
            name: c
            for name, c in connection.introspection.get_constraints(cursor, table).items()
            if (c["index"] or c["unique"]) and name not in partial
        }
    repeated = [
        (name, other)
        for name, c in indexes.items()
        # PostgreSQL's pattern copy of a text key serves prefix searches, which the key does not.
        if not (c["unique"] or c["primary_key"] or name.endswith("_like"))
        for other, longer in indexes.items()
        if len(longer["columns"]) > len(c["columns"]) and longer["columns"][: len(c["columns"])] == c["columns"]
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
