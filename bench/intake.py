"""Intake through the API, held against the floor of the stack and of the database.

    python -m bench.intake --database-url postgres://postgres@127.0.0.1:5432/grassroots_10m
    python -m bench.intake --database-url sqlite:////work/bench/10m.sqlite3

Against a database built by ``bench.generate``, with gunicorn serving the product:

1. **the floor** — concurrent clients POST the same JSON as intake to an endpoint with the
   same authentication, parsing and rendering that only inserts one row (``bench.urls``);
2. **intake** — the same clients POST cases to ``/api/v1/cases/``: validation, routing,
   deadlines, the case, its petitioner and its first timeline event, triage's suggestion
   and the audit entry, each in one transaction; then the rollups are folded, as the
   minutely task does, and that time is added, so the rate is of cases fully counted;
3. **the database alone** — COPY (or a batched INSERT on SQLite) and single-row INSERTs
   each in their own transaction, from one connection.

Every acknowledged case is then looked up by its idempotency key: all must exist, once.
The load generator runs on the same machine as the server, so both rates are what is left
of the cores after it; the ratio is fair because both phases pay it alike.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Run:
    name: str
    ok: int = 0
    failed: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        ordered = sorted(self.latencies_ms) or [0.0]
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def hammer(name: str, sessions: list[Any], url: str, make_body: Any, seconds: float) -> Run:
    """Every session POSTs as fast as it is answered, for ``seconds``."""
    run = Run(name)
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(session: Any, seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < stop:
            key = uuid.uuid4().hex
            body = make_body(rng)
            started = time.perf_counter()
            try:
                response = session.post(url, json=body, headers={"Idempotency-Key": key}, timeout=60)
                status = str(response.status_code)
            except Exception as exc:  # a refused connection is counted, not fatal
                status = type(exc).__name__
            took = (time.perf_counter() - started) * 1000
            with lock:
                if status == "201":
                    run.ok += 1
                    run.latencies_ms.append(took)
                    run.keys.append(key)
                else:
                    run.failed += 1
                    run.errors[status] = run.errors.get(status, 0) + 1

    threads = [threading.Thread(target=client, args=(s, n)) for n, s in enumerate(sessions)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run.seconds = time.monotonic() - started
    return run


def database_alone(seconds: float = 5.0) -> tuple[float, float]:
    """(rows a second by COPY or batched INSERT, single-row INSERT transactions a second)."""
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    rows = [
        (f"2026-12-06T10:00:{n % 60:02d}+08:00", '{"title": "路灯不亮", "unit": "B9010100100100"}')
        for n in range(200_000)
    ]
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_alone")
        key = "BIGSERIAL PRIMARY KEY" if connection.vendor == "postgresql" else "INTEGER PRIMARY KEY AUTOINCREMENT"
        cursor.execute(f"CREATE TABLE bench_alone (id {key}, at TEXT NOT NULL, body TEXT NOT NULL)")
    raw.commit()
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        with raw.cursor() as cursor, cursor.copy("COPY bench_alone (at, body) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        raw.executemany("INSERT INTO bench_alone (at, body) VALUES (?, ?)", rows)
    raw.commit()
    bulk = len(rows) / (time.perf_counter() - started)
    n = 0
    stop = time.perf_counter() + seconds
    started = time.perf_counter()
    while time.perf_counter() < stop:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_alone (at, body) VALUES (%s, %s)", rows[n % len(rows)])
        raw.commit()
        n += 1
    single = n / (time.perf_counter() - started)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_alone")
    raw.commit()
    return bulk, single


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    from bench.common import use_database
    from bench.generate import BENCH_PASSWORD
    from bench.server import Server

    use_database(args.database_url)
    from django.db import connection

    from bench.urls import create_floor_table
    from grassroots.accounts.models import User
    from grassroots.cases.models import Case, Category
    from grassroots.org.models import Unit
    from grassroots.stats.rollups import fold_all

    create_floor_table()
    fold_all()
    clerk = User.objects.select_related("person__unit").get(username="bench-county")
    places = list(Unit.objects.within(clerk.person.unit).filter(level__gte=5).values_list("code", flat=True)[:2000])
    categories = list(Category.objects.filter(parent__isnull=False).values_list("code", flat=True))
    connection.close()

    def case_body(rng: random.Random) -> dict[str, Any]:
        return {
            "kind": "hotline",
            "channel": "phone",
            "title": rng.choice(["路灯不亮", "噪音扰民", "道路破损", "拖欠工资", "垃圾未清运"]),
            "description": "居民来电反映："
            + rng.choice(["小区路灯已坏半月", "夜间施工噪音大", "村道坑洼积水"])
            + "，请尽快处理。",
            "unit": rng.choice(places),
            "category": rng.choice(categories),
            "petitioners": [
                {"name": "张" + rng.choice("伟芳娜敏静丽强磊军洋"), "phone": f"139{rng.randrange(10**8):08d}"}
            ],
        }

    with Server(args.database_url, workers=args.workers, settings="bench.settings") as server:
        sessions = [server.api("bench-county", BENCH_PASSWORD) for _ in range(args.clients)]
        floor = hammer(
            "floor: one-row insert endpoint", sessions, f"{server.base}/api/v1/bench/floor/", case_body, args.seconds
        )
        print(f"floor: {floor.rate:,.0f}/s", flush=True)
        intake = hammer(
            "intake: POST /api/v1/cases/", sessions, f"{server.base}/api/v1/cases/", case_body, args.seconds
        )
        print(f"intake: {intake.rate:,.0f}/s", flush=True)
        peak = server.peak_worker_rss_mb()

    started = time.perf_counter()
    folded = fold_all()
    fold_seconds = time.perf_counter() - started
    found = (
        Case.objects.filter(idempotency_key__in=intake.keys).count()
        if len(intake.keys) < 30000
        else sum(
            Case.objects.filter(idempotency_key__in=intake.keys[i : i + 10000]).count()
            for i in range(0, len(intake.keys), 10000)
        )
    )
    bulk, single = database_alone()
    counted = intake.ok / (intake.seconds + fold_seconds)
    bulk_path = "COPY" if connection.vendor == "postgresql" else "batched INSERT"

    print()
    print(
        f"{connection.vendor}, {args.workers} gunicorn workers, {args.clients} clients for {args.seconds:.0f} s, "
        f"{os.cpu_count()} cores"
    )
    print("| measurement | per second | median ms | p95 ms | p99 ms | failed |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for run in (floor, intake):
        median = statistics.median(run.latencies_ms) if run.latencies_ms else 0.0
        print(
            f"| {run.name} | {run.rate:,.0f} | {median:.1f} | {run.pct(95):.1f} | {run.pct(99):.1f} | "
            f"{run.failed}{' ' + str(run.errors) if run.errors else ''} |"
        )
    print(f"| intake with its rollups folded ({folded:,} events in {fold_seconds:.1f} s) | {counted:,.0f} | | | | |")
    print(f"| database alone: {bulk_path} rows | {bulk:,.0f} | | | | |")
    print(f"| database alone: single-row INSERT transactions | {single:,.0f} | | | | |")
    print(f"\nintake / floor: {intake.rate / floor.rate:.2f}; with rollups: {counted / floor.rate:.2f}")
    print(f"acknowledged {intake.ok:,} cases, found {found:,} by their keys")
    print(f"peak resident memory of a server worker: {peak:.0f} MB")
    if found != intake.ok:
        raise SystemExit("acknowledged cases are missing or duplicated")


if __name__ == "__main__":
    main()
