#!/usr/bin/env python3
"""Set up and run grassroots with nothing but Python 3.11.

    python3 run.py demo    # the demo county on http://127.0.0.1:8000
    python3 run.py test    # lint, types, migrations, translations and the whole test suite

Each command first makes ``.venv`` from ``requirements.lock`` (hash-checked) when the
lock has changed since the last set-up, then runs inside it. Any other words are passed
to the ``grassroots`` command: ``python3 run.py migrate``, ``python3 run.py import units f.xlsx``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".lock-sha256"


def say(msg: str) -> None:
    print(f"[run.py] {msg}", flush=True)


def run(*cmd: str | Path, env: dict[str, str] | None = None) -> None:
    result = subprocess.run([str(c) for c in cmd], cwd=ROOT, env=env)
    if result.returncode != 0:
        sys.exit(result.returncode)


def setup() -> None:
    if sys.version_info < (3, 11):
        sys.exit("grassroots needs Python 3.11 or newer")
    digest = hashlib.sha256(LOCK.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not (STAMP.exists() and STAMP.read_text().strip() == digest and PY.exists()):
        say("setting up .venv from requirements.lock")
        if VENV.exists():
            shutil.rmtree(VENV)
        venv.EnvBuilder(with_pip=True).create(VENV)
        run(
            PY,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--require-hashes",
            "--no-deps",
            "-r",
            LOCK,
        )
        run(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", "-e", ROOT)
        STAMP.write_text(digest)
    run(PY, "-m", "grassroots", "compilepo", "--verbosity", "0")


def ensure_chromium() -> None:
    """The browser tests drive Debian's Chromium; install it when we are root and it is missing."""
    if shutil.which("chromium") or Path("/usr/bin/chromium").exists():
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say("installing Debian's chromium for the browser tests")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run("apt-get", "update", "-qq", env=env)
        run("apt-get", "install", "-y", "-qq", "chromium", "fonts-noto-cjk", env=env)
    else:
        say("chromium is missing: run 'sudo apt-get install -y chromium' (browser tests will be skipped)")


def test(args: list[str]) -> None:
    ensure_chromium()
    steps: list[tuple[str, list[str | Path]]] = [
        ("ruff", [PY, "-m", "ruff", "check", "."]),
        ("mypy", [PY, "-m", "mypy"]),
        ("migrations", [PY, "-m", "grassroots", "makemigrations", "--check", "--dry-run"]),
        ("system checks", [PY, "-m", "grassroots", "check", "--fail-level", "WARNING"]),
        ("tests", [PY, "-m", "pytest", *args]),
    ]
    for name, cmd in steps:
        say(name)
        run(*cmd)


def main() -> None:
    args = sys.argv[1:] or ["help"]
    if args[0] in ("help", "-h", "--help"):
        print(__doc__)
        return
    setup()
    if args[0] == "test":
        test(args[1:])
    else:
        os.execv(str(PY), [str(PY), "-m", "grassroots", *args])


if __name__ == "__main__":
    main()
