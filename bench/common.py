"""What every benchmark shares: pointing Django at a scratch database, timing, reporting."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse


def use_database(url: str) -> None:
    """Point Django at ``url`` (creating a PostgreSQL database if missing), then set it up."""
    if url.startswith("postgres"):
        import psycopg

        parsed = urlparse(url)
        name = parsed.path.lstrip("/")
        admin = parsed._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


@dataclass
class Timing:
    name: str
    samples_ms: list[float]

    def pct(self, p: float) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    def row(self) -> str:
        return (
            f"| {self.name} | {len(self.samples_ms)} | {statistics.median(self.samples_ms):.2f} | "
            f"{self.pct(95):.2f} | {self.pct(99):.2f} |"
        )


def measure(name: str, fn: Callable[[], Any], *, runs: int, warmup: int = 3) -> Timing:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return Timing(name, samples)


def table(timings: list[Timing]) -> str:
    head = "| measurement | runs | median ms | p95 ms | p99 ms |\n| --- | ---: | ---: | ---: | ---: |"
    return "\n".join([head, *(t.row() for t in timings)])
