"""Sessions read from a shared cache and kept in the database, held to an expiry moved while
the row could not be written (``stars.core.session_stores``): Django's, reading the
database as ``stars.core.session_stores.db`` does."""

from __future__ import annotations

from django.contrib.sessions.backends import cached_db

from stars.core.session_stores import db


class SessionStore(cached_db.SessionStore, db.SessionStore):
    pass
