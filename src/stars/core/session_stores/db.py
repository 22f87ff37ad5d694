"""Sessions in the database, held to an expiry moved while the row could not be written
(``stars.core.session_stores``)."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db

from stars.core.session_stores import session_row


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Any:
        key = self.session_key
        return session_row(self, super()._get_session_from_db(), key)
