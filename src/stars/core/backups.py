"""Back up and restore the whole database: SQLite through its online backup API (safe while
the service runs), PostgreSQL through ``pg_dump`` / ``pg_restore`` (custom format).

A restore refuses to overwrite a database that holds data unless forced, and refuses a file
that is not a whole STARS backup of the same kind of database (another application's
database or dump, a file cut short), with the database unchanged. It replaces the whole
database: tables the backup does not have (made by a later version's migrations) are dropped,
so the migrations that follow make them afresh. Both are in the audit (the backup's
entry is written before the copy, so the backup holds it; the restore's after, in the
restored database).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction

from stars.core.audit import flush_pending, pending_kept, record_access

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
# Rows that every migrated database has, or that only say a process is running: not "data".
NOT_DATA = {"contenttypes.contenttype", "auth.permission", "jobs.workerheartbeat"}


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, in one line."""


@dataclass(frozen=True)
class Outcome:
    path: Path
    vendor: str
    size: int


def _settings() -> dict[str, Any]:
    return dict(connection.settings_dict)


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    """libpq's variables for the configured database (the password never on a command line)."""
    env = dict(os.environ)
    for var, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if db.get(key):
            env[var] = str(db[key])
    return env


def _run(command: list[str], env: dict[str, str], *, failed: str = "") -> str:
    """Run a PostgreSQL client tool; its standard output. ``failed`` is said after its last
    line of error when it fails (what became of the database)."""
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL's client tools)") from exc
    if done.returncode:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        raise BackupError(f"{command[0]} failed: {lines[-1] if lines else done.returncode}{failed}")
    return done.stdout


def stars_tables() -> tuple[str, str]:
    """Tables every STARS database has, whatever its version: a backup without them is
    another application's."""
    return ("django_migrations", apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table)


def tables_with_data() -> list[str]:
    """The models (``app.model``) of this database that hold at least one row."""
    found = []
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in NOT_DATA or not model._meta.managed:
            continue
        try:
            if model._default_manager.using("default").exists():
                found.append(label)
        except DatabaseError:
            continue  # not migrated yet: no data in it
    return found


def backup(path: Path) -> Outcome:
    """Copy the whole database to ``path`` (overwritten if it exists)."""
    db = _settings()
    if path.is_dir():
        raise BackupError(f"{path}: is a directory; name the backup file")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent}: no such directory")
    record_access(
        user=None, action="export", object_type="database", detail=f"backup to {path.resolve()}"
    )
    if connection.vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"backups of {connection.vendor} databases are not supported")
    flush_pending()  # a backup holds every access-log entry (docs/decisions/0014)
    if pending_kept():
        raise BackupError(
            "An import is running, so some access-log entries are not written in yet. "
            "Run the backup again when the import has finished."
        )
    # written beside the file and renamed when complete, so a backup that fails (a full
    # disk) leaves the last good one of the same name; readable by this user only, as the
    # database itself is (the children's records are in it)
    tmp = path.with_name(path.name + ".partial")
    tmp.unlink(missing_ok=True)
    try:
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as exc:
        raise BackupError(f"{path}: cannot write the backup ({exc.strerror})") from exc
    try:
        if connection.vendor == "sqlite":
            source = sqlite3.connect(str(db["NAME"]))
            target = sqlite3.connect(str(tmp))
            try:
                with target:
                    source.backup(target)
            except sqlite3.Error as exc:
                raise BackupError(f"{path}: the copy failed ({exc}); nothing was replaced") from exc
            finally:
                target.close()
                source.close()
        else:
            _run(["pg_dump", "--format=custom", "--no-owner", f"--file={tmp}"], _pg_env(db))
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return Outcome(path=path, vendor=connection.vendor, size=path.stat().st_size)


def _kind(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    return "unknown"


def _dump_tables(path: Path) -> set[str]:
    """The tables of the pg_dump archive at ``path`` (its table of contents); refused, with
    nothing changed, when it cannot be read to its end or is not a STARS database's."""
    try:
        listing = _run(["pg_restore", "--list", str(path)], dict(os.environ))
    except BackupError as exc:
        raise BackupError(f"{path}: not a whole STARS backup ({exc}); nothing was changed") from exc
    tables = set()
    for line in listing.splitlines():
        # "215; 1259 16390 TABLE public django_migrations postgres"
        words = line.split(";", 1)[-1].split()
        if len(words) >= 5 and words[2] == "TABLE":
            tables.add(words[4])
    missing = [t for t in stars_tables() if t not in tables]
    if missing:
        raise BackupError(
            f"{path}: a PostgreSQL backup, but not of STARS (no {' or '.join(missing)} "
            "table); nothing was changed"
        )
    return tables


def _drop_tables_not_in(backed_up: set[str]) -> None:
    """Drop the tables the restored backup did not have: a later version's, whose
    migrations the backup does not record, so migrating makes them again (else it stops at
    "already exists", their rows being the replaced database's)."""
    with transaction.atomic(), connection.cursor() as cursor:
        for table in sorted(set(connection.introspection.table_names(cursor)) - backed_up):
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE")


def restore(path: Path, *, force: bool = False) -> Outcome:
    """Replace the database with the backup at ``path``; refused when the database holds
    data, unless ``force``."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    kind = _kind(path)
    if kind == "unknown":
        raise BackupError(f"{path}: not a STARS backup (neither SQLite nor pg_dump's format)")
    if kind != connection.vendor:
        raise BackupError(
            f"{path}: a {kind} backup cannot be restored into this {connection.vendor} database"
        )
    if kind == "sqlite":
        check = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            names = {r[0] for r in check.execute("SELECT name FROM sqlite_master")}
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{path}: not a readable SQLite database ({exc})") from exc
        finally:
            check.close()
        if not set(stars_tables()) <= names:
            raise BackupError(
                f"{path}: a SQLite database, but not a STARS backup; nothing was changed"
            )
    backed_up = _dump_tables(path) if kind == "postgresql" else set()
    occupied = tables_with_data()
    if occupied and not force:
        raise BackupError(
            f"the database holds data ({', '.join(occupied[:3])}"
            f"{', ...' if len(occupied) > 3 else ''}); restoring would replace it: "
            "give --force to do so"
        )
    db = _settings()
    connections.close_all()
    if kind == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        target = sqlite3.connect(str(db["NAME"]), timeout=30)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={db['NAME']}",
                str(path),
            ],
            _pg_env(db),
            failed="; nothing was changed",  # one transaction: all of it or none
        )
        _drop_tables_not_in(backed_up)
    record_access(
        user=None, action="import", object_type="database", detail=f"restored from {path.name}"
    )
    return Outcome(path=path, vendor=kind, size=path.stat().st_size)
