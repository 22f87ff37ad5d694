"""On SQLite, the pages while an import holds the database's write lock, over real HTTP.

An import (`stars sufficiency import`, an upload's job) is one transaction, holding SQLite's
write lock until it ends: minutes at national size. Here the lock is held by a connection of
the test's own, longer than the server's writes wait for it (``STARS_SQLITE_TIMEOUT=2``,
not 20 s), as `stars serve` serves a newcomer's SQLite database. The upload's progress keeps
answering, every access is in the access log once the lock is free, other pages answer,
and a write that cannot wait is a 503 saying the service is busy, never a 500.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest

from stars.core.api import basic_header
from tests.conftest import PASSWORD, stars_command, stars_served
from tests.live_http import Http, multipart

WAIT = 2  # seconds a write waits for the lock: STARS_SQLITE_TIMEOUT
USER = "manager"


@pytest.fixture(scope="module")
def served(tmp_path_factory, migrated_home) -> Iterator[tuple[Path, SimpleNamespace]]:
    """A `stars serve` of a fresh SQLite home, without a job worker (the upload waits, and
    nothing else writes); the home and where it is served."""
    home = migrated_home(tmp_path_factory.mktemp("busy"))
    stars_command(
        *("createuser", USER, "--role", "provider_manager", "--password-stdin"),
        home=home,
        stdin=PASSWORD,
        check=True,
        timeout=180,
    )
    with stars_served(home, "--no-worker", env={"STARS_SQLITE_TIMEOUT": str(WAIT)}) as port:
        yield home, SimpleNamespace(url=f"http://127.0.0.1:{port}")


@contextlib.contextmanager
def write_lock_held(database: Path) -> Iterator[sqlite3.Connection]:
    """Another connection holds the write lock for the block, as an import's transaction
    does; what it wrote is undone after."""
    con = sqlite3.connect(database, isolation_level=None, timeout=30)
    con.execute("BEGIN IMMEDIATE")
    con.execute("UPDATE core_dataversioncounter SET value = value")
    try:
        yield con
    finally:
        con.execute("ROLLBACK")
        con.close()


def _progress_entries(database: Path, path: str) -> list[str]:
    with contextlib.closing(sqlite3.connect(database)) as con:
        rows = con.execute(
            "SELECT at FROM core_accesslog WHERE path = ? AND detail = 'progress' ORDER BY at",
            (path,),
        )
        return [at for (at,) in rows]


def test_an_uploads_progress_keeps_answering_and_every_check_is_logged(served, tracker_files):
    home, server = served
    database = home / "stars.sqlite3"
    web = Http(server)
    web.sign_in(USER)
    detail = _upload(web, tracker_files)

    checks = 3
    with write_lock_held(database):
        started = time.monotonic()
        for _ in range(checks):
            status, progress = web.json("GET", detail + "?format=json")
            assert status == 200 and progress["finished"] is False, progress
        # the page itself, and the keep-alive of the warning before sign-out
        status, _, page = web.request("GET", detail)
        assert status == 200 and b"Waiting for the job worker" in page, page[:300]
        status, alive = web.json("POST", "/session/", "", {"X-CSRFToken": web.cookies["csrftoken"]})
        assert status == 200 and alive["seconds_left"] > 0
        for other in ("/", "/uploads/tracker/", "/search/?q=R-1"):
            status, _, page = web.request("GET", other)
            assert status == 200, (other, status, page[:300])
        # each answered after a moment's wait, not the lock's whole wait, let alone 20 s
        assert time.monotonic() - started < (checks + 6) * WAIT
        assert _progress_entries(database, detail) == []  # not in yet: kept to be written
        assert list((home / "access-log-pending").glob("*.json"))

    status, _ = web.json("GET", detail + "?format=json")  # the lock is free: written in
    assert status == 200
    logged = _progress_entries(database, detail)
    assert len(logged) == checks + 1 and logged == sorted(logged)
    assert not list((home / "access-log-pending").iterdir())


def test_other_pages_answer_and_a_write_is_a_busy_page_never_a_server_error(served, tracker_files):
    home, server = served
    database = home / "stars.sqlite3"
    web = Http(server)
    web.sign_in(USER)
    detail = _upload(web, tracker_files)
    stars_command("worker", "--batch", home=home, check=True, timeout=600)  # imported
    other = Http(server)
    other.request("GET", "/sign-in/")
    form = {
        "username": USER,
        "password": PASSWORD,
        "csrfmiddlewaretoken": other.cookies["csrftoken"],
    }
    with write_lock_held(database):
        # a list of children's records, and the API's: shown, their reads kept
        status, _, page = web.request("GET", "/referrals/")
        assert status == 200 and page.count(b'href="/referrals/R') >= 10, page[:300]
        status, found = web.json(
            "GET", "/api/referrals", headers={"Authorization": basic_header(USER, PASSWORD)}
        )
        assert status == 200 and len(found) == 12
        # signing in must write: the busy page, never a 500
        status, head, page = other.request(
            "POST",
            "/sign-in/",
            urlencode(form),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert status == 503, page[:300]
        assert head["Retry-After"] == "60"
        text = page.decode()
        assert "Sorry, the service is busy" in text and "Try again in a minute" in text
    other.sign_in(USER)  # once the import has finished, it works
    status, _, _ = other.request("GET", detail)  # the next entry writes in those kept
    assert status == 200
    with contextlib.closing(sqlite3.connect(database)) as con:
        (listed,) = con.execute(
            "SELECT count(*) FROM core_accesslog WHERE action = 'list' AND path = '/referrals/'"
        ).fetchone()
    assert listed >= 10


def _upload(web: Http, tracker_files) -> str:
    """Upload the tracker through the form; the address of the upload's page."""
    token = web.form_token("/uploads/tracker/")
    files = {f: (p.name, p.read_bytes()) for f, p in tracker_files.items()}
    body, headers = multipart({"csrfmiddlewaretoken": token}, files)
    status, answer, _ = web.request("POST", "/uploads/tracker/", body, headers)
    assert status == 302
    return answer["Location"]
