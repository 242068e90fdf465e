"""Intake through the API, held against the floor of the stack and of the database.

    python -m bench.intake --database-url postgres://postgres@127.0.0.1:5432/grassroots_10m
    python -m bench.intake --database-url sqlite:////work/bench/10m.sqlite3

Against a database built by ``bench.generate``, with gunicorn serving the product:

1. **the floor** — concurrent clients POST the same JSON as intake to an endpoint with the
   same authentication, parsing and rendering that only inserts one row (``bench.urls``);
   measured before each of the next three phases and after the last, and each phase is
   held against the mean of the floors just before and after it: the machines here drift
   in speed within minutes by as much as a change moves intake;
2. **intake** — the same clients POST cases to ``/api/v1/cases/``: validation, routing,
   deadlines, the case, its petitioner and its first timeline event, triage's suggestion
   and the audit entry, each in one transaction; then the rollups are folded, as the
   minutely task does, and that time is added, so the rate is of cases fully counted;
3. **intake answered from a receipt** — the same clients POST the same cases with
   ``Prefer: respond-async``: each is checked and kept as a receipt and answered 202, and the
   task worker (started beside gunicorn, as ``grassroots serve`` does) registers the waiting
   receipts in batches; the rate counts cases registered, from the phase's start to the
   last registration, with the rollups folded;
4. **intake in batches** — the same clients POST ``--batch`` cases at a time to
   ``/api/v1/cases/batch/``, as a 12345 platform forwards its work orders: each batch is
   checked case by case and registered in one transaction; the rate counts cases, with
   their rollups folded;
5. **the database alone** — COPY (or a batched INSERT on SQLite) and single-row INSERTs
   each in their own transaction, from one connection.

Every acknowledged case and receipt is then looked up by its idempotency key: all must
exist as cases, once.
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
from itertools import pairwise
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
    per_request: int = 1  # cases in each request's body

    @property
    def cases(self) -> int:
        return self.ok * self.per_request

    @property
    def rate(self) -> float:
        """Cases a second (a batch's every case counted)."""
        return self.cases / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        ordered = sorted(self.latencies_ms) or [0.0]
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def hammer(
    name: str,
    sessions: list[Any],
    url: str,
    make_body: Any,
    seconds: float,
    *,
    answered: str = "201",
    headers: dict[str, str] | None = None,
    batch: int = 0,
) -> Run:
    """Every session POSTs as fast as it is answered, for ``seconds``; an answer with the
    status ``answered`` counts as done. With ``batch``, each request carries that many
    cases, each with its own key."""
    run = Run(name, per_request=batch or 1)
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(session: Any, seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < stop:
            key = uuid.uuid4().hex
            keys = [f"{key}-{n}" for n in range(batch)] if batch else [key]
            body = {"cases": [{**make_body(rng), "idempotency_key": k} for k in keys]} if batch else make_body(rng)
            started = time.perf_counter()
            try:
                response = session.post(url, json=body, headers={"Idempotency-Key": key, **(headers or {})}, timeout=60)
                status = str(response.status_code)
            except Exception as exc:  # a refused connection is counted, not fatal
                status = type(exc).__name__
            took = (time.perf_counter() - started) * 1000
            with lock:
                if status == answered:
                    run.ok += 1
                    run.latencies_ms.append(took)
                    run.keys.extend(keys)
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
    parser.add_argument("--batch", type=int, default=50, help="cases in each request of the batch phase")
    args = parser.parse_args()

    from bench.common import use_database
    from bench.generate import BENCH_PASSWORD
    from bench.server import Server

    use_database(args.database_url)
    from django.db import connection

    from bench.urls import create_floor_table
    from grassroots import clock
    from grassroots.accounts.models import User
    from grassroots.cases.models import Category
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

    with Server(args.database_url, workers=args.workers, settings="bench.settings", task_worker=True) as server:
        sessions = [server.api("bench-county", BENCH_PASSWORD) for _ in range(args.clients)]
        cpu = [server.cpu()]
        runs: list[Run] = []
        floors: list[Run] = []

        def floor() -> None:
            """The floor, measured again (item 1 of the module's docstring says why)."""
            run = hammer(
                f"floor ({len(floors) + 1}): one-row insert endpoint",
                sessions,
                f"{server.base}/api/v1/bench/floor/",
                case_body,
                args.seconds,
            )
            print(f"floor: {run.rate:,.0f}/s", flush=True)
            floors.append(run)
            runs.append(run)
            cpu.append(server.cpu())

        floor()
        intake = hammer(
            "intake: POST /api/v1/cases/", sessions, f"{server.base}/api/v1/cases/", case_body, args.seconds
        )
        print(f"intake: {intake.rate:,.0f}/s", flush=True)
        intake_fold = timed(fold_all)
        runs.append(intake)
        cpu.append(server.cpu())
        floor()
        phase_started = clock.now()
        receipts = hammer(
            "intake answered from a receipt (Prefer: respond-async)",
            sessions,
            f"{server.base}/api/v1/cases/",
            case_body,
            args.seconds,
            answered="202",
            headers={"Prefer": "respond-async"},
        )
        print(f"receipts: {receipts.rate:,.0f}/s", flush=True)
        drained = wait_for_registration()
        registered = registration(receipts.keys, phase_started)
        receipts_fold = timed(fold_all)
        runs.append(receipts)
        cpu.append(server.cpu())
        floor()
        batches = hammer(
            f"intake in batches of {args.batch}: POST /api/v1/cases/batch/",
            sessions,
            f"{server.base}/api/v1/cases/batch/",
            case_body,
            args.seconds,
            batch=args.batch,
        )
        print(f"batches: {batches.rate:,.0f} cases/s", flush=True)
        batches_fold = timed(fold_all)
        runs.append(batches)
        cpu.append(server.cpu())
        floor()
        peak = server.peak_worker_rss_mb()
        task_peak = server.peak_task_worker_rss_mb()

    found = count_by_keys(intake.keys)
    found_receipts = count_by_keys(receipts.keys)
    found_batched = count_by_keys(batches.keys)
    bulk, single = database_alone()
    counted = intake.ok / (intake.seconds + intake_fold[1])
    receipts_counted = receipts.ok / (registered.seconds + receipts_fold[1])
    batches_counted = batches.cases / (batches.seconds + batches_fold[1])
    bulk_path = "COPY" if connection.vendor == "postgresql" else "batched INSERT"

    print()
    print(
        f"{connection.vendor}, {args.workers} gunicorn workers and a task worker, {args.clients} clients "
        f"for {args.seconds:.0f} s, {os.cpu_count()} cores"
    )
    print("| measurement | cases a second | median ms | p95 ms | p99 ms | failed requests |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for run in runs:
        median = statistics.median(run.latencies_ms) if run.latencies_ms else 0.0
        print(
            f"| {run.name} | {run.rate:,.0f} | {median:.1f} | {run.pct(95):.1f} | {run.pct(99):.1f} | "
            f"{run.failed}{' ' + str(run.errors) if run.errors else ''} |"
        )
    print(
        f"| intake with its rollups folded ({intake_fold[0]:,} events in {intake_fold[1]:.1f} s) "
        f"| {counted:,.0f} | | | | |"
    )
    print(
        f"| receipts registered (the last {registered.seconds:.1f} s after the first), rollups folded "
        f"({receipts_fold[0]:,} events in {receipts_fold[1]:.1f} s) | {receipts_counted:,.0f} | "
        f"{registered.median_ms:.0f} | {registered.p95_ms:.0f} | {registered.p99_ms:.0f} | |"
    )
    print(
        f"| batches with their rollups folded ({batches_fold[0]:,} events in {batches_fold[1]:.1f} s) "
        f"| {batches_counted:,.0f} | | | | |"
    )
    print(f"| database alone: {bulk_path} rows | {bulk:,.0f} | | | | |")
    print(f"| database alone: single-row INSERT transactions | {single:,.0f} | | | | |")
    print(
        "\n(latency is per request — a batch's, for all its cases; the receipts' row with rollups: from a "
        "receipt taken to its case registered; "
        f"{drained:.1f} s to register what was still waiting when the clients stopped)"
    )
    print(
        "\nCPU per case (ms), by process, over each phase (intake's with its rollups folded, "
        "the receipts' until all were registered and folded):\n"
    )
    # Only the processes that did work (SQLite has no server; the floor, no task worker).
    groups = [g for g in cpu[0] if cpu[-1][g] - cpu[0][g] > 0.05]
    print(f"| phase | {' | '.join(groups)} | total |")
    print(f"| --- |{' ---: |' * (len(groups) + 1)}")
    for run, before, after in zip(runs, cpu[:-1], cpu[1:], strict=True):
        used = [(after[g] - before[g]) * 1000 / max(run.cases, 1) for g in groups]
        print(f"| {run.name} | {' | '.join(f'{u:.1f}' for u in used)} | {sum(used):.1f} |")
    around = [(before.rate + after.rate) / 2 for before, after in pairwise(floors)]
    first = floors[0].rate
    print()
    print(
        f"floors: {', '.join(f'{f.rate:,.0f}' for f in floors)} a second; each phase is held against the mean "
        "of the floors just before and after it (in brackets: against the first floor alone)"
    )
    print(
        f"intake / floor: {intake.rate / around[0]:.2f}; "
        f"with rollups: {counted / around[0]:.2f} ({counted / first:.2f})"
    )
    print(
        f"receipts registered / floor, rollups folded: {receipts_counted / around[1]:.2f} "
        f"({receipts_counted / first:.2f})"
    )
    print(
        f"cases in batches / floor, rollups folded: {batches_counted / around[2]:.2f} ({batches_counted / first:.2f})"
    )
    print(f"acknowledged {intake.ok:,} cases, found {found:,} by their keys")
    print(f"acknowledged {receipts.ok:,} receipts, found {found_receipts:,} cases by their keys")
    print(f"peak resident memory of a server worker: {peak:.0f} MB; of the task worker: {task_peak:.0f} MB")
    print(f"acknowledged {batches.cases:,} cases in {batches.ok:,} batches, found {found_batched:,} by their keys")
    if found != intake.ok or found_receipts != receipts.ok or found_batched != batches.cases:
        raise SystemExit("acknowledged cases are missing or duplicated")


def timed(fn: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def count_by_keys(keys: list[str]) -> int:
    from grassroots.cases.models import Case

    return sum(Case.objects.filter(idempotency_key__in=keys[i : i + 10000]).count() for i in range(0, len(keys), 10000))


def wait_for_registration(limit: float = 600.0) -> float:
    """Seconds until no receipt is waiting (the task worker registers them)."""
    from grassroots.cases.models import Receipt

    started = time.perf_counter()
    while Receipt.objects.filter(processed_at__isnull=True).exists():
        if time.perf_counter() - started > limit:
            raise SystemExit(f"receipts still waiting after {limit:.0f} s")
        time.sleep(0.2)
    return time.perf_counter() - started


@dataclass
class Registration:
    seconds: float  # from the phase's start to the last receipt registered
    median_ms: float  # from a receipt taken to its case registered
    p95_ms: float
    p99_ms: float


def registration(keys: list[str], started: Any) -> Registration:
    from grassroots.cases.models import Receipt

    delays: list[float] = []
    last = started
    for i in range(0, len(keys), 10000):
        waited = Receipt.objects.filter(idempotency_key__in=keys[i : i + 10000], processed_at__isnull=False)
        for received, processed in waited.values_list("received_at", "processed_at"):
            assert processed is not None
            delays.append((processed - received).total_seconds() * 1000)
            last = max(last, processed)
    delays.sort()
    if not delays:
        return Registration(0.0, 0.0, 0.0, 0.0)

    def pct(p: float) -> float:
        return delays[min(len(delays) - 1, round(p / 100 * (len(delays) - 1)))]

    return Registration((last - started).total_seconds(), statistics.median(delays), pct(95), pct(99))


if __name__ == "__main__":
    main()
