"""Idle sign-out: a session ends 30 minutes after the user's last request, and its row is
written about once a minute at most, not on every page."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stars.core.sessions import REFRESH_SECONDS

START = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)


def _row(client) -> Session:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def _session_writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if '"django_session"' in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]


@pytest.fixture
def signed_in(client, users):
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


def test_signing_out_leaves_no_session_to_refresh(signed_in):
    client, clock = signed_in
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    clock.shift(REFRESH_SECONDS + 1)
    client.post("/sign-out/")
    assert not Session.objects.filter(session_key=key).exists()
    assert Session.objects.count() == 0
