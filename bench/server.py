"""The product served by gunicorn on 127.0.0.1, as ``grassroots serve`` runs it, for the
benchmarks that go through HTTP: start, log in, time requests, read the workers' peak
memory, stop."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent


class Server:
    def __init__(
        self,
        database_url: str,
        *,
        workers: int = 2,
        port: int = 8765,
        settings: str = "grassroots.settings",
        task_worker: bool = False,
    ) -> None:
        self.database_url = database_url
        self.workers = workers
        self.port = port
        self.settings = settings
        self.base = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None
        # The background-task worker ``grassroots serve`` runs beside gunicorn, when the
        # benchmark needs tasks run (intake's receipts).
        self.task_worker = task_worker
        self.tasks: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "DJANGO_SETTINGS_MODULE": self.settings,
            "PYTHONPATH": str(ROOT),
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "grassroots.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--access-logfile",
                "/dev/null",
                "--timeout",
                "120",
                "--backlog",
                "2048",
            ],
            env=env,
            cwd=ROOT,
        )
        if self.task_worker:
            self.tasks = subprocess.Popen(
                [sys.executable, "-m", "grassroots", "db_worker", "--worker-id", f"bench-{os.getpid()}"],
                env={**env, "DJANGO_SETTINGS_MODULE": "grassroots.settings"},
                cwd=ROOT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.base}/login/", timeout=30).status_code == 200:
                    return self
            except requests.RequestException:  # not listening yet, or still importing
                pass
            time.sleep(0.3)
        self.__exit__()
        raise RuntimeError("gunicorn did not answer within a minute")

    def __exit__(self, *exc: Any) -> None:
        for process in (self.process, self.tasks):
            if process and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True, text=True, check=False
        )
        return [int(p) for p in out.stdout.split()]

    def peak_worker_rss_mb(self) -> float:
        """The largest peak resident set (VmHWM) of any worker so far."""
        return peak_rss_mb(self.worker_pids())

    def cpu(self) -> dict[str, float]:
        """CPU seconds so far: gunicorn's workers, the task worker, PostgreSQL, this process
        (the load generator). Differences over a phase tell where its time went."""
        return {
            "gunicorn": cpu_seconds(self.worker_pids()),
            "task worker": cpu_seconds([self.tasks.pid] if self.tasks else []),
            "PostgreSQL": cpu_seconds(postgres_pids()),
            "load generator": cpu_seconds([os.getpid()]),
        }

    def peak_task_worker_rss_mb(self) -> float:
        return peak_rss_mb([self.tasks.pid] if self.tasks else [])

    def browser(self, username: str, password: str) -> requests.Session:
        """A session logged in through the login page, as a person's browser would be."""
        session = requests.Session()
        session.headers["Accept-Language"] = "zh-hans"
        session.get(f"{self.base}/login/")
        token = session.cookies.get("csrftoken", "")
        response = session.post(
            f"{self.base}/login/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.base}/login/"},
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise RuntimeError(f"login of {username} failed: {response.status_code}")
        return session

    def api(self, username: str, password: str) -> requests.Session:
        """A session carrying an API token, as an integrating system's would."""
        response = requests.post(
            f"{self.base}/api/v1/auth/token/", json={"username": username, "password": password}, timeout=30
        )
        response.raise_for_status()
        session = requests.Session()
        session.headers["Authorization"] = f"Token {response.json()['token']}"
        return session


def peak_rss_mb(pids: list[int]) -> float:
    """The largest peak resident set (VmHWM) of the processes so far."""
    peaks = []
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return max(peaks, default=0.0)


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time the processes have used so far (their own, not children's)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def postgres_pids() -> list[int]:
    """Every process of the local PostgreSQL server (its backends do the queries' work)."""
    out = subprocess.run(["pgrep", "-u", "postgres"], capture_output=True, text=True, check=False)
    return [int(p) for p in out.stdout.split()]
