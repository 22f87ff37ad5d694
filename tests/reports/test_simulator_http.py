"""The simulator's workbook over real HTTP (a live server), signed in through the sign-in
page: the simulation is posted with the form's CSRF token, and its results' download link,
a GET, serves the workbook kept with its result; a GET of the link with no finished
simulation behind it is a 404 that says so. No GET works a simulation out."""

from __future__ import annotations

import io
import re
from html import unescape
from urllib.parse import urlencode

import openpyxl
import pytest

from stars.reports import simulator_views, tasks
from tests.live_http import Http

URL = "/reports/simulator/"
FORM = {"as_of": "2023-09-30", "runs": "60", "seed": "1", "to": "", "settings": ""}
DOWNLOAD = re.compile(rb'href="([^"]+)" data-testid="simulation-xlsx"')


@pytest.fixture
def investor(live_server, programme):
    web = Http(live_server)
    web.sign_in("investor")
    return web


def test_the_workbook_is_downloaded_from_the_posted_simulation_and_no_get_simulates(
    investor, monkeypatch
):
    form = {**FORM, "csrfmiddlewaretoken": investor.form_token(URL)}
    posted = {"Content-Type": "application/x-www-form-urlencoded"}
    status, _, page = investor.request("POST", URL, urlencode(form), posted)
    assert status == 200, page[:300]
    link = unescape(DOWNLOAD.search(page)[1].decode())

    def simulated(*args, **kwargs):
        raise AssertionError("a GET simulated")

    monkeypatch.setattr(simulator_views, "simulation_page", simulated)
    monkeypatch.setattr(tasks, "simulation_for", simulated)
    status, headers, body = investor.request("GET", URL + link)
    assert status == 200
    assert headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert headers["Content-Disposition"].startswith("attachment;")
    run = dict(openpyxl.load_workbook(io.BytesIO(body))["Run"].values)
    assert (run["Records as of"], run["Runs"]) == ("2023-09-30", 60)

    old_link = URL + "?" + urlencode({**FORM, "format": "xlsx"})  # the values in the address
    for address in (old_link, URL + "?format=xlsx", URL + "?job=not-a-job&format=xlsx"):
        status, headers, body = investor.request("GET", address)
        assert status == 404, address
        assert headers["Content-Type"].startswith("text/html")
        assert b"no finished simulation to download" in body, address
