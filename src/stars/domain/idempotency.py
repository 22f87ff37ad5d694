"""A write sent again: the API's ``Idempotency-Key`` and the enquiry resent without one.

A client that sends a write and sees no answer (a network timeout) cannot know whether it
was done, so it sends it again. With an ``Idempotency-Key`` header (any text the client
chooses, e.g. a UUID, one per write), the second request is answered as the first was and
does nothing; without one, an enquiry identical to one the same user recorded within
:data:`RESENT_WITHIN` is refused. Pure functions: the caller passes the request's parts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"  # "true" on an answer given again
KEY_MAX_LENGTH = 255
# How long a key is remembered: a retry later than this is a new request.
KEY_KEPT = dt.timedelta(hours=24)
# Without a key, an enquiry identical to one the same user recorded this recently is taken
# as the same enquiry sent again.
RESENT_WITHIN = dt.timedelta(minutes=10)

_KEY = re.compile(rf"[\x21-\x7e]{{1,{KEY_MAX_LENGTH}}}")
KEY_RULE = (
    f"must be 1 to {KEY_MAX_LENGTH} visible ASCII characters without spaces, "
    "e.g. a UUID, a new one for each write"
)


def key_valid(key: str) -> bool:
    """Whether ``key`` is an acceptable ``Idempotency-Key`` (see :data:`KEY_RULE`)."""
    return _KEY.fullmatch(key) is not None


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    """What must be the same for a request to be the same one sent again: the method, the
    path with its query, and the body; a JSON body is compared as data, so the order of its
    keys and its spacing do not count."""
    try:
        data = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"))
    except (ValueError, RecursionError):
        data = body.decode("utf-8", "replace")
    text = "\n".join((method.upper(), path, data))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def minutes_ago(then: dt.datetime, now: dt.datetime) -> str:
    """``then`` as a span back from ``now``: "less than a minute ago", "3 minutes ago"."""
    minutes = int((now - then).total_seconds() // 60)
    if minutes < 1:
        return "less than a minute ago"
    return f"{minutes} minute{'s' if minutes != 1 else ''} ago"
