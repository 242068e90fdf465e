"""Load with faults: two app servers and two task workers on one PostgreSQL, clients filing
and moving cases, a web worker and the task workers killed, the database restarted — then
proof that nothing acknowledged was lost or doubled.

    python -m bench.reliability                 # 3 phases of 60 s, 12 clients
    python -m bench.reliability --seconds 15    # what the test suite runs

It starts a PostgreSQL cluster of its own (initdb in a temporary directory, as the
``postgres`` user when run by root) so that restarting it disturbs nothing else, builds
the tiny province of ``bench.generate`` in it, and starts two ``grassroots serve``
processes on 127.0.0.1 — each gunicorn with two workers plus a task worker — enqueueing the
rollup fold every 2 s and the deadline sweep every 3 s, so the two workers race for them.

Clients spread their requests over both servers, as a load balancer would. Each files cases
with an Idempotency-Key and moves its own cases along the loop (accept, assign, start,
reply, resolve) with the version it saw. A dropped connection or a 503 is retried with the
same key or version until answered; a 409 after a retry means the earlier try had landed,
and the client reads the case to carry on. Anything else is an unexpected answer.

Phases: **steady**; **workers killed** (SIGKILL to one gunicorn worker on each server and to
both task workers, a third and two thirds in); **database restarted** (``pg_ctl restart -m
immediate``, a crash and recovery, a third in). Then the checks:

- every acknowledged case exists, exactly once, and no case exists that no client was told of;
- every case's timeline is an unbroken chain of transitions ending in its state, and that
  state is the last one its client was acknowledged;
- the rollups the two workers kept equal a rebuild from the cases (nothing counted twice
  or skipped), and a last deadline sweep finds nobody left to warn;
- the audit chain sealed by both workers verifies;
- every row of the tables a move to Citus would distribute carries its province's shard;
- no task is left running: what a killed task worker had claimed is marked failed.

Prints a Markdown table for docs/reliability.md and exits non-zero if a check fails.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
MOVES: list[tuple[str, dict[str, Any] | None]] = [
    ("accept", {}),
    ("assign", None),
    ("start", {}),
    ("reply", {"text": "已到现场处理，问题已解决。"}),
    ("resolve", {}),
]
STATE_AFTER = {
    "accept": "accepted",
    "assign": "assigned",
    "start": "in_progress",
    "reply": "replied",
    "resolve": "resolved",
}
RETRY_FOR = 90.0  # seconds a client keeps retrying one request before calling it lost


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise SystemExit("no PostgreSQL server binaries (initdb, pg_ctl) on this machine")


class Cluster:
    """A PostgreSQL of our own on 127.0.0.1:``port``, to crash and restart at will."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.bin = _pg_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="grassroots-pg-"))
        self.data = self.dir / "data"
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")

    def _run(self, *args: str) -> None:
        # Not captured: the postmaster that pg_ctl leaves behind would hold the pipe open.
        subprocess.run(
            [*self.as_postgres, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.dir
        )

    def _pg_ctl(self, *args: str) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c max_connections=200"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.dir / "log"), *args)

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def start(self) -> Cluster:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c max_connections=200"
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.dir / "log"), "-w", "start"
        )
        return self

    def restart(self) -> float:
        """Crash (immediate: no checkpoint, recovery from the WAL) and start again; seconds away."""
        started = time.monotonic()
        self._pg_ctl("-m", "immediate", "-w", "restart")
        return time.monotonic() - started

    def stop(self) -> None:
        try:
            self._pg_ctl("-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


class Serve:
    """``grassroots serve`` on 127.0.0.1:``port``: gunicorn with two workers and a task worker."""

    def __init__(self, database_url: str, port: int, log: Path) -> None:
        self.base = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "grassroots.settings",
            "PYTHONPATH": str(ROOT),
            "FOLD_EVERY_SECONDS": "2",
            "SWEEP_EVERY_SECONDS": "3",
            "DB_CONN_MAX_AGE": "600",
        }
        self.log = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "grassroots", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.base}/login/", timeout=10).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.base} did not answer within 90 s")

    def _children(self, pid: int) -> list[tuple[int, str]]:
        out = subprocess.run(
            ["ps", "-o", "pid=,args=", "--ppid", str(pid)], capture_output=True, text=True, check=False
        )
        return [
            (int(pid_), args) for pid_, _, args in (line.strip().partition(" ") for line in out.stdout.splitlines())
        ]

    def web_workers(self) -> list[int]:
        masters = [pid for pid, args in self._children(self.process.pid) if "gunicorn" in args]
        return [pid for master in masters for pid, _args in self._children(master)]

    def task_worker(self) -> int | None:
        return next((pid for pid, args in self._children(self.process.pid) if "db_worker" in args), None)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


