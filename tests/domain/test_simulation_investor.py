"""The investor's cash flows in the simulator: contract terms, exact flows, IRR, return cap."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stars.demo.synthetic import generate_programme
from stars.domain.calendar import financial_year_ends
from stars.domain.contract.parsing import ContractError, parse_contract
from stars.domain.contract.terms import Investment
from stars.domain.money import pence
from stars.domain.simulation.fit import fit
from stars.domain.simulation.investor import investor_runs, irr
from stars.domain.simulation.montecarlo import contract_end, simulate
from stars.domain.simulation.records import records_as_of
from tests.domain.test_simulation import DN2, OTHER, OTHER_TEXT


def test_the_contract_gives_the_investors_terms():
    terms = DN2.investment
    assert terms is not None
    assert terms.committed == Decimal("1500000.00") and terms.return_cap_multiple == Decimal("1.5")
    assert OTHER.investment is None
    with pytest.raises(ContractError) as err:
        parse_contract(OTHER_TEXT + "\n[investment]\ncommitted = 10.0\n", "x.toml")
    assert "investment.weekly_cost_per_referral" in str(err.value)


def test_irr_worked_examples():
    flows = np.asarray([[-100.0, 110.0], [100.0, 50.0]])
    got = irr(flows, np.asarray([0.0, 1.0]))
    assert got[0] == pytest.approx(0.10, abs=1e-9)
    assert irr(np.asarray([[-100.0, 0.0, 121.0]]), np.asarray([0.0, 1.0, 2.0]))[0] == pytest.approx(
        0.10, abs=1e-9
    )
    assert np.isnan(got[1])  # never negative: no rate makes it 0


P = generate_programme(DN2, n_referrals=120, as_of=dt.date(2024, 11, 30), seed=8)
D = dt.date(2023, 9, 30)
REC = records_as_of(P.enquiries, P.referrals, P.periods, D)
FIT = fit(DN2, REC)
AT = [D, *financial_year_ends(DN2.start, contract_end(DN2))]


@settings(max_examples=6, deadline=None)
@given(cap=st.sampled_from([None, "1.0", "1.2", "3"]), weekly=st.integers(50, 900))
def test_flows_add_up_to_the_runs_figures_and_the_cap_holds(cap, weekly):
    terms = Investment(
        committed=Decimal(1_000_000),
        weekly_cost_per_referral=Decimal(weekly),
        monthly_fixed_cost=Decimal(5000),
        return_cap_multiple=None if cap is None else Decimal(cap),
    )
    contract = replace(DN2, investment=terms)
    runs = simulate(contract, REC, FIT, to=contract_end(DN2), runs=25, seed=3, at=AT)
    inv = investor_runs(contract, runs)
    end = runs.to
    paid = runs.values("outcome_payments", end) + runs.values("guaranteed_funding_payments", end)
    days = runs.values("case_days", end)
    months = 79  # September 2020 to March 2027: each month started before 29 March 2027
    for r in range(runs.runs):
        spent = sum(inv.costs[r], Decimal(0))
        expected = Decimal(weekly) * Decimal(int(days[r])) / 7 + 5000 * months
        assert pence(spent) == pence(expected)  # each year's cost is exact; ÷ 7 is not
        kept = sum(inv.income[r], Decimal(0))
        owed = runs.pricing.amount("outcome_payments", int(paid[r]))
        if cap is None:
            assert kept == owed
        else:
            assert kept <= owed
            running_cost = running_kept = Decimal(0)
            for c, i in zip(inv.costs[r], inv.income[r], strict=True):
                running_cost, running_kept = running_cost + c, running_kept + i
                assert running_kept <= Decimal(cap) * running_cost
