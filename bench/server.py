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
        self, database_url: str, *, workers: int = 2, port: int = 8765, settings: str = "grassroots.settings"
    ) -> None:
        self.database_url = database_url
        self.workers = workers
        self.port = port
        self.settings = settings
        self.base = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None

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
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True, text=True, check=False
        )
        return [int(p) for p in out.stdout.split()]

    def peak_worker_rss_mb(self) -> float:
        """The largest peak resident set (VmHWM) of any worker so far."""
        peaks = []
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except FileNotFoundError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return max(peaks, default=0.0)

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
