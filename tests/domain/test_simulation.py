"""The contract simulator (stars.domain.simulation): exact where nothing can change, the
engine's figures when the draws are the records, and properties of any programme."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stars.demo.synthetic import generate_programme
from stars.domain.contract.parsing import parse_contract
from stars.domain.evaluation.report import evaluation_report, report_to_plain
from stars.domain.simulation.fit import fit
from stars.domain.simulation.montecarlo import Simulator, contract_end, simulate
from stars.domain.simulation.records import records_as_of
from stars.domain.simulation.summary import (
    FINANCE,
    minimum_rows,
    nearest_rank,
    simulation_summary,
)

ROOT = Path(__file__).resolve().parents[2]
DN2 = parse_contract((ROOT / "contracts" / "dn2-stars.toml").read_text(), "dn2-stars.toml")
# a programme other than the demo's: two councils, two cohorts, other rates and periods
OTHER_TEXT = """
[programme]
name = "Step Down"
start = 2014-10-01
referral_period_end = 2017-03-31
programme_weeks = 52
lcf_share = 0.11
shortfall_penalty_per_referral = 250.0

[[local_authority]]
code = "north"
name = "North Borough"
minimum_referrals = 30

[[local_authority]]
code = "south"
name = "South Borough"
minimum_referrals = 0

[[cohort]]
code = "SD"
name = "Step down"
proving_weeks = 8
weekly_outcome_payment = 333.33
weekly_saving = 770.0
saving_kind = "cashable"
minimum_referrals = 25

  [[cohort.eligibility]]
  from = 2014-10-01
  min_age = 8
  max_age = 17

[[cohort]]
code = "EC"
name = "Edge of care"
proving_weeks = 0
weekly_outcome_payment = 95.5
weekly_saving = 420.0
saving_kind = "avoided"
minimum_referrals = 10

  [[cohort.eligibility]]
  from = 2014-10-01
  min_age = 8
  max_age = 17

[guaranteed_funding]
minimum_weeks = 12
weekly_fee = 210.0

[[contract_year]]
year = 1
minimum_referrals = 20
"""
OTHER = parse_contract(OTHER_TEXT, "other.toml")
# the same with two outcome funds, one capped low enough to bind
FUNDED = parse_contract(
    OTHER_TEXT.replace("lcf_share = 0.11\n", "")
    + """
[[outcome_fund]]
name = "Social Outcomes Fund"
share = 0.2
cap = 15000.0

