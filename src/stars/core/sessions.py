"""Idle sign-out without a database write on every request.

A session ends ``SESSION_COOKIE_AGE`` seconds (30 minutes) after the user's last request:
the session row's expiry date is moved forward when the session is saved, and Django saves
it only when something in it changed. Saving it on every request
(``SESSION_SAVE_EVERY_REQUEST``) is an UPDATE and a commit per page for every user;
:func:`session_refresh_middleware` instead marks the session changed when its expiry was
last moved more than :data:`REFRESH_SECONDS` ago, so a user is signed out between
``SESSION_COOKIE_AGE - REFRESH_SECONDS`` and ``SESSION_COOKIE_AGE`` seconds after their last
request, and a busy user's session is written about once a minute. While an import holds
SQLite's write lock the row cannot be written: the move is kept in a file, and the session
is held to it (``stars.core.session_stores``), so a user watching a long import's progress
is not signed out; the row is saved at the first request once the lock is free.

:func:`private_pages_middleware`: a signed-in user's pages and downloads are never kept by
the browser (``Cache-Control: no-store, private``), so after signing out on a shared
computer Back shows no child's record from the browser's cache.

:func:`session_timeout`: every signed-in page carries the seconds its session has left, from
the server, for the warning before sign-out (``static/stars/timeout.mjs``); the warning's
"Stay signed in" posts to :func:`stars.core.views.session_keep_alive`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.cache import add_never_cache_headers

from stars.core.busy import write_lock_free
from stars.core.session_stores import forget_refresh, keep_refresh, kept_refresh

# The most a session's expiry may lag behind the user's last request.
REFRESH_SECONDS = 60
# When the session's expiry was last moved forward (seconds since the epoch).
REFRESHED_KEY = "stars_refreshed"
# How long before sign-out the warning shows (GOV.UK's timeout warning: 2 minutes), at most
# a third of the session's length.
WARNING_SECONDS = 120


def session_refresh_middleware(get_response: Callable[[HttpRequest], Any]) -> Callable[..., Any]:
    """Move a session's expiry forward when it was last moved more than a minute ago (or
    when the session changed anyway). Placed after Django's ``SessionMiddleware``, which
    saves the session, when it changed, after this has run. While an import holds SQLite's
    write lock (``stars.core.busy``), an unchanged session's row is left as it is and the
    move is kept in a file (``stars.core.session_stores``), at most once a minute too."""

    def middleware(request: HttpRequest) -> Any:
        response = get_response(request)
        session = getattr(request, "session", None)
        # An empty session (no sign-in, or just signed out) is not created or kept alive.
        if session is not None and not session.is_empty():
            now = int(time.time())
            due = now - int(session.get(REFRESHED_KEY, 0)) >= REFRESH_SECONDS
            # not while an import holds SQLite's write lock: the page would wait for it,
            # then fail; the move is kept, and the row saved at a request after the import
            if session.modified or (due and write_lock_free()):
                session[REFRESHED_KEY] = now
                forget_refresh(session.session_key)
            elif due and now - kept_refresh(session.session_key) >= REFRESH_SECONDS:
                keep_refresh(session.session_key, now)
        return response

    return middleware


def session_refresh(request: HttpRequest) -> None:
    """Move the session's expiry forward now: the whole ``SESSION_COOKIE_AGE`` is left."""
    request.session[REFRESHED_KEY] = int(time.time())


def session_seconds_left(request: HttpRequest) -> int | None:
    """Seconds until the signed-in user's session expires if they make no other request
    (``None`` signed out). A session whose expiry this request moves forward (changed, or
    last moved a minute ago or more: :func:`session_refresh_middleware`) has all of it."""
    session = getattr(request, "session", None)
    user = getattr(request, "user", None)
    if session is None or user is None or not user.is_authenticated:
        return None
    age = int(settings.SESSION_COOKIE_AGE)
    now = int(time.time())
    refreshed = int(session.get(REFRESHED_KEY, 0))
    if not session.modified and now - refreshed >= REFRESH_SECONDS:
        refreshed = max(refreshed, kept_refresh(session.session_key))  # moved while locked
    if session.modified or now - refreshed >= REFRESH_SECONDS:
        return age
    return max(0, age - (now - refreshed))


def session_timeout(request: HttpRequest) -> dict[str, Any]:
    """Template context: the seconds the session has left and when to warn (signed in)."""
    left = session_seconds_left(request)
    if left is None:
        return {}
    warn = min(WARNING_SECONDS, int(settings.SESSION_COOKIE_AGE) // 3)
    return {"session_seconds_left": left, "session_warning_seconds": warn}


def session_refreshed_at_sign_in(
    sender: Any, request: HttpRequest, user: Any, **kwargs: Any
) -> None:
    """Signing in saves the session with a new expiry: the next minute's requests need not
    (connected to ``user_logged_in`` in ``stars.core.apps``)."""
    if request is not None and hasattr(request, "session"):
        session_refresh(request)


def private_pages_middleware(get_response: Callable[[HttpRequest], Any]) -> Callable[..., Any]:
    """``Cache-Control: no-store, private`` (Django's never-cache headers) on every answer
    to a signed-in user that does not set its own caching."""

    def middleware(request: HttpRequest) -> Any:
        response = get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response

    return middleware
