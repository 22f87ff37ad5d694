"""A programme other than the demo's (tests/tracker/harbour): imported as a user would, its
figures held to the row-by-row reference and to sums worked by hand, its council codes found
however they are typed."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.test import Client

from stars.cli import app
from stars.core.api import basic_header
from stars.core.programmes import programme_use
from stars.domain.simulation.summary import FINANCE
from stars.finance.models import OutcomeClaim
from stars.partnership.models import Programme
from stars.partnership.services import user_create
from stars.referrals.models import Enquiry
from stars.reports.evaluation import evaluation_json
from stars.reports.indigo import indigo_project
from stars.tracker.files import import_files
from tests.conftest import PASSWORD
from tests.live_http import Http

KEYS = ("p2_5", "p10", "p50", "p90", "p97_5")
HARBOUR = Path(__file__).resolve().parent / "harbour"
ROOT = Path(__file__).resolve().parents[2]


def _reference():
    spec = importlib.util.spec_from_file_location(
        "reference_report", ROOT / "benchmarks" / "reference" / "report.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REFERENCE = _reference()


def load():
    return import_files(
        contract=HARBOUR / "contract.toml",
        enquiries=HARBOUR / "enquiries.csv",
        referrals=HARBOUR / "referrals.csv",
        periods=HARBOUR / "outcome_periods.csv",
    )


def report(as_of: dt.date) -> dict:
    with programme_use(Programme.objects.get(code="harbour").choice()):
        return json.loads(evaluation_json(scope=None, as_of=as_of))


def harbour_manager() -> Client:
    """Harbour loaded, and a client signed in as its provider manager."""
    load()
    manager = user_create(
        username="manager-harbour",
        role="provider_manager",
        programmes=["harbour"],
        password=PASSWORD,
    )
    client = Client()
    client.force_login(manager)
    return client


def test_its_figures_are_the_reference_s_and_the_hand_worked_ones(db):
    summary, warnings = load()
    assert (summary.enquiries.created, summary.referrals.created) == (6, 5)
    assert [(w.line, w.column) for w in warnings] == [(1, "notes"), (7, "date_of_birth")]
    for day in ("2022-12-31", "2023-06-30", "2024-12-31"):
        d = dt.date.fromisoformat(day)
        ours = report(d)
        theirs = REFERENCE.plain(REFERENCE.report_from_dir(HARBOUR, d))
        assert REFERENCE.differences(ours, theirs) == []
    f = report(dt.date(2024, 12, 31))["finance"]
    # HB-R1 earns (51 - 4) x £250, capped at £3,000 a referral; HB-R3 (guaranteed) 16 - 10
    # weeks x £250 and a £1,000 fee; RC: £1,000 for each of three runs started, £4,000 for
    # the two that lasted 26 weeks
    assert f["by_cohort"]["h1"]["payable_weeks"] == 47 + 6
    assert f["by_cohort"]["RC"]["milestones"] == {"start": 3, "six_months": 2}
    # southreach earned £1,500 + £5,000 over its £5,000 maximum
    assert f["by_local_authority"]["southreach"]["outcome_payments"] == 5000.0
    assert f["by_local_authority"]["southreach"]["outcome_payments_above_maximum"] == 1500.0
    assert f["by_local_authority"]["NorthBay"]["outcome_payments"] == 3000 + 5000 + 1000
    # the fund's 30% of £14,000 is under its £6,000 cap
    assert f["outcome_funds"] == {"Fonds Régional": 4200.0}
    assert f["council_cost"] == 14000 - 4200 + 1000
    # importing the same files again changes nothing
    again, _ = load()
    assert (again.enquiries.unchanged, again.referrals.unchanged, again.periods.unchanged) == (
        6,
        5,
        7,
    )
    assert report(dt.date(2024, 12, 31))["finance"] == f


def test_a_council_code_the_contract_spells_with_capitals_is_found_in_any_case(db):
    load()
    for n, typed in enumerate(("NorthBay", "northbay", "NORTHBAY ")):
        user = user_create(
            username=f"spoc-{n}",
            role="spoc",
            council=typed,
            programmes=["harbour"],
            password=PASSWORD,
        )
        assert user.council.code == "NorthBay"


@pytest.fixture
def harbour_users(transactional_db):
    load()
    return {
        name: user_create(
            username=name, role=role, council=council, programmes=["harbour"], password=PASSWORD
        )
        for name, role, council in (
            ("admin-harbour", "admin", None),
            ("spoc-northbay", "spoc", "NorthBay"),
        )
    }


ENQUIRY = {
    "cohort": "h1",
    "given_name": "Sample",
    "family_name": "Child",
    "date_of_birth": "2014-02-02",
    "enquiry_date": "2024-02-01",
}


def test_the_api_records_an_enquiry_for_such_a_council_however_its_code_is_typed(
    live_server, harbour_users
):
    web = Http(live_server)
    basic = {"Authorization": basic_header("admin-harbour", PASSWORD)}
    status, body = web.json("POST", "/api/enquiries", {**ENQUIRY, "council": "northbay"}, basic)
    assert status == 201, body
    assert body["council"] == "NorthBay"
    # the council's own SPOC, giving no council
    basic = {"Authorization": basic_header("spoc-northbay", PASSWORD)}
    other = {**ENQUIRY, "given_name": "Another"}
    status, body = web.json("POST", "/api/enquiries", other, basic)
    assert status == 201, body
    assert Enquiry.objects.filter(council__code="NorthBay").count() == 3 + 2


def test_the_money_page_names_the_programme_s_own_fund_not_the_life_chances_fund(db):
    client = harbour_manager()
    page = client.get("/finance/money/?as_of=2024-12-31").content.decode()
    # the totals and each table's heading (by council, cohort and month); the chart too
    assert page.count("Council cost after the Fonds Régional</dt>") == 1
    assert page.count("Council cost after the Fonds Régional</th>") == 3
    assert "<svg" in page
    assert "LCF" not in page and "Life Chances" not in page
    assert "£10,800.00" in page  # £14,000 − 30% + the £1,000 fee


def test_the_board_card_the_investor_view_and_open_data_give_the_contract_s_one_minimum(db):
    """Its contract years ask for 3 + 2 referrals; its cohorts' minimums add up to 4 and its
    councils' to 5: the programme's minimum is the contract's, 5, on every page."""
    load()
    investor = user_create(
        username="investor-harbour", role="investor", programmes=["harbour"], password=PASSWORD
    )
    client = Client()
    client.force_login(investor)
    board = client.get("/reports/board/?quarter=Q3 2024-25").content.decode()
    assert "5 referrals against a minimum of 5 " in board
    view = client.get("/finance/investor/?as_of=2024-12-31").content.decode()
    assert "5 referrals against a contract minimum of 5." in view
    with programme_use(Programme.objects.get(code="harbour").choice()):
        targeted = indigo_project(as_of=dt.date(2024, 12, 31))["service_and_beneficiaries"]
    assert targeted["targeted_number_service_users_or_beneficiaries_total"]["value"] == 5