[[outcome_fund]]
name = "Local fund"
share = 0.05
""",
    "funded.toml",
)
# the same with step-down paid by milestones of unbroken weeks, capped per referral (and
# without the weekly design's terms, which a milestones cohort does not use)
MILESTONES = parse_contract(
    OTHER_TEXT.replace("proving_weeks = 8\nweekly_outcome_payment = 333.33\n", "", 1)
    .replace(
        'name = "Step down"\n',
        'name = "Step down"\npayment_design = "continuous_milestones"\n'
        "max_payment_per_referral = 9000.0\n",
    )
    .replace(
        '[[cohort]]\ncode = "EC"',
        "  [[cohort.milestone]]\n  name = 'placement_start'\n  continuous_weeks = 0\n"
        "  payment = 2500.0\n\n"
        "  [[cohort.milestone]]\n  name = 'settled'\n  continuous_weeks = 12\n"
        "  payment = 4000.0\n\n"
        "  [[cohort.milestone]]\n  name = 'graduation'\n  continuous_weeks = 40\n"
        "  payment = 6000.0\n\n"
        '[[cohort]]\ncode = "EC"',
    ),
    "milestones.toml",
)
CENSUS = {
    id(DN2): dt.date(2024, 11, 30),
    id(OTHER): dt.date(2016, 8, 31),
    id(FUNDED): dt.date(2016, 8, 31),
    id(MILESTONES): dt.date(2016, 8, 31),
}
CONTRACTS = pytest.mark.parametrize(
    "contract", [DN2, OTHER, FUNDED, MILESTONES], ids=["dn2", "other", "funded", "milestones"]
)


def _programme(contract, n=120, seed=7, as_of=None):
    as_of = as_of or CENSUS[id(contract)]
    return generate_programme(contract, n_referrals=n, as_of=as_of, seed=seed)


def _run(contract, p, d, e, runs=40, seed=3):
    rec = records_as_of(p.enquiries, p.referrals, p.periods, d)
    return simulation_summary(
        contract, simulate(contract, rec, fit(contract, rec), to=e, runs=runs, seed=seed)
    )


def _percentiles_equal_report(summary, report):
    def same(dist, value):
        assert {k: v for k, v in dist.items() if k != "mean"} == {
            k: value for k in ("p2_5", "p10", "p50", "p90", "p97_5")
        }
        assert dist["mean"] == value

    refs = report["referrals"]
    same(summary["referrals"]["total"], refs["total"])
    for la, dist in summary["referrals"]["by_local_authority"].items():
        same(dist, refs["by_local_authority"][la])
    for c, dist in summary["referrals"]["by_cohort"].items():
        same(dist, refs["by_cohort"][c])
    for figure in FINANCE:
        same(summary["finance"][figure], report["finance"][figure])


@CONTRACTS
@pytest.mark.parametrize("gap_days", [0, 1, 200])
def test_when_the_end_is_before_the_as_of_date_every_percentile_is_the_report(contract, gap_days):
    p = _programme(contract)
    e = CENSUS[id(contract)] - dt.timedelta(days=300)
    d = e + dt.timedelta(days=gap_days)
    summary = _run(contract, p, d, e)
    # the report as of E of the records as of D (a record dated after E is invisible either way)
    report = report_to_plain(evaluation_report(contract, p.enquiries, p.referrals, p.periods, e))
    _percentiles_equal_report(summary, report)
    assert set(summary["referrals"]["shortfall_probability"].values()) <= {0.0, 1.0}


@CONTRACTS
def test_when_everything_has_ended_every_percentile_is_the_report(contract):
    # records long after the referral period: every referral has ended by D, and no new one
    # can come; E later still
    d = contract_end(contract) + dt.timedelta(days=120)
    p = _programme(contract, as_of=d)
    assert p.referrals["end_date"].null_count() == 0
    e = d + dt.timedelta(days=400)
    summary = _run(contract, p, d, e)
    report = report_to_plain(evaluation_report(contract, p.enquiries, p.referrals, p.periods, e))
    _percentiles_equal_report(summary, report)


@CONTRACTS
@pytest.mark.parametrize("years_before", [0.3, 1, 2])
def test_a_run_whose_draws_are_the_records_gives_the_engines_figures(contract, years_before):
    e = CENSUS[id(contract)]
    d = e - dt.timedelta(days=int(365 * years_before))
    p = _programme(contract, n=150, seed=11)
    rec = records_as_of(p.enquiries, p.referrals, p.periods, d)
    sim = Simulator(contract, rec, fit(contract, rec), to=e)
    # the "draws": every referral not ended by D (live at D, or new), as the records show it by
    # E, with all its periods
    ended_by_d = pl.col("end_date").is_not_null() & (pl.col("end_date") <= d)
    later = p.referrals.filter(~ended_by_d & (pl.col("referral_date") <= e)).with_columns(
        pl.lit(0).alias("run")
    )
    periods = p.periods.filter(pl.col("referral_id").is_in(later["referral_id"].implode()))
    got = sim.figures(sim.price(later, periods, 1)[e])
    report = evaluation_report(contract, p.enquiries, p.referrals, p.periods, e)
    fin = report["finance"]
    assert int(got["referrals"][0]) == report["referrals"]["total"]
    for la in contract.council_codes:
        assert int(got[f"referrals@la:{la}"][0]) == report["referrals"]["by_local_authority"][la]
        for figure, value in fin["by_local_authority"][la].items():
            assert sim.pricing.amount(figure, int(got[f"{figure}@la:{la}"][0])) == value
    for c in contract.cohort_codes:
        assert int(got[f"referrals@cohort:{c}"][0]) == report["referrals"]["by_cohort"][c]
    for figure in FINANCE:
        assert sim.pricing.amount(figure, int(got[figure][0])) == fin[figure], figure
    assert sim.pricing.amount("fund_contributions", int(got["fund_contributions"][0])) == Decimal(
        fin["lcf_contribution"]
    )
    for name, amount in fin["outcome_funds"].items():
        assert sim.pricing.amount(f"fund:{name}", int(got[f"fund:{name}"][0])) == amount


def test_a_capped_fund_stops_at_its_cap_in_every_run():
    p = _programme(FUNDED, n=150, seed=11)
    d = CENSUS[id(FUNDED)] - dt.timedelta(days=400)
    rec = records_as_of(p.enquiries, p.referrals, p.periods, d)
    runs = simulate(FUNDED, rec, fit(FUNDED, rec), to=contract_end(FUNDED), runs=50, seed=2)
    capped = runs.values("fund:Social Outcomes Fund")
    assert capped.max() == 15000 * 10**runs.pricing.scale
    outcome = runs.values("outcome_payments")
    local = runs.values("fund:Local fund")
    assert (local * 20 == outcome).all()  # 5%, no cap
    assert (runs.values("fund_contributions") == capped + local).all()


def test_the_same_seed_gives_the_same_output_and_another_seed_another():
    p = _programme(DN2)
    d, e = dt.date(2023, 6, 30), dt.date(2024, 11, 30)
    first = _run(DN2, p, d, e, runs=700, seed=5)
    assert first == _run(DN2, p, d, e, runs=700, seed=5)
    assert first != _run(DN2, p, d, e, runs=700, seed=6)
    assert first["runs"] == 700 and first["to"] == "2024-11-30" and first["as_of"] == "2023-06-30"


def test_the_json_has_the_published_shape():
    p = _programme(DN2)
    s = _run(DN2, p, dt.date(2023, 6, 30), contract_end(DN2), runs=20)
    assert list(s) == ["as_of", "to", "runs", "seed", "referrals", "finance"]
    assert s["to"] == "2027-03-29"
    assert list(s["referrals"]) == [
        "total",
        "by_local_authority",
        "by_cohort",
        "shortfall_probability",
    ]
    assert list(s["referrals"]["total"]) == ["mean", "p2_5", "p10", "p50", "p90", "p97_5"]
    assert list(s["referrals"]["shortfall_probability"]) == [
        "derby",
        "nottingham",
        "nottinghamshire",
        "A",
        "B",
        "C",
        "D",
    ]
    assert list(s["finance"]) == list(FINANCE)
    assert all(isinstance(s["referrals"]["total"][k], int) for k in ("p2_5", "p50", "p97_5"))
    assert isinstance(s["finance"]["outcome_payments"]["p50"], float)


@given(values=st.lists(st.integers(-1000, 1000), min_size=1, max_size=60))
def test_nearest_rank_is_a_value_with_enough_below(values):
    s = np.sort(np.asarray(values, dtype=np.int64))
    for p in (Decimal("2.5"), Decimal(10), Decimal(50), Decimal(90), Decimal("97.5")):
        v = nearest_rank(s, p)
        assert v in values
        at_most = sum(x <= v for x in values)
        below = sum(x < v for x in values)
        assert at_most * 100 >= p * len(values) > below * 100 or below == 0


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    contract=st.sampled_from([DN2, OTHER, FUNDED, MILESTONES]),
    n=st.integers(0, 90),
    programme_seed=st.integers(0, 10_000),
    days_before=st.integers(0, 900),
    seed=st.integers(0, 2**31),
    runs=st.integers(1, 30),
)
def test_runs_never_undo_the_records_and_bands_are_ordered(
    contract, n, programme_seed, days_before, seed, runs
):
    census = CENSUS[id(contract)]
    p = _programme(contract, n=n, seed=programme_seed)
    d = census - dt.timedelta(days=days_before)
    s = _run(contract, p, d, contract_end(contract), runs=runs, seed=seed)
    at_d = evaluation_report(contract, p.enquiries, p.referrals, p.periods, d)
    keys = ("p2_5", "p10", "p50", "p90", "p97_5")
    for dist in [s["referrals"]["total"], *s["finance"].values()]:
        values = [dist[k] for k in keys]
        assert values == sorted(values)
        assert values[0] <= dist["mean"] <= values[-1]
    # what the records as of D show is never undone: referrals, weeks and payments only grow
    assert s["referrals"]["total"]["p2_5"] >= at_d["referrals"]["total"]
    assert s["finance"]["sustained_weeks"]["p2_5"] >= at_d["finance"]["sustained_weeks"]
    assert (
        Decimal(str(s["finance"]["outcome_payments"]["p2_5"]))
        >= at_d["finance"]["outcome_payments"]
    )
    for la in contract.council_codes:
        assert (
            s["referrals"]["by_local_authority"][la]["p2_5"]
            >= at_d["referrals"]["by_local_authority"][la]
        )
    # no referral after the referral period: at most what is there plus what can come
    assert all(0 <= v <= 1 for v in s["referrals"]["shortfall_probability"].values())


def test_referrals_are_counted_per_contract_year_for_its_minimum():
    p = _programme(DN2, n=150, seed=11)
    d = dt.date(2022, 6, 30)
    rec = records_as_of(p.enquiries, p.referrals, p.periods, d)
    e = CENSUS[id(DN2)]
    runs = simulate(DN2, rec, fit(DN2, rec), to=e, runs=30, seed=4)
    report = evaluation_report(DN2, p.enquiries, p.referrals, p.periods, d)
    total = sum(runs.values(f"referrals@year:{y}") for y in (1, 2, 3, 4))
    later = runs.values("referrals") - total  # year 5 has no minimum
    assert (later >= 0).all()
    # years ended by D are the records' own
    for y in (1,):
        assert (
            runs.values(f"referrals@year:{y}") == report["referrals"]["by_contract_year"][str(y)]
        ).all()
    rows = {r["minimum"]: r for r in minimum_rows(DN2, runs)}
    assert {"Contract year 1", "Contract year 4"} <= set(rows)
