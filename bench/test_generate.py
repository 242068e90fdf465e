"""The benchmarks' generator and intake run end to end on a tiny province, so they keep
working as the schema grows: run on SQLite, and on PostgreSQL when the suite is."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent


def scratch_database(tmp_path: Path) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp_path / 'tiny.sqlite3'}"
    import psycopg

    parsed = urlparse(url)
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "grassroots_bench_tiny"')
    return parsed._replace(path="/grassroots_bench_tiny").geturl()


def run(*args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run([sys.executable, "-m", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def figures(url: str) -> dict[str, int]:
    """What the generated database holds, read with plain SQL from outside Django."""
    queries = {
        "cases": "SELECT COUNT(*) FROM cases_case",
        "numbers": "SELECT COUNT(DISTINCT number) FROM cases_case",
        "without_timeline": "SELECT COUNT(*) FROM cases_case c WHERE NOT EXISTS "
        "(SELECT 1 FROM cases_caseevent e WHERE e.case_id = c.id)",
        "facts": "SELECT COUNT(*) FROM stats_casefact",
        "leaf_received": "SELECT SUM(received) FROM stats_caseday",
        "province_months": "SELECT SUM(r.received) FROM stats_rollup r JOIN org_unit u ON u.id = r.unit_id "
        "WHERE r.grain = 'm' AND u.level = 1",
        "province_days": "SELECT SUM(r.received) FROM stats_rollup r JOIN org_unit u ON u.id = r.unit_id "
        "WHERE r.grain = 'd' AND u.level = 1",
        "township_months": "SELECT SUM(r.received) FROM stats_rollup r JOIN org_unit u ON u.id = r.unit_id "
        "WHERE r.grain = 'm' AND u.level = 4",
        "closed_without_verdict": "SELECT COUNT(*) FROM cases_case WHERE state = 'closed' AND feedback = ''",
        "open": "SELECT COUNT(*) FROM cases_case WHERE state IN ('registered', 'accepted', 'in_progress', 'resolved')",
        "counted_numbers": "SELECT SUM(last) FROM cases_casecounter",
    }
    if url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            return {k: conn.execute(q).fetchone()[0] for k, q in queries.items()}
    import psycopg

    with psycopg.connect(url) as conn:
        return {k: conn.execute(q).fetchone()[0] for k, q in queries.items()}  # type: ignore[index]


@pytest.mark.django_db
def test_a_tiny_province_is_generated_counted_and_takes_intake(tmp_path):
    url = scratch_database(tmp_path)
    out = run("bench.generate", "--database-url", url, "--preset", "tiny")
    assert "stats rebuild: 3,000 cases" in out
    got = figures(url)
    assert got["cases"] == got["numbers"] == got["facts"] == got["counted_numbers"] == 3000
    assert got["without_timeline"] == 0
    assert got["closed_without_verdict"] == 0
    assert 0 < got["open"] < 300  # the last weeks' cases, a few per cent
    # Every case is counted once at every height: leaf days, the province's months and days,
    # and its townships' months.
    assert got["leaf_received"] == got["province_months"] == got["province_days"] == got["township_months"] == 3000

    out = run("bench.intake", "--database-url", url, "--seconds", "2", "--clients", "2", "--workers", "1")
    assert "intake / floor:" in out
    assert "found" in out  # and it exits non-zero if an acknowledged case is missing
