"""Backup and restore of the whole site: the database and the uploaded files, in one
archive with a manifest of what it holds.

SQLite is copied with SQLite's online backup API (consistent while the site runs);
PostgreSQL with ``pg_dump --format=custom`` (a consistent snapshot) and restored with
``pg_restore --clean``. The archive is a tar.gz: ``manifest.json``, ``database.sqlite3`` or
``database.pgdump``, and ``media/``.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections

from grassroots import clock

FORMAT = "grassroots-backup-1"
# Tables whose row counts the manifest records, to check a restore against.
COUNTED = ["cases_case", "cases_caseevent", "org_unit", "audit_auditentry", "activities_activity"]


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class Manifest:
    engine: str
    created_at: str
    counts: dict[str, int]


def _engine() -> str:
    return "sqlite" if connection.vendor == "sqlite" else "postgresql"


def counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        found = {}
        for table in COUNTED:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608  # our own table names
            found[table] = int(cursor.fetchone()[0])
    return found


def backup(target: Path) -> Manifest:
    """Write the archive to ``target``."""
    manifest = Manifest(engine=_engine(), created_at=clock.now().isoformat(), counts=counts())
    with tempfile.TemporaryDirectory() as scratch:
        dump = Path(scratch) / ("database.sqlite3" if manifest.engine == "sqlite" else "database.pgdump")
        if manifest.engine == "sqlite":
            connection.ensure_connection()
            destination = sqlite3.connect(dump)
            try:
                connection.connection.backup(destination)
            finally:
                destination.close()
        else:
            _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(dump), _dsn()])
        with tarfile.open(target, "w:gz") as archive:
            _add_bytes(archive, "manifest.json", json.dumps({"format": FORMAT, **vars(manifest)}).encode())
            archive.add(dump, arcname=dump.name)
            media = Path(settings.MEDIA_ROOT)
            if media.exists():
                archive.add(media, arcname="media")
    return manifest


def restore(source: Path) -> Manifest:
    """Replace the database and the uploaded files with the archive's; the counts of the
    restored database must match the manifest's, or it says so."""
    with tempfile.TemporaryDirectory() as scratch, tarfile.open(source, "r:gz") as archive:
        names = archive.getnames()
        if "manifest.json" not in names:
            raise BackupError(f"{source} is not a grassroots backup (no manifest.json)")
        data = json.loads(archive.extractfile("manifest.json").read())  # type: ignore[union-attr]
        if data.get("format") != FORMAT:
            raise BackupError(f"{source}: unknown backup format {data.get('format')!r}")
        manifest = Manifest(engine=data["engine"], created_at=data["created_at"], counts=data["counts"])
        if manifest.engine != _engine():
            raise BackupError(f"{source} holds a {manifest.engine} database; this site runs on {_engine()}")
        archive.extractall(scratch, filter="data")
        dump = Path(scratch) / ("database.sqlite3" if manifest.engine == "sqlite" else "database.pgdump")
        if manifest.engine == "sqlite":
            origin = sqlite3.connect(dump)
            try:
                connection.ensure_connection()
                origin.backup(connection.connection)
            finally:
                origin.close()
        else:
            for conn in connections.all():
                conn.close()
            _run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    "--dbname",
                    _dsn(),
                    str(dump),
                ]
            )
        media = Path(scratch) / "media"
        if media.exists():
            _replace_tree(media, Path(settings.MEDIA_ROOT))
    restored = counts()
    if restored != manifest.counts:
        raise BackupError(f"restored, but the counts differ from the manifest: {restored} != {manifest.counts}")
    return manifest


def _dsn() -> str:
    db: dict[str, Any] = connection.settings_dict
    parts = {
        "dbname": db["NAME"],
        "user": db.get("USER") or "",
        "password": db.get("PASSWORD") or "",
        "host": db.get("HOST") or "",
        "port": str(db.get("PORT") or ""),
    }
    return " ".join(f"{k}={v}" for k, v in parts.items() if v)


def _run(command: list[str]) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False, env={**os.environ})  # noqa: S603
    except FileNotFoundError as missing:
        raise BackupError(f"{command[0]} is not installed (the PostgreSQL client tools are needed)") from missing
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-500:]}")


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def _replace_tree(source: Path, target: Path) -> None:
    import shutil

    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
