"""When a failed email is tried again: a pure rule (the caller counts the attempts).

An email that fails is tried again after 1, 5, 25 and 125 minutes (a delay five times the
one before); after the fifth failed attempt it is given up and shown to the administrator.
"""

from __future__ import annotations

import datetime as dt

MAX_ATTEMPTS = 5
FIRST_DELAY = dt.timedelta(minutes=1)
FACTOR = 5


def retry_after(failed_attempts: int) -> dt.timedelta | None:
    """How long to wait before the next attempt after ``failed_attempts`` failures (1 or
    more); None once ``MAX_ATTEMPTS`` have failed: give up."""
    if failed_attempts < 1:
        raise ValueError("retry_after counts failed attempts, from 1")
    if failed_attempts >= MAX_ATTEMPTS:
        return None
    factor: int = FACTOR ** (failed_attempts - 1)
    return FIRST_DELAY * factor
