"""Deployment hardening: login throttling on the page and the API token, and production
settings that pass Django's deployment checks."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.test import Client

from grassroots.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_five_failed_logins_block_the_account_for_a_while(world):
    browser = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.1.1.1")
    for _ in range(5):
        assert browser.post("/login/", {"username": "street", "password": "guess"}).status_code == 200
    blocked = browser.post("/login/", {"username": "street", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many failed logins for this account" in blocked.content.decode()
    api = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.9.9.9")
    refused = api.post("/api/v1/auth/token/", {"username": "street", "password": PASSWORD})
    assert refused.status_code == 429 and "Try again in 15 minutes" in refused.json()["detail"]
    # Another account from the same address is not blocked by these five.
    assert browser.post("/login/", {"username": "county", "password": PASSWORD}).status_code == 302


def test_an_address_trying_many_accounts_is_blocked(world):
    browser = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.2.2.2")
    for n in range(20):
        browser.post("/login/", {"username": f"user{n}", "password": "guess"})
    blocked = browser.post("/login/", {"username": "county", "password": PASSWORD})
    assert blocked.status_code == 429 and "from this address" in blocked.content.decode()


def test_api_token_failures_are_audited_and_count(world):
    from grassroots.audit.models import AuditEntry

    api = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.3.3.3")
    assert api.post("/api/v1/auth/token/", {"username": "grid", "password": "x"}).status_code == 400
    assert AuditEntry.objects.filter(action="login_failed", target_repr="grid").count() == 1
    token = api.post("/api/v1/auth/token/", {"username": "grid", "password": PASSWORD}).json()["token"]
    assert len(token) == 40


def test_production_settings_pass_the_deployment_checks(tmp_path):
    env = {
        **os.environ,
        "HTTPS": "1",
        "SECRET_KEY": "k" * 20 + "a-long-random-production-secret-0123456789",
        "ALLOWED_HOSTS": "grassroots.example.gov.cn",
        "DATA_DIR": str(tmp_path),
        "DEBUG": "0",
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests of this run, never in production
    done = subprocess.run(
        [sys.executable, "-m", "grassroots", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
