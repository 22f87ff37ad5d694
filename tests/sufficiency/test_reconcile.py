"""A council checks claimed weeks against its own records: linking, scope, audit, CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest

from stars.cases.explain import explanation_for
from stars.core.models import AccessLog
from stars.demo.returns import write_demo_returns
from stars.domain.outcomes.reconciliation import episodes_of, reconcile
from stars.domain.sufficiency.figures import without_short_breaks
from stars.domain.sufficiency.ssda903 import RECONCILIATION_COLUMNS
from stars.partnership.models import Council
from stars.sufficiency import services
from stars.sufficiency.models import ChildLink
from stars.sufficiency.reconcile import council_reconciliation
from stars.sufficiency.services import council_returns, returns_import

AS_OF = "2023-06-30"

FOSTER = "foster_placement"  # what cohort B is paid for (the contract's outcome)


@pytest.fixture
def linked(users, referrals, tmp_path):
    from stars.cases.models import OutcomePeriod

    derby = Council.objects.get(code="derby")
    returns_import(council=derby, folder=write_demo_returns(tmp_path / "r", seed=3))
    r = referrals["derby"]  # cohort B, from 10 January 2022
    OutcomePeriod.objects.create(referral=r, start_date=dt.date(2022, 1, 10))
    frame = without_short_breaks(council_returns(derby).episodes)
    e = explanation_for(r, dt.date.fromisoformat(AS_OF))
    claimed = [(p.counted_from, p.counted_until) for p in e.periods if p.days > 0]
    # a child of the returns whose records contradict some of the claimed weeks
    child = next(
        c
        for c in sorted(set(frame["CHILD"].to_list()))
        if 0 < sum(d.days for d in reconcile(FOSTER, claimed, episodes_of(frame, c))) < 200
    )
    return {
        "referral": r,
        "child": child,
        "expected": reconcile(FOSTER, claimed, episodes_of(frame, child)),
    }


def test_the_commissioner_links_a_referral_and_sees_its_discrepancies(client, users, linked):
    client.force_login(users["commissioner"])
    url = "/sufficiency/link/R-DER/"
    bad = client.post(url, {"council_child_id": "NOBODY"})
    assert "No child NOBODY in the council" in bad.content.decode()
    assert client.post(url, {"council_child_id": "a b"}).status_code == 200  # form again
    assert not ChildLink.objects.exists()
    done = client.post(url, {"council_child_id": linked["child"]})
    assert done.status_code == 302 and ChildLink.objects.get().council_child_id == linked["child"]

    page = client.get("/sufficiency/derby/reconcile/", {"as_of": AS_OF}).content.decode()
    expected = linked["expected"]
    assert f"{len(expected)} discrepanc" in page
    assert expected[0].description[:20] in page.replace("&#x27;", "'").lower()
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    "/sufficiency/derby/reconcile/", {"as_of": AS_OF, "format": "csv"}
                ).content.decode("utf-8-sig")
            )
        )
    )
    assert [(r["first_day"], r["days"]) for r in rows] == [
        (d.start.isoformat(), str(d.days)) for d in expected
    ]
    assert AccessLog.objects.filter(object_type="reconciliation", object_id="derby").count() == 2


def test_only_the_councils_users_see_the_link_and_the_check(client, users, linked):
    ChildLink.objects.create(referral=linked["referral"], council_child_id=linked["child"])
    client.force_login(users["provider_manager"])
    assert linked["child"] not in client.get("/referrals/R-DER/").content.decode()
    assert client.get("/sufficiency/derby/reconcile/").status_code == 403
    assert client.get("/sufficiency/link/R-DER/").status_code == 403
    client.force_login(users["spoc_nottingham"])
    assert client.get("/sufficiency/derby/reconcile/").status_code == 404
    client.force_login(users["spoc"])
    assert linked["child"] in client.get("/referrals/R-DER/").content.decode()
    assert client.get("/sufficiency/link/R-DER/").status_code == 403  # commissioners link


def test_the_findings_csv_writes_a_formula_like_child_id_as_text():
    """The council's child identifiers come from its own files: one that starts like a
    formula is quoted in the CSV, as every CSV the service writes does."""
    from types import SimpleNamespace as NS

    from stars.sufficiency.reconcile import findings_csv

    attack = '=HYPERLINK("http://x.invalid","y")'
    finding = NS(
        referral=NS(referral_id="R-DER", cohort="B"),
        child_id=attack,
        discrepancy=NS(
            start=dt.date(2022, 2, 1),
            last_day=dt.date(2022, 2, 28),
            days=28,
            weeks=4,
            group="",
            place="",
            rule="B",
            description="in residential care",
        ),
        stake=NS(weeks=4, paid_weeks=4, amount=-400, months=["2022-02"]),
    )
    rows = list(
        csv.DictReader(io.StringIO(findings_csv({"findings": [finding]}).decode("utf-8-sig")))
    )
    assert rows[0]["council_child_id"] == "'" + attack
    assert rows[0]["claimed"] == "-400"  # a number stays a number


def test_every_link_on_the_check_opens_for_whoever_sees_it(client, users, linked):
    """The SPOC may not open claims: their months are shown as text, never as a link to a
    403. The commissioner gets the links."""
    ChildLink.objects.create(referral=linked["referral"], council_child_id=linked["child"])
    for role, claim_links in (("spoc", False), ("commissioner", True)):
        client.force_login(users[role])
        page = client.get("/sufficiency/derby/reconcile/", {"as_of": AS_OF}).content.decode()
        table = page[page.index('data-testid="discrepancies"') :]
        assert re.search(r"[A-Z][a-z]+ 20\d\d", table)  # the claim months are shown
        hrefs = set(re.findall(r'href="(/[^"?#]*)', page))
        assert any(h.startswith("/finance/claims/") for h in hrefs) is claim_links, role
        for href in sorted(hrefs - {"/"}):
            assert client.get(href).status_code == 200, (role, href)


def test_the_link_and_the_check_read_only_their_columns_with_the_same_episodes(
    client, users, linked
):
    derby = Council.objects.get(code="derby")
    every = council_returns(derby)  # every column
    services._PARSED.clear()
    client.force_login(users["commissioner"])
    url = "/sufficiency/link/R-DER/"
    assert client.post(url, {"council_child_id": linked["child"]}).status_code == 302
    page = council_reconciliation(derby, dt.date.fromisoformat(AS_OF))
    # one reading, of its columns only, shared by the link page and the check
    read = list(services._PARSED.values())
    assert [m.episodes.columns for m in read] == [list(RECONCILIATION_COLUMNS.episodes)]
    assert [m.headers.columns for m in read] == [list(RECONCILIATION_COLUMNS.headers)]
    assert read[0].episodes.estimated_size() * 2 < every.episodes.estimated_size()
    assert read[0].headers["CHILD"].equals(every.headers["CHILD"])  # the ids as given
    # every child's episodes as from every column, and the same findings
    full, slim = without_short_breaks(every.episodes), without_short_breaks(read[0].episodes)
    for child in every.headers["CHILD"].to_list():
        assert episodes_of(slim, child) == episodes_of(full, child)
    assert [f.discrepancy for f in page["findings"]] == linked["expected"]


def test_the_check_says_what_each_cohort_of_the_contract_in_force_is_paid_for(client, users):
    from stars.partnership.services import contract_load
    from tests.conftest import CONTRACT

    # another programme's terms: D paid for the child staying home, C with no outcome
    text = CONTRACT.read_text()
    text = text.replace('outcome = "at_home"', "").replace(
        'outcome = "out_of_care"', 'outcome = "at_home"'
    )
    contract_load(text=text, source="other.toml")
    client.force_login(users["commissioner"])
    page = client.get("/sufficiency/derby/reconcile/").content.decode()
    assert (
        "SSDA903 returns: cohorts A and B are paid for a foster placement, D for the child "
        "staying home, cohort C is not checked (the contract names no outcome).</p>"
    ) in page
    assert "C for the child staying home" not in page
