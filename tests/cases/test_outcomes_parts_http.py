"""Roles that see figures only (the investor, the evaluator) get the outcomes report for the
whole programme only, over real HTTP: the whole less one council's (or cohort's) report would
give the other councils' small counts away, so asking for a council or a cohort is refused,
named in an error summary (400), the whole programme shown and no download made; roles that
see children's records keep both filters (decision 0008)."""

from __future__ import annotations

import functools

import pytest

from tests.live_http import signed_in, tables


@pytest.fixture
def web(live_server, users, referrals):
    return functools.partial(signed_in, live_server)


@pytest.mark.parametrize("who", ["investor", "evaluator"])
@pytest.mark.parametrize("part", ["council=derby", "cohort=B", "council=derby&cohort=B"])
def test_a_council_or_cohort_beside_the_whole_is_refused(web, who, part):
    client = web(who)
    status, _, whole = client.request("GET", "/cases/outcomes/")
    assert status == 200
    assert b'id="f-council"' not in whole and b'id="f-cohort"' not in whole
    assert b"figures are for the whole programme only" in whole
    status, _, asked = client.request("GET", f"/cases/outcomes/?{part}")
    assert status == 400
    assert b"Error: Outcomes" in asked
    assert b'data-testid="filters-refused"' in asked
    assert b"figures only are shown for the whole programme" in asked
    assert tables(asked) == tables(whole)  # the whole programme, nothing of the part


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_no_download_of_one_council_s_outcomes_for_figures_only(web, fmt):
    client = web("evaluator")
    status, head, body = client.request("GET", f"/cases/outcomes/?council=derby&format={fmt}")
    assert status == 400 and head["Content-Type"].startswith("text/html")
    assert b"no download was made" in body
    status, head, _ = client.request("GET", f"/cases/outcomes/?format={fmt}")
    assert status == 200 and not head["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("who", ["commissioner", "provider_manager"])
def test_roles_that_see_childrens_records_keep_the_council_and_cohort_filters(web, who):
    status, _, page = web(who).request("GET", "/cases/outcomes/?cohort=B")
    assert status == 200
    assert b'id="f-council"' in page and b'<option value="B" selected>' in page
    assert b"filters-refused" not in page


@pytest.mark.parametrize(
    ("who", "council"),
    [
        ("commissioner", "nottingham"),
        ("commissioner", "atlantis"),
        ("provider_manager", "atlantis"),
    ],
)
def test_a_council_not_on_the_form_is_refused_by_its_field_alike_whether_it_exists(
    web, who, council
):
    """Derby's commissioner asking for Nottingham got Derby's figures with no word said: the
    council is refused by its field (400), in the same words as a council that does not
    exist, the user's own councils shown and no download made."""
    client = web(who)
    status, _, whole = client.request("GET", "/cases/outcomes/")
    for fmt in ("", "&format=xlsx"):
        status, head, asked = client.request("GET", f"/cases/outcomes/?council={council}{fmt}")
        assert status == 400 and head["Content-Type"].startswith("text/html")
        assert b"Error: Outcomes" in asked
        assert b'data-testid="filters-refused"' in asked
        text = asked.decode()
        assert '<a href="#f-council">Select a council from the list: &#x27;' in text
        assert f"&#x27;{council}&#x27; is not one of the councils you can choose" in text
        assert "Nottingham City Council" not in text.split("<main")[1] or who != "commissioner"
        assert tables(asked) == tables(whole)
