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


def test_the_investor_chooses_records_as_of_from_the_quarters_ends(investor, live_server):
    """ "Records as of" is a list of the quarters' ends for a role that sees figures only, as
    every other date field is: a typed day inside a quarter is refused on the field, 400,
    and nothing is simulated; a role that sees children's records keeps a date input."""
    status, _, page = investor.request("GET", URL)
    assert status == 200
    assert b'<select class="govuk-select" id="id_as_of" name="as_of"' in page
    assert b'id="id_as_of" name="as_of" type="date"' not in page
    assert b'<option value="2023-09-30">30 September 2023 (end of Q2 2023-24)</option>' in page
    assert b'<select class="govuk-select" id="check-as-of" name="as_of"' in page
    posted = {"Content-Type": "application/x-www-form-urlencoded"}
    form = {**FORM, "as_of": "2023-09-29", "csrfmiddlewaretoken": investor.form_token(URL)}
    status, _, page = investor.request("POST", URL, urlencode(form), posted)
    assert status == 400
    assert b"Select records as of from the list: it must be the last day of a quarter" in page
    assert b'data-testid="simulation-xlsx"' not in page
    provider = Http(live_server)
    provider.sign_in("provider_manager")
    status, _, page = provider.request("GET", URL)
    assert status == 200 and b'id="id_as_of" name="as_of" type="date"' in page
