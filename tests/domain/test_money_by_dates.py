"""Money as of many dates in one pass equals the engine run once per date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stars.demo.synthetic import generate_programme
from stars.domain.contract.parsing import parse_contract
from stars.domain.money import Money
from stars.domain.outcomes.engine import money_by_dates, money_by_group, referral_figures

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = {
    path.name: parse_contract(path.read_text("utf-8"), path.name)
    for path in [
        ROOT / "contracts" / "dn2-stars.toml",
        *(ROOT / "contracts" / "examples").glob("*.toml"),
    ]
}


def one_date(contract, referrals, periods, as_of: dt.date) -> Money:
    total = Money()
    for m in money_by_group(
        contract, referral_figures(contract, referrals, periods, as_of)
    ).values():
        total = total + m
    return total


@pytest.mark.parametrize("name", sorted(CONTRACTS))
@settings(max_examples=8, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    offsets=st.lists(st.integers(-60, 3000), min_size=1, max_size=12),
    per_pass=st.sampled_from([1, 5, 2_000_000]),
)
def test_money_by_dates_equals_the_engine_date_by_date(name, seed, offsets, per_pass):
    contract = CONTRACTS[name]
    p = generate_programme(contract, n_referrals=60, as_of=dt.date(2024, 11, 30), seed=seed)
    dates = [contract.start + dt.timedelta(days=o) for o in offsets]
    # one date per pass, five, or all at once
    got = money_by_dates(contract, p.referrals, p.periods, dates, rows_per_pass=per_pass * 60)
    assert got == [one_date(contract, p.referrals, p.periods, d) for d in dates]


def test_a_worked_example_and_no_dates():
    contract = CONTRACTS["dn2-stars.toml"]
    p = generate_programme(contract, n_referrals=228, as_of=dt.date(2024, 11, 30), seed=2020)
    months = [dt.date(2021, 3, 31), dt.date(2022, 3, 31), dt.date(2024, 11, 30)]
    got = money_by_dates(contract, p.referrals, p.periods, months)
    assert [m.paid for m in got] == [
        one_date(contract, p.referrals, p.periods, d).paid for d in months
    ]
    assert got[0].paid < got[1].paid < got[2].paid
    assert money_by_dates(contract, p.referrals, p.periods, []) == []
