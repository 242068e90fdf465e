"""Configuration comes from the environment and fails loudly on a bad value."""

from __future__ import annotations

from typing import Any

import pytest

from grassroots.env import ConfigError, env_bool, env_int, env_list


def test_booleans_accept_the_usual_words_and_refuse_typos(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "ture")
    with pytest.raises(ConfigError, match="X_FLAG='ture' is not a boolean"):
        env_bool("X_FLAG", False)


def test_integers_and_lists(monkeypatch):
    monkeypatch.setenv("X_N", "12")
    monkeypatch.setenv("X_HOSTS", "a.example, b.example,")
    assert env_int("X_N", 0) == 12
    assert env_list("X_HOSTS", []) == ["a.example", "b.example"]
    monkeypatch.setenv("X_N", "twelve")
    with pytest.raises(ConfigError, match="not an integer"):
        env_int("X_N", 0)


def test_the_default_database_is_sqlite_in_wal_mode(monkeypatch, tmp_path):
    """Without DATABASE_URL the settings give a SQLite file in DATA_DIR whose connections
    switch to WAL (the test database itself lives in memory, where WAL cannot apply)."""
    import sqlite3

    from grassroots import settings as project

    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(project, "DATA_DIR", tmp_path)
    config = project._database()
    assert config["NAME"] == str(tmp_path / "grassroots.sqlite3")
    options: Any = config["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    db = sqlite3.connect(str(config["NAME"]))
    db.executescript(options["init_command"])
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_postgresql_prepares_statements_only_when_asked(monkeypatch):
    """Off by default (a plan kept for any values slows a province's dashboard); on for an
    app server that only takes intake."""
    from grassroots import settings as project

    monkeypatch.setenv("DATABASE_URL", "postgres://app@db.example:5432/grassroots")
    monkeypatch.delenv("DB_PREPARED_STATEMENTS", raising=False)
    options: Any = project._database()["OPTIONS"]
    assert "server_side_binding" not in options and "prepare_threshold" not in options
    monkeypatch.setenv("DB_PREPARED_STATEMENTS", "1")
    options = project._database()["OPTIONS"]
    assert options["server_side_binding"] is True and options["prepare_threshold"] == 2


def test_a_web_worker_keeps_what_it_loaded_out_of_the_collectors_walk(tmp_path):
    """A full collection in a worker that walked every loaded module took 100-130 ms at ten
    million cases: the worker freezes them once every view is imported."""
    import os
    import subprocess
    import sys

    probe = "import gc, grassroots.wsgi; print(gc.get_freeze_count(), len(gc.get_objects()))"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "grassroots.settings", "DATABASE_URL": f"sqlite:///{tmp_path}/x"}
    frozen, walked = map(int, subprocess.check_output([sys.executable, "-c", probe], env=env, text=True).split())
    assert frozen > 100_000 and walked < frozen / 10
