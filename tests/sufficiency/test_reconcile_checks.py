"""The reconciliation pages on a known child: exact CSV, scope per council and role, form
errors, audit and history. (tests/sufficiency/test_reconcile.py covers the demo returns.)"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from stars.core.models import AccessLog

AS_OF = "2023-03-01"
CHILD = "DB0001"
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n{child},1,17/05/2011,WBRI,,,\n"
EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
    "{child},01/06/2021,S,C2,N1,U4,PR1,01/08/2022,X1,,,,\n"
    "{child},01/08/2022,P,C2,N1,K2,PR4,01/10/2022,X1,CARPL,,,\n"
    "{child},01/10/2022,P,C2,N1,U4,PR1,,,CARPL,,,\n"
)


def write_returns(folder: Path, child: str = CHILD) -> Path:
    """A council's return for 2022-23 with one child: in-house foster care, then a
    children's home (K2, private provider) from 1 August to 1 October 2022, then foster care
    again."""
    year = folder / "2023"
    year.mkdir(parents=True)
    (year / "header.csv").write_text(HEADER.format(child=child))
    (year / "episodes.csv").write_text(EPISODES.format(child=child))
    return folder


@pytest.fixture
def claimed(referrals, tmp_path):
    """R-DER (cohort B from 10 January 2022) sustained throughout, and Derby's return."""
    from stars.cases.models import OutcomePeriod
    from stars.partnership.models import Council
    from stars.sufficiency.services import returns_import

    OutcomePeriod.objects.create(referral=referrals["derby"], start_date=dt.date(2022, 1, 10))
    derby = Council.objects.get(code="derby")
    returns_import(council=derby, folder=write_returns(tmp_path / "returns"))
    return referrals


@pytest.fixture
def linked(claimed, users):
    from stars.sufficiency.models import ChildLink

    ChildLink.objects.create(
        referral=claimed["derby"], council_child_id=CHILD, linked_by=users["commissioner"]
    )
    return claimed


@pytest.fixture
def nottingham_commissioner(contract):
    from stars.partnership.services import user_create
    from tests.conftest import PASSWORD

    return user_create(
        username="commissioner_nottingham",
        role="commissioner",
        council="nottingham",
        password=PASSWORD,
    )


