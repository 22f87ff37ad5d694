"""Django's database sessions (alone, or read from a shared cache) whose expiry a request
can move forward while an import holds SQLite's write lock (``stars.core.busy``,
docs/decisions/0014-pages-while-an-import-runs.md).

The session's row cannot be written then, so the move is kept in a file of
``STARS_HOME/session-expiry-pending/`` (``stars.core.pending``), named by a hash of the
session's key (never the key itself), and a session whose row has expired is still read
while the move kept for it says it has not. The first request once the lock is free saves
the row with its new expiry and deletes the file (``stars.core.sessions``). Signing out
deletes the row: no file brings a session back without it.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings

from stars.core.pending import Latest

PENDING = "session-expiry-pending"
KEPT = Latest(PENDING)  # a file per session, named by a hash of its key


def kept_refresh(key: str | None) -> int:
    """When a request last moved the session ``key``'s expiry forward while its row could
    not be written (seconds since the epoch); 0 if none did since the row was saved."""
    if not key:
        return 0
    try:
        return int(KEPT.read(key) or 0)
    except ValueError:
        return 0


def keep_refresh(key: str, at: int) -> None:
    """Keep that the session ``key``'s expiry moved forward at ``at``: its row cannot be
    written now. Files of sessions that have ended since are deleted."""
    KEPT.write(key, str(at), older_than=time.time() - int(settings.SESSION_COOKIE_AGE))


def forget_refresh(key: str | None) -> None:
    """The session ``key``'s row holds its expiry again: no move is kept for it."""
    if key:
        KEPT.forget(key)


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
