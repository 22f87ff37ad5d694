"""Idle sign-out over real HTTP (a live server), signed in through the sign-in page with its
CSRF token. The live server runs in a thread of the test's process, so the frozen clock
(time-machine) is its clock too.

The session cookie lasts as long as the browser (``SESSION_EXPIRE_AT_BROWSER_CLOSE``): it
carries no expiry of its own. What a request moves forward is the session's expiry on the
server, and the server sends the cookie again when it does. So a request less than
``REFRESH_SECONDS`` after the last refresh gets no session cookie and leaves the expiry
where it was (the user is signed out ``SESSION_COOKIE_AGE`` after the sign-in), and one after
the interval gets the cookie again and keeps the user signed in past that time."""

from __future__ import annotations

import datetime as dt
from http.cookies import SimpleCookie

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session

from stars.core.sessions import REFRESH_SECONDS
from tests.live_http import Http

START = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
DB = "django.contrib.sessions.backends.db"
CACHED_DB = "django.contrib.sessions.backends.cached_db"


@pytest.fixture(params=[DB, CACHED_DB])
def signed_in(request, live_server, users, settings):
    settings.SESSION_ENGINE = request.param
    with time_machine.travel(START, tick=False) as clock:
        web = Http(live_server)
        web.sign_in("spoc")
        yield web, clock


def _session_cookie(headers) -> SimpleCookie | None:
    for raw in headers.get_all("Set-Cookie") or []:
        cookie = SimpleCookie(raw)
        if settings.SESSION_COOKIE_NAME in cookie:
            return cookie
    return None


def _expiry(web: Http) -> dt.datetime:
    return Session.objects.get(session_key=web.cookies[settings.SESSION_COOKIE_NAME]).expire_date


def _get(web: Http, path: str):
    status, headers, _ = web.request("GET", path)
    return status, headers


def test_a_request_before_the_interval_does_not_refresh_the_session(signed_in):
    web, clock = signed_in
    key = web.cookies[settings.SESSION_COOKIE_NAME]
    age = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert _expiry(web) == START + age

    clock.shift(REFRESH_SECONDS - 5)
    status, headers = _get(web, "/")
    assert status == 200
    assert _session_cookie(headers) is None  # no new cookie
    assert _expiry(web) == START + age  # nor a new expiry

    clock.move_to(START + age + dt.timedelta(seconds=1))  # idle since: signed out
    status, headers = _get(web, "/referrals/")
    assert status == 302 and headers["Location"].startswith("/sign-in/")
    assert not Session.objects.filter(
        session_key=key, expire_date__gt=dt.datetime.now(dt.UTC)
    ).exists()
    assert web.cookies[settings.SESSION_COOKIE_NAME] == ""  # and its cookie was removed


def test_a_request_after_the_interval_refreshes_the_session_and_its_cookie(signed_in):
    web, clock = signed_in
    key = web.cookies[settings.SESSION_COOKIE_NAME]
    age = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)

    clock.shift(REFRESH_SECONDS + 1)
    refreshed = START + dt.timedelta(seconds=REFRESH_SECONDS + 1)
    status, headers = _get(web, "/")
    assert status == 200
    cookie = _session_cookie(headers)
    assert cookie is not None  # sent again: the session was saved
    morsel = cookie[settings.SESSION_COOKIE_NAME]
    assert morsel.value == key  # the same session
    assert not morsel["expires"] and not morsel["max-age"]  # a browser-session cookie
    assert morsel["httponly"] and morsel["samesite"] == "Lax"
    assert _expiry(web) == refreshed + age

    clock.move_to(START + age + dt.timedelta(seconds=1))  # past the first expiry
    status, _ = _get(web, "/referrals/")
    assert status == 200  # still signed in: the expiry was moved forward

    clock.move_to(_expiry(web) + dt.timedelta(seconds=1))  # idle past the new expiry
    status, headers = _get(web, "/referrals/")
    assert status == 302 and headers["Location"].startswith("/sign-in/")