def _csv(client) -> list[dict[str, str]]:
    response = client.get("/sufficiency/derby/reconcile/", {"as_of": AS_OF, "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_childrens_home_stay_is_listed_with_its_dates_weeks_and_claim(client, users, linked):
    client.force_login(users["commissioner"])
    page = client.get("/sufficiency/derby/reconcile/", {"as_of": AS_OF}).content.decode()
    assert "1 discrepancy" in page
    assert "1 referral linked; 0 not yet linked" in page
    assert "1 Aug 2022" in page and "30 Sep 2022" in page
    assert 'href="/finance/claims/derby/2022-08/"' in page
    assert 'href="/finance/claims/derby/2022-10/"' in page
    assert "£3,600.00 was paid for the claimed weeks they touch" in page
    assert "The returns loaded cover days up to 31 March 2023" in page
    assert _csv(client) == [
        {
            "referral_id": "R-DER",
            "council_child_id": CHILD,
            "cohort": "B",
            "first_day": "2022-08-01",
            "last_day": "2022-09-30",
            "days": "61",
            "weeks": "8",
            # claimed weeks run Monday to Sunday from 10 January 2022; 1 August is the first
            # day of the 30th, and the stay touches nine of them (the ninth, 26 September to
            # 2 October, has five days in the home); all are past the 13 proving weeks, so
            # 9 x £400 was paid, on the claims of the months in which those weeks ended
            "claimed_weeks": "9",
            "paid_weeks": "9",
            "placement": "external residential",
            "place_code": "K2",
            "rule": "the foster placement is sustained",
            "finding": "in a children's home or secure unit (external residential, PLACE K2)",
            "claimed": "3600.00",
            "claim_months": "2022-08 2022-09 2022-10",
        }
    ]


def test_a_linked_child_missing_from_the_returns_is_counted(client, users, claimed):
    from stars.sufficiency.models import ChildLink

    ChildLink.objects.create(referral=claimed["derby"], council_child_id="NOT-IN-RETURNS")
    client.force_login(users["commissioner"])
    page = client.get("/sufficiency/derby/reconcile/", {"as_of": AS_OF}).content.decode()
    assert "0 discrepancies" in page
    assert "Linked but not in the returns: R-DER (NOT-IN-RETURNS)" in page


def test_another_councils_commissioner_gets_404(client, linked, nottingham_commissioner):
    client.force_login(nottingham_commissioner)
    assert client.get("/sufficiency/derby/reconcile/").status_code == 404
    assert client.get("/sufficiency/derby/reconcile/", {"format": "csv"}).status_code == 404
    assert client.get("/sufficiency/link/R-DER/").status_code == 404
    assert client.post("/sufficiency/link/R-DER/", {"council_child_id": "X"}).status_code == 404
    assert client.get("/sufficiency/nottingham/reconcile/").status_code == 200
    assert CHILD not in client.get("/sufficiency/nottingham/reconcile/").content.decode()


@pytest.mark.parametrize("role", ["provider_manager", "key_worker", "investor", "evaluator"])
def test_people_outside_the_council_never_see_the_childs_council_identifier(
    client, users, linked, role
):
    client.force_login(users[role])
    assert client.get("/sufficiency/derby/reconcile/").status_code == 403
    assert client.get("/sufficiency/derby/reconcile/", {"format": "csv"}).status_code == 403
    assert client.get("/sufficiency/link/R-DER/").status_code == 403
    detail = client.get("/referrals/R-DER/")
    assert CHILD not in detail.content.decode()
    assert "Council child identifier" not in detail.content.decode()


def test_the_link_form_names_each_error_on_its_field(client, users, claimed):
    from stars.sufficiency.models import ChildLink

    client.force_login(users["commissioner"])
    url = "/sufficiency/link/R-DER/"
    for value, message in [
        ("", "Enter the council&#x27;s child identifier"),
        ("DB 0001", "Enter the identifier as in the SSDA903 return"),
        ("DB9999", "No child DB9999 in the council&#x27;s SSDA903 returns"),
    ]:
        page = client.post(url, {"council_child_id": value}).content.decode()
        assert "govuk-error-summary" in page and 'href="#id_council_child_id"' in page
        assert "govuk-error-message" in page and message in page
    assert not ChildLink.objects.exists()


def test_linking_and_relinking_keeps_who_and_the_history(client, users, claimed):
    from stars.sufficiency.models import ChildLink

    client.force_login(users["commissioner"])
    assert client.post("/sufficiency/link/R-DER/", {"council_child_id": CHILD}).status_code == 302
    client.force_login(users["admin"])
    page = client.get("/sufficiency/link/R-DER/").content.decode()
    assert f'value="{CHILD}"' in page  # the form shows the current link
    assert client.post("/sufficiency/link/R-DER/", {"council_child_id": CHILD}).status_code == 302
    link = ChildLink.objects.get()
    assert link.linked_by == users["admin"]
    assert [h.history_user for h in link.history.order_by("history_date")] == [
        users["commissioner"],
        users["admin"],
    ]
    client.force_login(users["spoc"])
    assert CHILD in client.get("/referrals/R-DER/").content.decode()


def test_every_read_of_the_check_is_in_the_access_log(client, users, linked):
    client.force_login(users["commissioner"])
    client.get("/sufficiency/derby/reconcile/", {"as_of": AS_OF})
    _csv(client)
    rows = AccessLog.objects.filter(object_type="reconciliation").order_by("pk")
    assert [(r.username, r.action, r.object_id) for r in rows] == [
        ("commissioner", "view", "derby"),
        ("commissioner", "export", "derby"),
    ]
    assert "1 findings for 1 linked referrals" in rows[0].detail


def test_claimed_days_after_the_last_return_are_not_checked(client, users, referrals, tmp_path):
    """A child who left care on 1 October 2022 (REC E13) while weeks are still claimed: the
    days are listed up to 31 March 2023, the end of the last return, not to the as-of date."""
    from stars.cases.models import OutcomePeriod
    from stars.partnership.models import Council
    from stars.sufficiency.models import ChildLink
    from stars.sufficiency.services import returns_import

    OutcomePeriod.objects.create(referral=referrals["derby"], start_date=dt.date(2022, 1, 10))
    year = tmp_path / "r" / "2023"
    year.mkdir(parents=True)
    (year / "header.csv").write_text(HEADER.format(child=CHILD))
    (year / "episodes.csv").write_text(
        EPISODES.splitlines()[0] + "\n" + f"{CHILD},01/06/2021,S,C2,N1,U4,PR1,01/10/2022,E13,,,,\n"
    )
    returns_import(council=Council.objects.get(code="derby"), folder=tmp_path / "r")
    ChildLink.objects.create(referral=referrals["derby"], council_child_id=CHILD)
    client.force_login(users["commissioner"])
    response = client.get("/sufficiency/derby/reconcile/", {"as_of": "2023-06-30", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["first_day"], r["last_day"]) for r in rows] == [("2022-10-01", "2023-03-31")]
