"""Roles that see figures only (the investor, the evaluator) ask for whole quarters, over real
HTTP: a date finer than a quarter in the address is named in an error summary (400) and the
page shown for the whole quarter, a download for it is refused, the pages offer the quarters in
a list, and roles that see children's records keep any day."""

from __future__ import annotations

import functools
import re

import pytest

from tests.live_http import signed_in, tables


@pytest.fixture
def web(live_server, users, referrals):
    return functools.partial(signed_in, live_server)


@pytest.mark.parametrize("who", ["investor", "evaluator"])
def test_two_outcomes_ranges_a_day_apart_give_the_same_answer(web, who):
    client = web(who)
    status, _, quarter = client.request("GET", "/cases/outcomes/?from=2022-01-01&to=2022-03-31")
    assert status == 200
    assert b'<select class="govuk-select" id="f-from" name="from">' in quarter
    assert b'<option value="2022-01-01" selected>1 January 2022 (start of Q4 2021-22)' in quarter
    assert b'<option value="2022-03-31" selected>31 March 2022 (end of Q4 2021-22)' in quarter
    assert b'type="date"' not in quarter
    status, _, day_later = client.request("GET", "/cases/outcomes/?from=2022-01-02&to=2022-03-31")
    assert status == 400
    assert b"Error: Outcomes" in day_later
    assert b'data-testid="date-problems"' in day_later
    # the field named by its label, as the page shows it, not by its name in the address
    assert b"Select &#x27;Referred from&#x27; from the list" in day_later
    assert b'href="#f-from"' in day_later
    assert b"1 January 2022 instead" in day_later
    assert tables(day_later) == tables(quarter)  # nothing finer than the quarter


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_no_outcomes_download_for_a_range_finer_than_a_quarter(web, fmt):
    client = web("investor")
    status, head, body = client.request("GET", f"/cases/outcomes/?to=2022-02-14&format={fmt}")
    assert status == 400
    assert head["Content-Type"].startswith("text/html")
    assert b"this download was not made" in body
    assert b"Select &#x27;Referred to&#x27; from the list" in body
    status, head, _ = client.request("GET", f"/cases/outcomes/?to=2022-03-31&format={fmt}")
    assert status == 200 and not head["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "who, path",
    [
        ("evaluator", "/reports/evaluation/"),
        ("evaluator", "/finance/extract/"),
        ("investor", "/targets/"),
        ("investor", "/finance/investor/"),
        ("investor", "/finance/portfolio/"),
    ],
)
def test_as_of_dates_are_quarter_ends_offered_in_a_list(web, who, path):
    client = web(who)
    status, _, page = client.request("GET", path)
    assert status == 200
    assert b'<select class="govuk-select" id="as_of" name="as_of"' in page
    assert re.search(rb'<option value="\d{4}-\d\d-\d\d" selected>', page)
    status, _, page = client.request("GET", f"{path}?as_of=2024-12-31")
    assert status == 200
    assert b'<option value="2024-12-31" selected>31 December 2024 (end of Q3 2024-25)' in page
    status, _, page = client.request("GET", f"{path}?as_of=2024-11-30")
    assert status == 400
    assert b"Select &#x27;as at&#x27; from the list" in page
    assert b"The page shows the figures as at 30 September 2024 instead" in page


@pytest.mark.parametrize(
    "path",
    [
        "/reports/evaluation/?format=json",
        "/reports/evaluation/?format=xlsx",
        "/finance/extract/?format=csv",
        "/finance/extract/?format=xlsx",
    ],
)
def test_the_evaluator_gets_no_download_as_of_a_day_inside_a_quarter(web, path):
    client = web("evaluator")
    status, head, body = client.request("GET", f"{path}&as_of=2024-11-30")
    assert status == 400
    assert head["Content-Type"].startswith("text/html")
    assert b"this download was not made" in body
    status, head, _ = client.request("GET", f"{path}&as_of=2024-12-31")
    assert status == 200 and not head["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("who", ["commissioner", "provider_manager"])
def test_roles_that_see_childrens_records_keep_any_day(web, who):
    client = web(who)
    status, _, page = client.request("GET", "/cases/outcomes/?from=2022-01-02&to=2022-02-14")
    assert status == 200
    field = b'<input class="govuk-input" id="f-from" name="from" type="date" value="2022-01-02">'
    assert field in page
    assert b"date-problems" not in page
    status, _, page = client.request("GET", "/reports/evaluation/?as_of=2024-11-30")
    assert status == 200
    assert b'type="date" value="2024-11-30"' in page


def test_the_contract_s_terms_are_shown_for_any_day(web):
    """The terms are the contract's, not worked out from children's records."""
    status, _, page = web("investor").request("GET", "/finance/contract/?as_of=2024-11-30")
    assert status == 200
    assert b'type="date" value="2024-11-30"' in page
