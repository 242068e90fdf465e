from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Serve the site with gunicorn and run a background task worker beside it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        parser.add_argument("--no-task-worker", action="store_true", help="Run only the web server.")

    def handle(self, *args: Any, bind: str, workers: int, no_task_worker: bool, **options: Any) -> None:
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
        children = [subprocess.Popen(gunicorn, env=env)]
        if not no_task_worker:
            children.append(subprocess.Popen([sys.executable, "-m", "grassroots", "db_worker"], env=env))

        def stop(signum: int, frame: Any) -> None:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        next_sweep = next_fold = 0.0
        try:
            while all(child.poll() is None for child in children):
                if not no_task_worker and time.monotonic() >= next_sweep:
                    _enqueue_sweep()
                    next_sweep = time.monotonic() + 3600
                if not no_task_worker and time.monotonic() >= next_fold:
                    _enqueue_fold()
                    _enqueue_pending_reports()
                    _enqueue_seal()
                    next_fold = time.monotonic() + 60
                time.sleep(0.5)
        finally:
            stop(signal.SIGTERM, None)
            for child in children:
                child.wait(timeout=30)
        failed = [c for c in children if c.returncode not in (0, -signal.SIGTERM, -signal.SIGINT)]
        if failed:
            raise CommandError(f"{failed[0].args!r} exited with {failed[0].returncode}")


def _enqueue_sweep() -> None:
    """Hand the hourly deadline sweep to the task worker. Several servers may each do so:
    the sweep's warnings are deduplicated, so running it twice sends nothing twice."""
    from grassroots.cases.tasks import sweep_deadlines

    sweep_deadlines.enqueue()


def _enqueue_fold() -> None:
    """Keep the statistics rollups a minute fresh; folding is exactly-once by watermark."""
    from grassroots.stats.tasks import fold_rollups

    fold_rollups.enqueue()


def _enqueue_pending_reports() -> None:
    """Each minute, make the cases of residents' reports whose own task was lost; making
    a case is once per report, so a second server doing the same is harmless."""
    from grassroots.open311.tasks import make_pending

    make_pending.enqueue()


def _enqueue_seal() -> None:
    """Each minute, seal new audit entries into the hash chain; the chain head's row lock
    lets only one sealer work at a time, however many servers enqueue it."""
    from grassroots.audit.tasks import seal_audit_log

    seal_audit_log.enqueue()
