"""Subtree queries on the unit tree: one county with 100,000+ descendants among others.

    python -m bench.subtree --database-url postgres://postgres@127.0.0.1:5432/grassroots_bench

Builds (once) a province of ``--counties`` counties, each with 20 streets x 50 villages x
100 grids (101,020 descendants a county), then times the queries every page and API list
makes of a subtree.
"""

from __future__ import annotations

import argparse
import platform
import time
from typing import Any


def build(counties: int) -> None:
    from django.db import connection, transaction

    from grassroots.org.choices import Level
    from grassroots.org.models import Unit
    from grassroots.org.paths import segment

    if Unit.objects.filter(code="B-P").exists():
        return
    started = time.perf_counter()
    next_id = (Unit.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    batch: list[Unit] = []

    def add(code: str, level: int, parent: tuple[int, str] | None) -> tuple[int, str]:
        nonlocal next_id
        pk, next_id = next_id, next_id + 1
        path = (parent[1] if parent else "") + segment(pk)
        batch.append(Unit(pk=pk, code=code, name=code, level=level, parent_id=parent[0] if parent else None, path=path))
        if len(batch) >= 20000:
            flush()
        return pk, path

    def flush() -> None:
        Unit.objects.bulk_create(batch)
        batch.clear()

    with transaction.atomic():
        province = add("B-P", Level.PROVINCE, None)
        city = add("B-C", Level.CITY, province)
        for c in range(counties):
            county = add(f"B-{c}", Level.COUNTY, city)
            for s in range(20):
                street = add(f"B-{c}-{s}", Level.TOWNSHIP, county)
                for v in range(50):
                    village = add(f"B-{c}-{s}-{v}", Level.VILLAGE, street)
                    for g in range(100):
                        add(f"B-{c}-{s}-{v}-{g}", Level.GRID, village)
        flush()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence('org_unit', 'id'), (SELECT MAX(id) FROM org_unit))"
                )
    print(f"built {Unit.objects.count():,} units in {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--counties", type=int, default=4)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()

    from bench.common import measure, table, use_database

    use_database(args.database_url)
    from django.db import connection

    from grassroots.org.models import Unit

    build(args.counties)
    with connection.cursor() as cursor:
        # VACUUM sets the visibility map so counts can be index-only, as autovacuum would.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    county = Unit.objects.get(code="B-0")
    street = Unit.objects.get(code="B-0-7")
    village = Unit.objects.get(code="B-0-7-31")
    total = Unit.objects.count()
    descendants = Unit.objects.within(county).count()

    class Scoped:
        """A user whose posts give two streets of the county."""

        is_authenticated = True

        def scope_paths(self) -> list[str]:
            return [street.path, Unit.objects.get(code="B-0-12").path]

    user: Any = Scoped()
    timings = [
        measure(
            "count of a county subtree (101,021 units)", lambda: Unit.objects.within(county).count(), runs=args.runs
        ),
        measure(
            "first page of 100 in tree order",
            lambda: list(Unit.objects.within(county).order_by("path")[:100]),
            runs=args.runs,
        ),
        measure(
            "all codes of a county subtree",
            lambda: list(Unit.objects.within(county).values_list("code", flat=True)),
            runs=max(5, args.runs // 10),
        ),
        measure("count of a street subtree (5,051 units)", lambda: Unit.objects.within(street).count(), runs=args.runs),
        measure("a village's 100 grids", lambda: list(Unit.objects.within(village)), runs=args.runs),
        measure(
            "visible_to: user scoped to two streets, count",
            lambda: Unit.objects.visible_to(user).count(),
            runs=args.runs,
        ),
    ]
    with connection.cursor() as cursor:
        sql, params = Unit.objects.within(county).values("pk").query.sql_with_params()
        cursor.execute(("EXPLAIN " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN ") + sql, params)
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
    print(
        f"\n{connection.vendor}, {total:,} units, county subtree {descendants:,}; "
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}\n"
    )
    print(table(timings))
    print(f"\nplan of the county count:\n{plan}")


if __name__ == "__main__":
    main()