def test_the_simulator_pays_up_to_each_maximum_as_the_evaluation_report_does(db):
    """Southreach earns £6,500 of outcome payments over its £5,000 maximum: with nothing left
    to happen, every run of the simulator is the evaluation report, maxima and fund included."""
    load()
    result = CliRunner().invoke(
        app, ["simulate", "--programme", "harbour", "--as-of", "2024-12-31", "--runs", "20"]
    )
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    want = report(dt.date.fromisoformat(got["to"]))["finance"]
    assert want["outcome_payments"] == 14000.0  # £1,500 above the maximum not paid
    for figure in FINANCE:
        assert {got["finance"][figure][k] for k in KEYS} == {want[figure]}, figure


def test_a_claim_of_such_a_council_is_found_by_its_reference_and_its_link_in_any_case(db):
    client = harbour_manager()
    page = client.post("/finance/claims/NorthBay/2023-05/prepare/", follow=True)
    assert "CLAIM-NORTHBAY-2023-05" in page.content.decode()
    assert OutcomeClaim.objects.filter(council__code="NorthBay").count() == 1
    for typed in ("CLAIM-NORTHBAY-2023-05", "/finance/claims/northbay/2023-05/"):
        found = client.post("/search/", {"q": typed}).content.decode()
        assert 'href="/finance/claims/NorthBay/2023-05/"' in found, typed
    assert client.get("/finance/claims/northbay/2023-05/").status_code == 200


def test_the_simulator_s_hint_names_its_own_cohorts_and_its_results_give_govuk_dates(db):
    """Harbour's cohorts are h1 (weekly) and RC (milestones): the what-if hint names them,
    not DN2's A and B, and each one it gives applies; the results line writes its dates as
    GOV.UK does."""
    client = harbour_manager()
    form = client.get("/reports/simulator/").content.decode()
    assert "cohort.h1.weekly_outcome_payment=300" in form
    assert "cohort.RC.milestones.six_months.payment=8000" in form
    assert "cohort.A." not in form and "cohort.B." not in form and "cohort_mix.B" not in form
    hint = form.split("One change a line, shown beside the baseline: ")[1].split("<")[0]
    query = {"as_of": "2024-10-01", "runs": "20", "seed": "1", "to": "2025-03-31"}
    page = client.post("/reports/simulator/", {**query, "settings": hint.replace(", ", "\n")})
    assert page.status_code == 200, page.content.decode()
    html = page.content.decode()
    assert "Simulated from the records as of 1 October 2024 to 31 March 2025" in html
    assert "2024-10-01" not in html.split("Simulated from")[1].split("</h2>")[0]
