"""Load with faults, bounded for CI: two app servers and two task workers on a PostgreSQL of
the test's own, a web worker and both task workers killed, the database crashed and
restarted — and every acknowledged case there once, with its timeline and its statistics.
Runs when the suite runs on PostgreSQL; ``bench.reliability`` runs it for minutes."""

from __future__ import annotations

import os

import pytest

from bench.reliability import _pg_bin
from bench.test_generate import run


@pytest.mark.postgres
def test_nothing_acknowledged_is_lost_or_doubled_through_kills_and_a_database_crash():
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("the suite is on SQLite; the load test needs PostgreSQL's server binaries and runs with it")
    _pg_bin()  # says plainly when the machine has no initdb/pg_ctl
    out = run("bench.reliability", "--seconds", "10", "--clients", "6")
    assert "✗" not in out, out
    assert out.count("✓") == 10, out
    assert "PostgreSQL crashed and restarted" in out
    assert "SIGKILL task worker" in out
