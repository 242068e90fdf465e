from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection


class Command(BaseCommand):
    help = "Serve the site with gunicorn and run a background task worker beside it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        parser.add_argument("--no-task-worker", action="store_true", help="Run only the web server.")

    def handle(self, *args: Any, bind: str, workers: int, no_task_worker: bool, **options: Any) -> None:
        from django.conf import settings

        env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "grassroots.settings")}
        gunicorn = [
            sys.executable,
            "-m",
            "gunicorn",
            "grassroots.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "20",
        ]
        from grassroots.web.workers import release_abandoned, worker_id

        generation = 1

        def start_worker() -> subprocess.Popen[bytes]:
            command = [sys.executable, "-m", "grassroots", "db_worker", "--worker-id", worker_id(generation)]
            return subprocess.Popen(command, env=env)

        web = subprocess.Popen(gunicorn, env=env)
        tasks = None if no_task_worker else start_worker()
        abandoned: dict[str, int | None] = {}  # dead workers whose claimed tasks are not yet released
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True
            for child in (web, tasks):
                if child is not None and child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        next_sweep = next_fold = restart_at = 0.0
        backoff, started_at = 1.0, time.monotonic()
        try:
            # gunicorn keeps its own workers alive; if gunicorn itself ends, so does serve,
            # and the process manager decides. The task worker is ours to keep alive: it
            # exits when the database goes away mid-task, or is killed.
            while not stopping and web.poll() is None:
                now = time.monotonic()
                if tasks is not None and tasks.poll() is not None:
                    if not restart_at:
                        abandoned[worker_id(generation)] = tasks.returncode
                        if now - started_at > 60:  # it had been running well: start afresh
                            backoff = 1.0
                        restart_at = now + backoff
                        self.stderr.write(
                            f"task worker exited with {tasks.returncode}; starting another in {backoff:.0f} s"
                        )
                        backoff = min(backoff * 2, 30.0)
                    elif now >= restart_at:
                        generation += 1
                        tasks, restart_at, started_at = start_worker(), 0.0, now
                if abandoned:
                    try:
                        for name, returncode in list(abandoned.items()):
                            release_abandoned(name, returncode)
                            del abandoned[name]
                    except DatabaseError:  # the database is what went away: again next turn
                        connection.close()
                if tasks is not None:
                    try:
                        if now >= next_sweep:
                            _enqueue_sweep()
                            _enqueue_pruning()
                            next_sweep = now + settings.SWEEP_EVERY_SECONDS
                        if now >= next_fold:
                            _enqueue_fold()
                            _enqueue_pending_reports()
                            _enqueue_receipts()
                            _enqueue_seal()
                            next_fold = now + settings.FOLD_EVERY_SECONDS
                    except DatabaseError as error:  # the database restarting: try again shortly
                        self.stderr.write(f"could not enqueue the periodic tasks: {error}")
                        connection.close()  # a broken connection is not reopened by itself
                        next_fold = next_sweep = now + 5
                time.sleep(0.5)
        finally:
            stop(signal.SIGTERM, None)
            for child in (web, tasks):
                if child is not None:
                    child.wait(timeout=30)
        if web.returncode not in (0, -signal.SIGTERM, -signal.SIGINT):
            raise CommandError(f"gunicorn exited with {web.returncode}")


def _enqueue_sweep() -> None:
    """Hand the hourly deadline sweep to the task worker. Several servers may each do so:
    the sweep's warnings are deduplicated, so running it twice sends nothing twice."""
    from grassroots.cases.tasks import sweep_deadlines

    sweep_deadlines.enqueue()


def _enqueue_pruning() -> None:
    """Each hour, drop the receipts and task results kept long enough; pruning twice at
    once deletes nothing twice."""
    from grassroots.web.tasks import prune_kept_records

    prune_kept_records.enqueue()


def _enqueue_fold() -> None:
    """Keep the statistics rollups a minute fresh; folding is exactly-once by watermark."""
    from grassroots.stats.tasks import fold_rollups

    fold_rollups.enqueue()


def _enqueue_pending_reports() -> None:
    """Each minute, make the cases of residents' reports whose own task was lost; making
    a case is once per report, so a second server doing the same is harmless."""
    from grassroots.open311.tasks import make_pending

    make_pending.enqueue()


def _enqueue_receipts() -> None:
    """Each minute, register any intake receipt whose wake-up was lost; each receipt is
    registered once, however many registrars run."""
    from grassroots.cases.tasks import register_waiting_receipts

    register_waiting_receipts.enqueue()


def _enqueue_seal() -> None:
    """Each minute, seal new audit entries into the hash chain; the chain head's row lock
    lets only one sealer work at a time, however many servers enqueue it."""
    from grassroots.audit.tasks import seal_audit_log

    seal_audit_log.enqueue()
