"""Configuration comes from the environment and fails loudly on a bad value."""

from __future__ import annotations

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


def test_sqlite_runs_in_wal_mode(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] in ("wal", "memory")  # test databases may live in memory
