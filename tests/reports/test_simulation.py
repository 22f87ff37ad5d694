"""`stars simulate`: the JSON of docs/tracker-format.md "Simulation (JSON)" from the database,
the workbook with its assumptions, what-ifs beside the baseline, and refusals."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
from click.testing import CliRunner

from stars.cli import app
from stars.core.spreadsheets import MONEY_FORMAT, RATE_FORMAT
from stars.domain.evaluation.report import evaluation_report, report_to_plain
from stars.domain.simulation.fit import fit
from stars.domain.simulation.montecarlo import contract_end, simulate
from stars.domain.simulation.records import records_as_of
from stars.domain.simulation.summary import FINANCE, simulation_summary
from stars.partnership.selectors import contract_current
from stars.referrals.models import Referral
from stars.tracker.selectors import report_frames

KEYS = ("p2_5", "p10", "p50", "p90", "p97_5")


def _json(args):
    result = CliRunner().invoke(app, ["simulate", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_command_prints_the_domains_simulation_of_the_records(programme):
    got = _json(["--as-of=2023-09-30", "--runs=300", "--seed=9"])
    contract = contract_current()
    rec = records_as_of(*report_frames(None), dt.date(2023, 9, 30))
    runs = simulate(contract, rec, fit(contract, rec), to=contract_end(contract), runs=300, seed=9)
    assert got == json.loads(json.dumps(simulation_summary(contract, runs)))
    assert got["to"] == "2027-03-29" and got["runs"] == 300 and got["seed"] == 9


def test_when_nothing_can_change_every_percentile_is_the_evaluation_report(programme):
    got = _json(["--as-of=2024-11-30", "--to=2024-03-31", "--runs=50"])
    contract = contract_current()
    report = report_to_plain(
        evaluation_report(contract, *report_frames(None), dt.date(2024, 3, 31))
    )
    assert {got["referrals"]["total"][k] for k in KEYS} == {report["referrals"]["total"]}
    for la, n in report["referrals"]["by_local_authority"].items():
        assert {got["referrals"]["by_local_authority"][la][k] for k in KEYS} == {n}
    for figure in FINANCE:
        assert {got["finance"][figure][k] for k in KEYS} == {report["finance"][figure]}
        assert got["finance"][figure]["mean"] == report["finance"][figure]


def test_a_what_if_changes_the_figures_it_should_and_the_workbook_shows_both(programme, tmp_path):
    base = _json(["--as-of=2023-09-30", "--runs=200"])
    dearer = _json(
        ["--as-of=2023-09-30", "--runs=200", "--set", "cohort.B.weekly_outcome_payment=800"]
    )
    # the same seed: the same referrals and weeks, dearer payments
    assert dearer["referrals"] == base["referrals"]
    assert dearer["finance"]["sustained_weeks"] == base["finance"]["sustained_weeks"]
    assert dearer["finance"]["outcome_payments"]["p50"] > base["finance"]["outcome_payments"]["p50"]
    out = tmp_path / "sim.xlsx"
    result = CliRunner().invoke(
        app,
        [
            "simulate",
            "--as-of=2023-09-30",
            "--runs=100",
            "--set",
            "referral_rate=1.5",
            "--format=xlsx",
            f"--out={out}",
        ],
    )
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Simulation", "Minimums", "Assumptions", "Investor", "Run"]
    investor = [r[0] for r in wb["Investor"].iter_rows(values_only=True)]
    assert "IRR (a year)" in investor and "Money multiple (kept ÷ costs)" in investor
    heads = [c.value for c in wb["Simulation"][1]]
    assert "Baseline: Median" in heads and "What-if: Median" in heads
    assumptions = [r[0] for r in wb["Assumptions"].iter_rows(values_only=True)]
    assert "Enquiries per month at the as-of date" in assumptions
    assert "referral_rate=1.5" in assumptions
    # money is shown as pounds and pence, counts as counts, chances as percentages
    shown = {
        (row[0].value, row[1].value): {c.number_format for c in row[2:]}
        for row in wb["Simulation"].iter_rows(min_row=2)
    }
    assert shown["Outcome payments", "Programme"] == {MONEY_FORMAT}
    assert shown["Net cash saving", "Derby City Council"] == {MONEY_FORMAT}
    assert shown["Outcome fund: Life Chances Fund", "Programme"] == {MONEY_FORMAT}
    assert shown["Referrals", "Programme"] == shown["Sustained weeks", "Programme"] == {"General"}
    minimums = wb["Minimums"]
    chance = [c.value for c in minimums[1]].index("Baseline: Chance of falling short")
    assert {row[chance].number_format for row in minimums.iter_rows(min_row=2)} == {RATE_FORMAT}


def test_bad_settings_are_refused_with_the_setting_and_nothing_changes(programme):
    before = Referral.objects.count()
    for args, message in (
        (["--set", "cohort.Z.proving_weeks=3"], "the contract has no cohort 'Z'"),
        (["--set", "cohort.A.proving_weeks=three"], "'three' is not a valid int"),
        (["--set", "nonsense"], "expected key=value"),
        (["--set", "closure_rate=-1"], "cannot be negative"),
        (["--runs=0"], "--runs 0"),
        (["--to=2024-13-01"], "--to '2024-13-01' is not a date"),
        (["--format=csv"], "--format 'csv'"),
        (["--programme=elsewhere"], "--programme 'elsewhere'"),
    ):
        result = CliRunner().invoke(app, ["simulate", "--as-of=2023-09-30", "--runs=5", *args])
        assert result.exit_code == 2, (args, result.output)
        assert message in " ".join(result.output.split()), (args, result.output)
    assert Referral.objects.count() == before
