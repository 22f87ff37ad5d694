"""The engine against the independent row-by-row reference (benchmarks/reference/report.py).

The reference reads the contract TOML and the tracker CSVs with the standard library alone;
the product's report must equal it value for value on generated programmes.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import random
from pathlib import Path

import polars as pl
import pytest

from stars.demo.synthetic import generate_programme
from stars.domain.contract.parsing import parse_contract
from stars.domain.evaluation.report import evaluation_report, report_to_json
from stars.domain.tracker.rows import write_tracker

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "contracts" / "dn2-stars.toml"
MILESTONES = ROOT / "contracts" / "examples" / "continuous-milestones.toml"


def dn2_capped() -> str:
    """DN2 with its Life Chances Fund capped (and a second fund), and cohort A capped per
    referral: the caps bind on the generated programmes."""
    text = CONTRACT.read_text(encoding="utf-8").replace("lcf_share = 0.25\n", "")
    text = text.replace(
        "proving_weeks = 17\nweekly_outcome_payment = 700.00",
        "proving_weeks = 17\nweekly_outcome_payment = 700.00\nmax_payment_per_referral = 25000.5",
        1,
    )
    return text + (
        "\n[[outcome_fund]]\nname = 'Life Chances Fund'\nshare = 0.25\ncap = 300000.0\n"
        "\n[[outcome_fund]]\nname = 'Council top-up'\nshare = 0.1\n"
    )


CONTRACTS = {
    "dn2": lambda: CONTRACT.read_text(encoding="utf-8"),
    "dn2-capped": dn2_capped,
    "milestones": lambda: MILESTONES.read_text(encoding="utf-8"),
}


def touching(periods: pl.DataFrame, seed: int) -> pl.DataFrame:
    """Half of the periods that follow another of the same referral moved to start on the
    day it ended (touching: one unbroken run), the rest left after a gap."""
    rng = random.Random(seed)
    rows = periods.sort("referral_id", "start_date").rows(named=True)
    for before, row in zip(rows, rows[1:], strict=False):
        same = before["referral_id"] == row["referral_id"]
        if same and before["end_date"] is not None and rng.random() < 0.5:
            row["start_date"] = before["end_date"]
    return pl.DataFrame(rows, schema=periods.schema)


def _reference():
    spec = importlib.util.spec_from_file_location(
        "reference_report", ROOT / "benchmarks" / "reference" / "report.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REFERENCE = _reference()


@pytest.mark.parametrize("contract", sorted(CONTRACTS))
@pytest.mark.parametrize("seed", [1, 2020])
@pytest.mark.parametrize("as_of", ["2021-05-31", "2023-02-28", "2024-11-30", "2027-06-30"])
def test_engine_equals_reference(tmp_path, contract, seed, as_of):
    text = CONTRACTS[contract]()
    terms = parse_contract(text, "contract.toml")
    p = generate_programme(terms, n_referrals=300, as_of=dt.date(2024, 11, 30), seed=seed)
    periods = touching(p.periods, seed) if contract != "dn2" else p.periods
    for name, csv in write_tracker(p.enquiries, p.referrals, periods).items():
        (tmp_path / name).write_text(csv, encoding="utf-8")
    (tmp_path / "contract.toml").write_text(text, encoding="utf-8")
    d = dt.date.fromisoformat(as_of)
    ours = json.loads(
        report_to_json(evaluation_report(terms, p.enquiries, p.referrals, periods, d))
    )
    theirs = REFERENCE.plain(REFERENCE.report_from_dir(tmp_path, d))
    assert REFERENCE.differences(ours, theirs) == []


def test_the_caps_and_milestones_are_exercised():
    """The generated programmes reach the caps and every milestone (or the comparison above
    would prove little)."""
    d = dt.date(2024, 11, 30)
    for contract in ("dn2-capped", "milestones"):
        terms = parse_contract(CONTRACTS[contract](), "contract.toml")
        p = generate_programme(terms, n_referrals=300, as_of=d, seed=1)
        periods = touching(p.periods, 1)
        report = evaluation_report(terms, p.enquiries, p.referrals, periods, d)
        funds = report["finance"]["outcome_funds"]
        capped = [f for f in terms.funds if f.cap is not None]
        assert capped and all(funds[f.name] == f.cap for f in capped)
        assert any(f.cap is None and funds[f.name] > 0 for f in terms.funds)
    milestones = report["finance"]["by_cohort"]["SD"]["milestones"]
    assert all(n > 0 for n in milestones.values()), milestones


def test_differences_names_each_value_that_differs():
    a = {"x": {"y": 1.0, "z": 0.3}, "w": None}
    b = {"x": {"y": 2, "z": 0.1 + 0.2}, "v": 1}
    assert REFERENCE.differences(a, b) == [
        "/v: missing from the first",
        "/w: missing from the second",
        "/x/y: 1.0 != 2",
    ]
