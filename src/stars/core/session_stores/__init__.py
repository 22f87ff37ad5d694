"""Django's database sessions (alone, or read from a shared cache) whose expiry a request
can move forward while an import holds SQLite's write lock (``stars.core.busy``,
docs/decisions/0014-pages-while-an-import-runs.md).

The session's row cannot be written then, so the move is kept in a file of
``STARS_HOME/session-expiry-pending/``, named by a hash of the session's key (never the key
itself), and a session whose row has expired is still read while the move kept for it says
it has not. The first request once the lock is free saves the row with its new expiry and
deletes the file (``stars.core.sessions``). Signing out deletes the row: no file brings a
session back without it.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path
from typing import Any

from django.conf import settings

PENDING = "session-expiry-pending"


def _kept_file(key: str) -> Path:
    return Path(settings.STARS_HOME) / PENDING / hashlib.sha256(key.encode()).hexdigest()


def kept_refresh(key: str | None) -> int:
    """When a request last moved the session ``key``'s expiry forward while its row could
    not be written (seconds since the epoch); 0 if none did since the row was saved."""
    if not key:
        return 0
    try:
        return int(_kept_file(key).read_text(encoding="ascii"))
    except (FileNotFoundError, ValueError):
        return 0


def keep_refresh(key: str, at: int) -> None:
    """Keep that the session ``key``'s expiry moved forward at ``at``: its row cannot be
    written now. Files of sessions that have ended since are deleted."""
    path = _kept_file(key)
    path.parent.mkdir(exist_ok=True)
    ended = time.time() - int(settings.SESSION_COOKIE_AGE)
    for old in path.parent.iterdir():
        try:
            if old.stat().st_mtime < ended:
                old.unlink()
        except FileNotFoundError:
            continue
    tmp = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    tmp.write_text(str(at), encoding="ascii")
    os.replace(tmp, path)


def forget_refresh(key: str | None) -> None:
    """The session ``key``'s row holds its expiry again: no move is kept for it."""
    if key:
        _kept_file(key).unlink(missing_ok=True)


def session_row(store: Any, found: Any, key: str | None) -> Any:
    """The row of the session ``key`` that ``store`` read (``found``; None: none unexpired),
    or its expired row while the move kept for it (:func:`keep_refresh`) has not ended."""
    if found is not None or not key:
        return found
    if kept_refresh(key) + int(settings.SESSION_COOKIE_AGE) <= time.time():
        return None
    row = store.model.objects.filter(session_key=key).first()
    if row is not None:
        store._session_key = key  # Django's store forgot it, the row having expired
    return row
