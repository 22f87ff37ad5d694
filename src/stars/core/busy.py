"""Pages while a long import holds SQLite's write lock.

SQLite lets one transaction write at a time, and an import (`stars sufficiency import`, an
upload's job) is one transaction, all or nothing: at national size it holds the lock for
minutes. Pages go on reading (WAL), but a write waits for the lock, ``STARS_SQLITE_TIMEOUT``
seconds (20), then fails with "database is locked". PostgreSQL locks rows, not the
database, and is not affected. So, on SQLite, while the lock is held
(docs/decisions/0014-pages-while-an-import-runs.md):

- a page's access-log entry waits a moment (:data:`BRIEF_WAIT`), then is kept in a file and
  written to the access log once the lock is free (``stars.core.audit``): the page answers
  and no entry is lost;
- a session's expiry is moved forward only when the lock is free (``stars.core.sessions``);
- any other write waits, then answers 503, "the service is busy importing data; nothing
  was saved; try again in a minute" (``stars.core.views.server_error``), not a 500.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import OperationalError, connection

# How long an access-log entry waits for the write lock before it is kept in a file: other
# pages' writes take milliseconds; an import's, minutes.
BRIEF_WAIT = 1.0

BUSY = "The service is busy importing data, so nothing was saved. Try again in a minute."
RETRY_AFTER = 60  # seconds


def database_busy(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite's "database is locked": another connection (an import)
    held the write lock for longer than this one waited."""
    errors = (OperationalError, sqlite3.OperationalError)  # Django's, or SQLite's own
    return isinstance(exc, errors) and "is locked" in str(exc)


@contextmanager
def waiting_at_most(seconds: float) -> Iterator[None]:
    """Writes on this thread's connection wait at most ``seconds`` for the write lock (SQLite:
    its busy timeout, put back after the block); elsewhere nothing changes."""
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    raw = connection.connection  # not through Django's cursor: no query is counted
    (usual,) = raw.execute("PRAGMA busy_timeout").fetchone()
    raw.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
    try:
        yield
    finally:
        if connection.connection is raw:
            raw.execute(f"PRAGMA busy_timeout = {int(usual)}")


def write_lock_free() -> bool:
    """Whether a write could begin now without waiting: on SQLite, outside a transaction,
    whether no other connection holds the write lock (an import); always True elsewhere, or
    inside a transaction (which holds the lock already)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return True
    with waiting_at_most(0):
        raw = connection.connection
        try:
            raw.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if database_busy(exc):
                return False
            raise
        raw.execute("ROLLBACK")
    return True
