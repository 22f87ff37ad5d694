"""The engine against the independent row-by-row reference (benchmarks/reference/report.py).

The reference reads the contract TOML and the tracker CSVs with the standard library alone;
the product's report must equal it value for value on generated programmes.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import random
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from stars.demo.synthetic import generate_programme
from stars.domain.contract.parsing import parse_contract
from stars.domain.evaluation.report import evaluation_report, report_to_json
from stars.domain.outcomes.engine import outcome_payments_as_of
from stars.domain.tracker.rows import write_tracker

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "contracts" / "dn2-stars.toml"
MILESTONES = ROOT / "contracts" / "examples" / "continuous-milestones.toml"


def dn2_capped() -> str:
    """DN2 with its Life Chances Fund capped (and a second fund), and cohort A capped per
    referral: the caps bind on the generated programmes."""
    text = CONTRACT.read_text(encoding="utf-8").replace("lcf_share = 0.25\n", "")
    assert "proving_weeks = 17\n" in text  # cohort A's
    text = text.replace(
        "proving_weeks = 17\n", "proving_weeks = 17\nmax_payment_per_referral = 25000.5\n", 1
    )
    return text + (
        "\n[[outcome_fund]]\nname = 'Life Chances Fund'\nshare = 0.25\ncap = 300000.0\n"
        "\n[[outcome_fund]]\nname = 'Council top-up'\nshare = 0.1\n"
    )


def dn2_varied() -> str:
    """DN2 capped, with contract variations: dated weekly prices, savings and guaranteed
    fee, for one cohort and for every cohort, inside the generated programmes' weeks."""
    return dn2_capped() + (
        "\n[[variation]]\nfrom = 2021-04-01\nreason = 'indexation 3.1%'\n"
        "weekly_saving = 2165.1\n"
        "\n[[variation]]\nfrom = 2022-04-01\nreason = 'cohort A repriced'\ncohort = 'A'\n"
        "weekly_outcome_payment = 927.90\n"
        "\n[[variation]]\nfrom = 2022-04-01\nreason = 'fee renegotiated'\n"
        "guaranteed_weekly_fee = 333.33\n"
        "\n[[variation]]\nfrom = 2023-01-09\nreason = 'cohort C repriced'\ncohort = 'c'\n"
        "weekly_outcome_payment = 612.5\nweekly_saving = 650.0\n"
    )


def dn2_maxima() -> str:
    """DN2 capped, with a maximum outcome payment for two councils and a lower one for the
    programme: from 2023 on the generated programmes one or more binds (pennies to share)."""
    text = dn2_capped()
    for before, cap in (
        ("minimum_referrals = 44\n", "750000.01"),
        ("minimum_referrals = 48\n", "600000"),
    ):
        assert before in text
        text = text.replace(before, f"{before}maximum_outcome_payment = {cap}\n", 1)
    assert "maximum_outcome_payment = 9120000.00\n" in text
    return text.replace(
        "maximum_outcome_payment = 9120000.00\n", "maximum_outcome_payment = 3000000.03\n"
    )


def milestones_varied() -> str:
    """The milestones example with dated milestone payments and weekly price."""
    return MILESTONES.read_text(encoding="utf-8") + (
        "\n[[variation]]\nfrom = 2021-04-01\nreason = 'indexation'\ncohort = 'SD'\n"
        "milestones = { six_months = 9270.0, graduation = 16274.0 }\n"
        "\n[[variation]]\nfrom = 2022-04-01\nreason = 'indexation'\n"
        "milestones = { placement_start = 8250.0 }\nweekly_saving = 800.0\n"
        "\n[[variation]]\nfrom = 2022-04-01\nreason = 'ST repriced'\ncohort = 'ST'\n"
        "weekly_outcome_payment = 262.5\n"
    )


CONTRACTS = {
    "dn2": lambda: CONTRACT.read_text(encoding="utf-8"),
    "dn2-capped": dn2_capped,
    "dn2-varied": dn2_varied,
    "dn2-maxima": dn2_maxima,
    "milestones": lambda: MILESTONES.read_text(encoding="utf-8"),
    "milestones-varied": milestones_varied,
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


def test_the_variations_are_exercised():
    """On the generated programmes the variations change every kind of figure (weekly
    prices, milestone payments, savings, guaranteed fees) and cohort A's cap still binds
    on some referrals, so the comparison above holds the dated rules to the reference."""
    d = dt.date(2024, 11, 30)
    for plain_name, varied_name in (
        ("dn2-capped", "dn2-varied"),
        ("milestones", "milestones-varied"),
    ):
        finance = {}
        for name in (plain_name, varied_name):
            terms = parse_contract(CONTRACTS[name](), "contract.toml")
            p = generate_programme(terms, n_referrals=300, as_of=d, seed=1)
            periods = touching(p.periods, 1)
            report = evaluation_report(terms, p.enquiries, p.referrals, periods, d)
            finance[name] = report["finance"]
        a, b = finance[plain_name], finance[varied_name]
        for key in ("outcome_payments", "cashable_savings"):
            assert a[key] != b[key], key
        if plain_name == "dn2-capped":
            assert a["guaranteed_funding_payments"] != b["guaranteed_funding_payments"]
            for cohort in ("A", "C"):
                assert (
                    a["by_cohort"][cohort]["outcome_payments"]
                    != b["by_cohort"][cohort]["outcome_payments"]
                )
            terms = parse_contract(dn2_varied(), "contract.toml")
            p = generate_programme(terms, n_referrals=300, as_of=d, seed=1)
            paid = outcome_payments_as_of(terms, p.referrals, p.periods, d)
            assert any(r.outcome_payment == Decimal("25000.5") for r in paid.values())


def test_differences_names_each_value_that_differs():
    a = {"x": {"y": 1.0, "z": 0.3}, "w": None}
    b = {"x": {"y": 2, "z": 0.1 + 0.2}, "v": 1}
    assert REFERENCE.differences(a, b) == [
        "/v: missing from the first",
        "/w: missing from the second",
        "/x/y: 1.0 != 2",
    ]


def test_the_maxima_are_exercised():
    """On the generated programmes a council's maximum and the programme's bind (so the
    comparison above holds the sharing of what a maximum pays to the reference)."""
    terms = parse_contract(dn2_maxima(), "contract.toml")
    d = dt.date(2024, 11, 30)
    p = generate_programme(terms, n_referrals=300, as_of=d, seed=1)
    finance = evaluation_report(terms, p.enquiries, p.referrals, touching(p.periods, 1), d)[
        "finance"
    ]
    assert finance["outcome_payments"] == Decimal("3000000.03")
    assert finance["outcome_payments_above_maximum"] > 0
    derby = finance["by_local_authority"]["derby"]
    assert derby["outcome_payments_above_maximum"] > 0
    assert sum(c["outcome_payments"] for c in finance["by_cohort"].values()) == Decimal(
        "3000000.03"
    )