@dataclass
class Tally:
    """What the clients saw in one phase."""

    filed: int = 0
    moved: int = 0
    answers: Counter[str] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    lost: int = 0  # requests never answered within RETRY_FOR

    def pct(self, p: float) -> float:
        ordered = sorted(self.latencies_ms) or [0.0]
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@dataclass
class Known:
    """A client's knowledge of one of its cases: the last state and version acknowledged."""

    number: str
    state: str
    version: int


class Client:
    def __init__(self, servers: list[str], token: str, unit_codes: list[str], organisations: list[str], seed: int):
        self.servers = servers
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {token}"
        self.session.headers["Accept-Language"] = "en"
        self.units = unit_codes
        self.organisations = organisations
        self.rng = random.Random(seed)
        self.cases: dict[str, Known] = {}  # idempotency key -> what we were told
        self.turn = seed

    def _send(self, tally: Tally, method: str, path: str, **kwargs: Any) -> requests.Response | None:
        """One request, retried on dropped connections and 503s until answered otherwise."""
        give_up = time.monotonic() + RETRY_FOR
        while time.monotonic() < give_up:
            self.turn += 1
            base = self.servers[self.turn % len(self.servers)]
            started = time.perf_counter()
            try:
                response = self.session.request(method, base + path, timeout=30, **kwargs)
            except requests.RequestException as exc:
                tally.answers[f"dropped ({type(exc).__name__})"] += 1
                time.sleep(0.2)
                continue
            if response.status_code == 503:
                tally.answers["503 retry" + (" (Retry-After)" if response.headers.get("Retry-After") else "")] += 1
                time.sleep(min(float(response.headers.get("Retry-After", 1)), 1.0))
                continue
            tally.latencies_ms.append((time.perf_counter() - started) * 1000)
            tally.answers[str(response.status_code)] += 1
            return response
        tally.lost += 1
        return None

    def file(self, tally: Tally) -> None:
        key = f"rel-{uuid.uuid4().hex}"
        body = {
            "kind": "hotline",
            "channel": "phone",
            "title": self.rng.choice(["路灯不亮", "噪音扰民", "道路破损", "垃圾未清运"]),
            "description": "居民来电反映问题，请尽快处理。",
            "unit": self.rng.choice(self.units),
            "petitioners": [
                {"name": "王" + self.rng.choice("伟芳娜敏静"), "phone": f"139{self.rng.randrange(10**8):08d}"}
            ],
        }
        response = self._send(tally, "POST", "/api/v1/cases/", json=body, headers={"Idempotency-Key": key})
        if response is not None and response.status_code in (200, 201):
            data = response.json()
            self.cases[key] = Known(data["number"], data["state"], data["version"])
            tally.filed += 1

    def move(self, tally: Tally) -> None:
        movable = [k for k, c in self.cases.items() if c.state != "resolved"]
        if not movable:
            return self.file(tally)
        known = self.cases[self.rng.choice(movable)]
        order = ["registered", *STATE_AFTER.values()]
        name, body = MOVES[order.index(known.state)]
        if body is None:
            body = {"organisations": [self.rng.choice(self.organisations)], "mode": "forward"}
        response = self._send(
            tally, "POST", f"/api/v1/cases/{known.number}/{name}/", json={**body, "version": known.version}
        )
        if response is None:
            return None
        if response.status_code == 200:
            data = response.json()
            known.state, known.version = data["state"], data["version"]
            tally.moved += 1
        elif response.status_code == 409:  # an earlier try landed, or the case moved on: look
            again = self._send(tally, "GET", f"/api/v1/cases/{known.number}/")
            if again is not None and again.status_code == 200:
                data = again.json()
                known.state, known.version = data["state"], data["version"]
        return None

    def run(self, tally: Tally, until: float) -> None:
        while time.monotonic() < until:
            if self.rng.random() < 0.4:
                self.file(tally)
            else:
                self.move(tally)


