"""Idle sign-out: a session ends 30 minutes after the user's last request, and its row is
written about once a minute at most, not on every page. Each test runs with sessions in the
database alone and, as with a shared cache (``STARS_CACHE_URL``), read from the cache; the
last tests do it over real HTTP (a live server)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from stars.cases.models import ProgressMeeting
from stars.core import sessions
from stars.core.session_stores import PENDING
from stars.core.sessions import REFRESH_SECONDS
from tests.conftest import PASSWORD
from tests.live_http import Http

START = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)


def _row(client) -> Session:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def _session_writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if '"django_session"' in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]


DB = "stars.core.session_stores.db"
CACHED_DB = "stars.core.session_stores.cached_db"


@pytest.fixture(params=[DB, CACHED_DB])
def signed_in(request, client, users, settings):
    settings.SESSION_ENGINE = request.param
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(users["spoc"])
        assert client.get("/").status_code == 200
        yield client, clock


def test_a_request_soon_after_another_does_not_write_the_session(signed_in):
    client, clock = signed_in
    before = _row(client)
    clock.shift(REFRESH_SECONDS - 5)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert _session_writes(queries) == []
    after = _row(client)
    assert (after.expire_date, after.session_data) == (before.expire_date, before.session_data)


def test_after_the_refresh_interval_a_request_slides_the_expiry(signed_in):
    client, clock = signed_in
    before = _row(client).expire_date
    assert before == START + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    clock.shift(REFRESH_SECONDS + 1)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert len(_session_writes(queries)) == 1
    assert _row(client).expire_date == before + dt.timedelta(seconds=REFRESH_SECONDS + 1)


def test_a_user_at_work_stays_signed_in_past_the_age(signed_in):
    client, clock = signed_in
    for _ in range(settings.SESSION_COOKIE_AGE // 50 + 5):  # a page every 50 s for 35 minutes
        clock.shift(50)
        response = client.get("/")
        assert response.status_code == 200, response.get("Location")


def test_an_idle_session_older_than_the_age_is_signed_out(signed_in):
    client, clock = signed_in
    clock.shift(REFRESH_SECONDS + 1)
    client.get("/")  # the last request: the expiry slides to here + the age
    clock.shift(settings.SESSION_COOKIE_AGE + 1)
    response = client.get("/referrals/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")
    assert "_auth_user_id" not in client.session


@pytest.fixture
def import_running(monkeypatch, settings, tmp_path):
    """An import holds SQLite's write lock: a session's row cannot be written."""
    settings.STARS_HOME = tmp_path
    monkeypatch.setattr(sessions, "write_lock_free", lambda: False)
    return monkeypatch


def test_watching_an_import_that_holds_the_lock_keeps_the_session_alive(signed_in, import_running):
    client, clock = signed_in
    before = _row(client)
    for _ in range(45):  # the progress checked for 45 minutes (the page's script: every 2 s)
        clock.shift(60)
        with CaptureQueriesContext(connection) as queries:
            answer = client.get("/session/")
        assert answer.status_code == 200, answer.get("Location")
        assert answer.json()["seconds_left"] == settings.SESSION_COOKIE_AGE
        assert _session_writes(queries) == []  # the row waits for the lock
    assert _row(client).expire_date == before.expire_date  # expired, as the row says
    assert len(list((settings.STARS_HOME / PENDING).iterdir())) == 1

    import_running.undo()  # the import has finished: the next request saves the row
    clock.shift(REFRESH_SECONDS)
    assert client.get("/").status_code == 200
    now = START + dt.timedelta(minutes=45, seconds=REFRESH_SECONDS)
    assert _row(client).expire_date == now + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert not list((settings.STARS_HOME / PENDING).iterdir())


def test_an_idle_session_is_signed_out_while_an_import_holds_the_lock(signed_in, import_running):
    client, clock = signed_in
    clock.shift(REFRESH_SECONDS + 1)
    client.get("/")  # the last request: its move is kept
    clock.shift(settings.SESSION_COOKIE_AGE + 1)
    response = client.get("/referrals/")
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_signing_out_leaves_no_session_to_refresh(signed_in):
    client, clock = signed_in
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    clock.shift(REFRESH_SECONDS + 1)
    client.post("/sign-out/")
    assert not Session.objects.filter(session_key=key).exists()
    assert Session.objects.count() == 0


def test_a_signed_in_user_s_pages_are_never_kept_by_the_browser(client, users, referrals):
    """After signing out on a shared computer, Back must not bring a child's record out of
    the browser's cache: every page and download of a signed-in user says no-store."""
    client.force_login(users["provider_manager"])
    for url in (
        "/",
        f"/referrals/{referrals['derby'].referral_id}/",
        f"/cases/{referrals['derby'].referral_id}/",
        "/referrals/?format=csv",
        "/api/referrals",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        cache = response.get("Cache-Control", "")
        assert "no-store" in cache and "private" in cache, (url, cache)


def _session_reads(queries) -> list[str]:
    return [q["sql"] for q in queries if 'FROM "django_session"' in q["sql"]]


def test_with_a_shared_cache_a_page_reads_no_session_from_the_database(client, users, settings):
    settings.SESSION_ENGINE = CACHED_DB
    client.force_login(users["spoc"])
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert _session_reads(queries) == []
    client.post("/sign-out/")  # removed from the cache as well as the database
    response = client.get("/referrals/")
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


@pytest.mark.parametrize("cache_url, engine", [("", DB), ("redis://127.0.0.1:6379/0", CACHED_DB)])
def test_sessions_are_read_from_the_cache_only_when_it_is_shared(cache_url, engine, tmp_path):
    env = {**os.environ, "STARS_HOME": str(tmp_path), "STARS_CACHE_URL": cache_url}
    code = "from stars.core import settings; print(settings.SESSION_ENGINE)"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == engine


@pytest.mark.parametrize("how", ["form", "force_login"])
def test_the_first_page_after_signing_in_does_not_write_the_session(client, users, how):
    """Signing in saves the session with its expiry: the page after it has nothing to save."""
    if how == "form":
        response = client.post("/sign-in/", {"username": "spoc", "password": PASSWORD})
        assert response.status_code == 302
    else:
        client.force_login(users["spoc"])
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert _session_writes(queries) == []


# -- over real HTTP -----------------------------------------------------------------------
# Idle sign-out over real HTTP (a live server), signed in through the sign-in page with its
# CSRF token. The live server runs in a thread of the test's process, so the frozen clock
# (time-machine) is its clock too.
#
# The session cookie lasts as long as the browser (``SESSION_EXPIRE_AT_BROWSER_CLOSE``): it
# carries no expiry of its own. What a request moves forward is the session's expiry on the
# server, and the server sends the cookie again when it does. So a request less than
# ``REFRESH_SECONDS`` after the last refresh gets no session cookie and leaves the expiry
# where it was (the user is signed out ``SESSION_COOKIE_AGE`` after the sign-in), and one after
# the interval gets the cookie again and keeps the user signed in past that time.


@pytest.fixture(params=[DB, CACHED_DB])
def signed_in_over_http(request, live_server, users, settings):
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


def _expiry_of(web: Http) -> dt.datetime:
    return Session.objects.get(session_key=web.cookies[settings.SESSION_COOKIE_NAME]).expire_date


def _get(web: Http, path: str):
    status, headers, _ = web.request("GET", path)
    return status, headers


def test_over_http_a_request_before_the_interval_does_not_refresh_the_session(signed_in_over_http):
    web, clock = signed_in_over_http
    key = web.cookies[settings.SESSION_COOKIE_NAME]
    age = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert _expiry_of(web) == START + age

    clock.shift(REFRESH_SECONDS - 5)
    status, headers = _get(web, "/")
    assert status == 200
    assert _session_cookie(headers) is None  # no new cookie
    assert _expiry_of(web) == START + age  # nor a new expiry

    clock.move_to(START + age + dt.timedelta(seconds=1))  # idle since: signed out
    status, headers = _get(web, "/referrals/")
    assert status == 302 and headers["Location"].startswith("/sign-in/")
    assert not Session.objects.filter(
        session_key=key, expire_date__gt=dt.datetime.now(dt.UTC)
    ).exists()
    assert web.cookies[settings.SESSION_COOKIE_NAME] == ""  # and its cookie was removed


def test_over_http_a_request_after_the_interval_refreshes_the_session_and_cookie(
    signed_in_over_http,
):
    web, clock = signed_in_over_http
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
    assert _expiry_of(web) == refreshed + age

    clock.move_to(START + age + dt.timedelta(seconds=1))  # past the first expiry
    status, _ = _get(web, "/referrals/")
    assert status == 200  # still signed in: the expiry was moved forward

    clock.move_to(_expiry_of(web) + dt.timedelta(seconds=1))  # idle past the new expiry
    status, headers = _get(web, "/referrals/")
    assert status == 302 and headers["Location"].startswith("/sign-in/")


# The warning before sign-out: the page says, from the server, how long the session has left;
# "Stay signed in" posts to the keep-alive, which needs the CSRF token like every form.


def test_a_page_carries_the_seconds_its_session_has_left(signed_in):
    client, clock = signed_in
    clock.shift(REFRESH_SECONDS - 20)
    body = client.get("/").content.decode()
    left = settings.SESSION_COOKIE_AGE - (REFRESH_SECONDS - 20)
    assert f'data-session-seconds-left="{left}"' in body
    assert 'data-session-warning-seconds="120"' in body
    assert 'role="dialog"' in body and 'aria-modal="true"' in body
    clock.shift(30)  # this request moves the expiry forward: all of it is left
    body = client.get("/").content.decode()
    assert f'data-session-seconds-left="{settings.SESSION_COOKIE_AGE}"' in body


def test_a_signed_out_page_has_no_countdown(client, db):
    body = client.get("/sign-in/").content.decode()
    assert "data-session-seconds-left" not in body and "session-timeout" not in body
    assert "You were signed out" not in body
    expired = client.get("/sign-in/?expired=1&next=/referrals/").content.decode()
    assert "You were signed out because you did nothing for a while" in expired
    assert 'name="next" value="/referrals/"' in expired


@pytest.fixture
def csrf_client(users):
    with time_machine.travel(START, tick=False) as clock:
        web = Client(enforce_csrf_checks=True)
        web.force_login(users["key_worker"])
        assert web.get("/").status_code == 200  # sets the CSRF cookie
        yield web, clock


def test_the_keep_alive_without_the_csrf_token_is_refused(csrf_client):
    web, clock = csrf_client
    before = _row(web).expire_date
    clock.shift(REFRESH_SECONDS - 10)
    assert web.post("/session/").status_code == 403
    assert _row(web).expire_date == before


def test_stay_signed_in_moves_the_expiry_forward(csrf_client):
    web, clock = csrf_client
    before = _row(web).expire_date
    clock.shift(REFRESH_SECONDS - 10)  # sooner than any page would move it
    token = web.cookies[settings.CSRF_COOKIE_NAME].value
    response = web.post("/session/", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert response.json() == {"seconds_left": settings.SESSION_COOKIE_AGE}
    assert _row(web).expire_date == before + dt.timedelta(seconds=REFRESH_SECONDS - 10)
    # Past the old expiry, still signed in
    clock.shift(settings.SESSION_COOKIE_AGE - REFRESH_SECONDS + 20)
    assert web.get("/referrals/").status_code == 200


def test_the_keep_alive_of_an_expired_session_sends_to_sign_in(csrf_client):
    web, clock = csrf_client
    token = web.cookies[settings.CSRF_COOKIE_NAME].value
    clock.shift(settings.SESSION_COOKIE_AGE + 1)
    response = web.post("/session/", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


# A form posted after the session ended was not saved: the sign-in page says so plainly, so
# the user knows to enter it again; nothing of the form is kept, in the address or elsewhere.

NOTE = "Long note about the family's week, typed over half an hour"


def test_over_http_a_form_posted_after_the_session_ended_is_said_not_saved(
    live_server, users, referrals
):
    referral_id = referrals["derby"].referral_id
    form_page = f"/cases/{referral_id}/meeting/"
    with time_machine.travel(START, tick=False) as clock:
        web = Http(live_server)
        web.sign_in("key_worker")
        token = web.form_token(form_page)
        clock.shift(settings.SESSION_COOKIE_AGE + 1)  # the note took longer than the session
        body = urlencode({"csrfmiddlewaretoken": token, "attendees": "therapist", "notes": NOTE})
        status, headers, _ = web.request(
            "POST", form_page, body, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert status == 302
        location = headers["Location"]
        assert location == f"/sign-in/?unsaved=1&next={form_page}"  # a flag, nothing typed
        assert ProgressMeeting.objects.count() == 0

        status, _, page = web.request("GET", location)
        text = page.decode()
        assert status == 200
        assert "You had been signed out, so what you just submitted was not saved." in text
        assert "Sign in again, then enter it again on the page you were on." in text
        assert "You were signed out because you did nothing for a while" not in text
        assert NOTE not in text and "family" not in text
        assert f'name="next" value="{form_page}"' in text
        # Nothing of the form was kept for later.
        assert not [s for s in Session.objects.all() if NOTE in str(s.get_decoded())]


def test_a_page_opened_signed_out_does_not_say_anything_was_lost(client, db):
    response = client.get("/referrals/")
    assert response.status_code == 302 and response["Location"] == "/sign-in/?next=/referrals/"
    body = client.get(response["Location"]).content.decode()
    assert "was not saved" not in body
