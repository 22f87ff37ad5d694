"""Aggregate and pseudonymised outputs carry no names and no dates of birth."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from stars.core.models import AccessLog

NAMES = ("Zebedee", "Quillfeather")
DOBS = ("2011-05-17", "17 May 2011", "17/05/2011", "2011-5-17")


@pytest.fixture
def named_children(money_referrals):
    from stars.referrals.models import Child

    Child.objects.update(given_name=NAMES[0], family_name=NAMES[1])
    assert all(c.date_of_birth == dt.date(2011, 5, 17) for c in Child.objects.all())
    return money_referrals


def assert_clean(text: str) -> None:
    for needle in NAMES + DOBS:
        assert needle not in text, needle


def test_investor_view_is_aggregate_and_suppresses_small_counts(client, users, named_children):
    client.force_login(users["investor"])
    page = client.get(reverse("finance_investor"), {"as_of": "2022-12-31"}).content.decode()
    assert_clean(page)
    for rid in ("R-DER", "R-NOT", "R-DG", "C-R-DER"):
        assert rid not in page
    # three referrals in all: every count is under 5, so shown as "c"
    assert '<td class="govuk-table__cell stars-num">c</td>' in page
    assert "3 referrals" not in page
    assert "Referrals: fewer than 5 (too few to show), against" in page
    assert "Earned to date" in page and "Projected total" in page


def test_investor_projection_counts_live_cases_forward(users, named_children):
    from stars.finance.figures import investor_overview
    from stars.partnership.selectors import contract_current

    o = investor_overview(contract_current(), dt.date(2022, 6, 1))
    assert o["projected"].paid > o["to_date"].paid
    # one guaranteed-funding referral (R-DG): its fees, what is paid, and what is still to
    # come (the projected total less what is paid) are hidden with its count
    assert o["guaranteed_fees"] == o["paid"] == o["from_live"] == "c"
    assert o["outcome_payments"] == o["to_date"].outcome_payments


def _extract(client, user, fmt="csv", as_of="2022-12-31"):
    client.force_login(user)
    response = client.get(reverse("finance_extract"), {"format": fmt, "as_of": as_of})
    assert response.status_code == 200
    return response


def _csv_rows(response):
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _ids_of_the_database():
    from stars.referrals.models import Child, Enquiry, Referral

    return {
        *Referral.objects.values_list("referral_id", flat=True),
        *Child.objects.values_list("child_ref", flat=True),
        *Enquiry.objects.values_list("enquiry_id", flat=True),
    }


def test_evaluator_extract_csv_is_pseudonymised_and_logged(client, users, named_children):
    client.force_login(users["evaluator"])
    page = client.get(reverse("finance_extract")).content.decode()
    assert_clean(page)
    response = _extract(client, users["evaluator"])
    text = response.content.decode("utf-8-sig")
    assert_clean(text)
    rows = _csv_rows(response)
    assert len(rows) == 3 and len({r["referral"] for r in rows}) == 3
    assert all(r["referral"].startswith("ref-") and r["child"].startswith("child-") for r in rows)
    der = next(r for r in rows if r["council"] == "derby" and r["cohort"] == "B")
    assert der["age_band"] == "10-12"
    assert der["referral_month"] == "2022-01" and der["status"] == "live"
    assert der["sustained_weeks"] == "50"  # 10 Jan to 31 Dec 2022: 355 days
    for r in rows:
        for key, value in r.items():
            if key.endswith("_month") and value:
                assert len(value) == 7, (key, value)  # YYYY-MM, never a day
    log = AccessLog.objects.get(object_type="evaluator_extract")
    assert (log.username, log.action) == ("evaluator", "export")
    assert "pseudonymised for evaluator" in log.detail


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_extract_carries_no_id_printed_anywhere_else(client, users, named_children, fmt):
    """Claims and case pages print referral ids and child references: the extract must
    not, or its rows could be linked back to the children."""
    from openpyxl import load_workbook

    response = _extract(client, users["evaluator"], fmt)
    if fmt == "csv":
        cells = {
            c for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))) for c in row
        }
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        cells = {str(c) for row in sheet.iter_rows(values_only=True) for c in row}
    text = " ".join(cells)
    ids = _ids_of_the_database()
    assert ids and not any(i in text for i in ids), sorted(i for i in ids if i in text)


def test_pseudonyms_are_stable_for_a_recipient_and_differ_between_recipients(
    client, users, named_children
):
    def pseudonyms(user, as_of):
        rows = _csv_rows(_extract(client, user, "csv", as_of))
        return {(r["council"], r["cohort"]): (r["referral"], r["child"]) for r in rows}

    first = pseudonyms(users["evaluator"], "2022-12-31")
    assert pseudonyms(users["evaluator"], "2022-12-31") == first
    assert pseudonyms(users["evaluator"], "2023-06-30") == first  # another download, same ones
    other = pseudonyms(users["provider_manager"], "2022-12-31")
    assert other.keys() == first.keys()
    mine = {p for pair in first.values() for p in pair}
    theirs = {p for pair in other.values() for p in pair}
    assert not mine & theirs


def test_the_pseudonyms_depend_on_the_configured_key(client, users, named_children, settings):
    first = _csv_rows(_extract(client, users["evaluator"]))
    settings.STARS_PSEUDONYM_KEY = "another-installation-key"
    second = _csv_rows(_extract(client, users["evaluator"]))
    assert {r["referral"] for r in first}.isdisjoint({r["referral"] for r in second})


def test_evaluator_extract_xlsx_is_pseudonymised(client, users, named_children):
    from openpyxl import load_workbook

    response = _extract(client, users["evaluator"], "xlsx")
    wb = load_workbook(io.BytesIO(response.content))
    cells = [str(c) for row in wb.active.iter_rows(values_only=True) for c in row]
    assert_clean(" ".join(cells))
    assert cells[:2] == ["referral", "child"] and "C-R-DG" not in cells
    assert not any(
        isinstance(c, dt.date) for row in wb.active.iter_rows(values_only=True) for c in row
    )


def test_investor_view_hides_a_second_count_where_one_could_be_worked_out(users, referrals):
    from stars.finance.figures import investor_overview
    from stars.partnership.selectors import contract_current
    from tests.conftest import make_referral

    for i in range(12):  # twelve cohort B referrals and one cohort D (with R-DER, R-NOT in B)
        make_referral(f"R-B{i}", "derby")
    make_referral("R-D0", "nottingham", cohort="D")
    o = investor_overview(contract_current(), dt.date(2022, 6, 1))
    cohorts = {label[0]: n for label, _, n in o["by_cohort"]}
    assert o["referrals_total"] == 15
    # D (1) is small; alone it would be 15 - 14 = 1, so B is hidden too; A and C are 0
    assert cohorts == {"A": 0, "B": "c", "C": 0, "D": "c"}