def run_phase(
    name: str, clients: list[Client], seconds: float, fault: Any = None
) -> tuple[str, Tally, float, list[str]]:
    tally = Tally()
    lock = threading.Lock()
    until = time.monotonic() + seconds
    per_client = [Tally() for _ in clients]
    threads = [threading.Thread(target=c.run, args=(t, until)) for c, t in zip(clients, per_client, strict=True)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    notes: list[str] = fault(seconds) if fault else []
    for thread in threads:
        thread.join()
    with lock:
        for one in per_client:
            tally.filed += one.filed
            tally.moved += one.moved
            tally.answers.update(one.answers)
            tally.latencies_ms += one.latencies_ms
            tally.lost += one.lost
    return name, tally, time.monotonic() - started, notes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60, help="length of each of the three phases")
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--port", type=int, default=55432, help="of the private PostgreSQL")
    args = parser.parse_args()

    cluster = Cluster(args.port).start()
    servers: list[Serve] = []
    logs = Path(tempfile.mkdtemp(prefix="grassroots-reliability-"))
    try:
        url = cluster.url("grassroots_reliability")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        subprocess.run(
            [sys.executable, "-m", "bench.generate", "--database-url", url, "--preset", "tiny"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        from bench.common import use_database
        from bench.generate import BENCH_PASSWORD

        use_database(url)
        from django.db import connection

        from grassroots.accounts.models import User
        from grassroots.org.models import Organisation, Unit

        clerk = User.objects.select_related("person__unit").get(username="bench-county")
        county = clerk.person.unit
        units = list(Unit.objects.within(county).filter(level__gte=5).values_list("code", flat=True)[:200])
        organisations = list(
            Organisation.objects.filter(unit__path__startswith=county.path).values_list("code", flat=True)[:20]
        )
        connection.close()

        servers = [Serve(url, 8781 + n, logs / f"serve-{n}.log") for n in range(2)]
        for server in servers:
            server.wait_ready()
        token = requests.post(
            f"{servers[0].base}/api/v1/auth/token/",
            json={"username": "bench-county", "password": BENCH_PASSWORD},
            timeout=30,
        ).json()["token"]
        clients = [Client([s.base for s in servers], token, units, organisations, seed=n) for n in range(args.clients)]

        def kill_workers(seconds: float) -> list[str]:
            notes = []
            time.sleep(seconds / 3)
            for server in servers:
                victim = server.web_workers()[0]
                os.kill(victim, signal.SIGKILL)
                notes.append(f"SIGKILL web worker {victim}")
            task_worker = servers[0].task_worker()
            if task_worker:
                os.kill(task_worker, signal.SIGKILL)
                notes.append(f"SIGKILL task worker {task_worker}")
            time.sleep(seconds / 3)
            task_worker = servers[1].task_worker()
            if task_worker:
                os.kill(task_worker, signal.SIGKILL)
                notes.append(f"SIGKILL task worker {task_worker}")
            return notes

        def restart_database(seconds: float) -> list[str]:
            time.sleep(seconds / 3)
            away = cluster.restart()
            return [f"PostgreSQL crashed and restarted in {away:.1f} s"]

        phases = [
            run_phase("steady", clients, args.seconds),
            run_phase("workers killed", clients, args.seconds, kill_workers),
            run_phase("database restarted", clients, args.seconds, restart_database),
        ]
        # Let both servers' task workers fold and sweep once more after the last write.
        time.sleep(8)
        for server in servers:
            server.stop()
        verdicts = check(clients)
    finally:
        for server in servers:
            server.stop()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 — Django may not be set up if the build failed
            pass
        cluster.stop()

    print(
        f"\n{args.clients} clients over two app servers (2 gunicorn workers + 1 task worker each), "
        f"PostgreSQL {cluster.bin.parent.name}, {os.cpu_count()} cores, {args.seconds:.0f} s a phase"
    )
    print(
        "| phase | cases filed | acts | answered /s | median ms | p95 ms "
        "| retried: dropped / 503 | unexpected | faults |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    unexpected_total = 0
    for name, tally, seconds, notes in phases:
        dropped = sum(n for k, n in tally.answers.items() if k.startswith("dropped"))
        retry = sum(n for k, n in tally.answers.items() if k.startswith("503"))
        unexpected = {
            k: n
            for k, n in tally.answers.items()
            if k not in {"200", "201", "409"} and not k.startswith(("dropped", "503"))
        }
        unexpected_total += sum(unexpected.values()) + tally.lost
        answered = len(tally.latencies_ms) / seconds if seconds else 0
        median = statistics.median(tally.latencies_ms) if tally.latencies_ms else 0.0
        odd = f"{sum(unexpected.values()) + tally.lost}{' ' + str(unexpected) if unexpected else ''}"
        print(
            f"| {name} | {tally.filed:,} | {tally.moved:,} | {answered:,.0f} | {median:.0f} | {tally.pct(95):.0f} | "
            f"{dropped} / {retry} | {odd} | {'; '.join(notes) or '—'} |"
        )
    print()
    failed = False
    for ok, text in verdicts:
        print(f"- {'✓' if ok else '✗'} {text}")
        failed |= not ok
    if unexpected_total:
        print(f"- ✗ {unexpected_total} unexpected answers or requests never answered")
        failed = True
    if failed:
        raise SystemExit(1)


def check(clients: list[Client]) -> list[tuple[bool, str]]:
    """What the database holds, against what the clients were told."""
    from django.db import connection

    from grassroots.audit.chain import seal, verify
    from grassroots.cases.models import Case, CaseEvent
    from grassroots.cases.tasks import sweep_deadlines_now
    from grassroots.stats.models import COUNTERS, CaseDay, Rollup
    from grassroots.stats.rollups import fold_all, rebuild

    connection.close()  # the one from before the restart is gone
    told = {key: known for client in clients for key, known in client.cases.items()}
    ours = list(
        Case.objects.filter(idempotency_key__startswith="rel-").values_list("id", "idempotency_key", "number", "state")
    )
    made = {key: number for _id, key, number, _state in ours}
    verdicts = [
        (
            set(made) == set(told) and all(made[k] == told[k].number for k in told),
            f"{len(told):,} cases acknowledged, {len(made):,} in the database, each once under its number",
        )
    ]
    numbers = Case.objects.values("number").distinct().count()
    verdicts.append((numbers == Case.objects.count(), f"{numbers:,} case numbers, none given twice"))

    states = {number: state for _id, _key, number, state in ours}
    chains: dict[int, list[tuple[str, str]]] = {}
    for case_id, from_state, to_state in (
        CaseEvent.objects.filter(case__idempotency_key__startswith="rel-")
        .exclude(to_state="")
        .order_by("case_id", "id")
        .values_list("case_id", "from_state", "to_state")
    ):
        chains.setdefault(case_id, []).append((from_state, to_state))
    numbers_by_id = {case_id: number for case_id, _key, number, _state in ours}
    broken = 0
    for case_id, chain in chains.items():
        ends = [""] + [to for _from, to in chain]
        if (
            any(chain[i][0] not in ("", ends[i]) for i in range(len(chain)))
            or ends[-1] != states[numbers_by_id[case_id]]
        ):
            broken += 1
    verdicts.append(
        (
            broken == 0 and len(chains) == len(made),
            f"{len(chains):,} timelines unbroken, each ending in its case's state ({broken} broken)",
        )
    )
    behind = sum(1 for k in told if states.get(told[k].number) != told[k].state)
    verdicts.append((behind == 0, f"every case is in the last state its client was acknowledged ({behind} differ)"))

    def rollups() -> dict[tuple[Any, ...], tuple[int, ...]]:
        return {
            (r.grain, r.unit_id, r.day, r.category_key, r.channel, r.kind): tuple(getattr(r, c) for c in COUNTERS)
            for r in Rollup.objects.all()
            if any(getattr(r, c) for c in COUNTERS)
        }

    late = fold_all()
    counted = rollups()
    leaf = sum(CaseDay.objects.values_list("received", flat=True))
    rebuild()
    again = rollups()
    verdicts.append(
        (
            counted == again and leaf == Case.objects.count(),
            f"rollups kept by the two workers equal a rebuild ({len(again):,} rows; {leaf:,} cases counted once; "
            f"{late} events were still to fold at the end)",
        )
    )
    from grassroots.accounts.models import Notification

    sent = Notification.objects.count()
    left = sweep_deadlines_now()
    verdicts.append(
        (sent > 0 and left == 0, f"the workers sent {sent:,} deadline warnings; a last sweep finds {left} they had not")
    )
    from django_tasks_db.models import DBTaskResult

    runs: dict[str, Counter[str]] = {"fold_rollups": Counter(), "sweep_deadlines": Counter()}
    for path, status, workers in DBTaskResult.objects.values_list("task_path", "status", "worker_ids"):
        name = path.rsplit(".", 1)[-1]
        if name in runs:
            runs[name][status] += 1
            runs[name]["by " + (workers[-1] if workers else "nobody")] += 1
    for name, seen in runs.items():
        by = sum(1 for k in seen if k.startswith("by ") and k != "by nobody")
        verdicts.append(
            (
                by >= 2 and seen["SUCCESSFUL"] > 0 and seen["RUNNING"] == 0,
                f"{name}: {seen['SUCCESSFUL']} runs succeeded, {seen['FAILED']} failed (a killed worker's, "
                f"marked so), {seen['RUNNING']} left running, across {by} task workers",
            )
        )
    seal()
    verdict = verify()
    verdicts.append(
        (
            verdict.intact,
            f"audit chain of {verdict.checked:,} entries verifies{'' if verdict.intact else ': ' + verdict.reason}",
        )
    )
    from grassroots.shards import misplaced_rows, sharded_models

    misplaced = {m._meta.db_table: misplaced_rows(m) for m in sharded_models()}
    verdicts.append(
        (
            not any(misplaced.values()),
            f"every row of the {len(misplaced)} distributed tables carries its province's shard "
            f"({sum(misplaced.values())} misplaced)",
        )
    )
    return verdicts


if __name__ == "__main__":
    main()
