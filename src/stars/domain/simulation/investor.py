"""The social investor's cash flows in each run, with its IRR and money multiple.

From the contract's ``[investment]`` terms: the investor pays the provider's delivery cost,
``weekly_cost_per_referral`` for each week a referral is on the programme (its window, as
the engine counts it) and ``monthly_fixed_cost`` for each month from the contract's start,
and is paid every outcome payment and guaranteed-funding fee. With
``return_cap_multiple``, what it has kept is never more than that multiple of what it has
spent so far (the rest goes back to the councils as it is paid). Flows are taken between
the run's dates (``Runs.at``, from the contract's start): a period's costs and income count
at its end.

Money is exact (``Decimal``) per period and run; the IRR (the yearly rate at which the
flows' present value is 0, by bisection; none when the flows never change sign) and the
money multiple (income kept ÷ costs) are rates, floats.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from stars.domain.calendar import add_months
from stars.domain.contract.terms import Contract, Investment
from stars.domain.simulation.montecarlo import Runs

Floats = npt.NDArray[np.float64]
YEAR_DAYS = 365.25


@dataclass(frozen=True)
class InvestorRuns:
    """Each run's flows per period (pounds, exact) and its summary figures."""

    terms: Investment
    ends: tuple[dt.date, ...]  # the end of each period
    costs: list[list[Decimal]]  # [run][period]
    income: list[list[Decimal]]  # [run][period], after any return cap
    peak: Floats  # the most the investor had put in, net, at a period's end
    irr: Floats  # nan: no IRR
    multiple: Floats  # income kept ÷ costs (nan: no costs)

    @property
    def runs(self) -> int:
        return len(self.costs)


def _months_started(start: dt.date, frm: dt.date, to: dt.date) -> int:
    """Months of the contract (from ``start``, monthly) that begin in ``[frm, to)``."""
    n, k = 0, 0
    while True:
        day = add_months(start, k)
        if day >= to:
            return n
        if day >= frm:
            n += 1
        k += 1


GRID = np.concatenate([np.linspace(-0.95, 1.0, 79), np.linspace(1.05, 10.0, 40)])


def irr(flows: Floats, years: Floats) -> Floats:
    """The yearly IRR of each row of ``flows`` at times ``years``: of the rates between -95%
    and 1,000% at which the present value is 0, the nearest to 0 (flows that turn more than
    once may have several), by bisection within a bracket of ``GRID``; nan where there is
    none."""

    def npv(rate: Floats) -> Floats:
        out: Floats = (flows / (1 + rate[:, None]) ** years[None, :]).sum(axis=1)
        return out

    runs = flows.shape[0]
    values = np.stack([npv(np.full(runs, g)) for g in GRID], axis=1)  # runs × grid
    turns = np.sign(values[:, :-1]) != np.sign(values[:, 1:])
    mids = np.abs((GRID[:-1] + GRID[1:]) / 2)
    cost = np.where(turns, mids[None, :], np.inf)
    k = cost.argmin(axis=1)
    ok = np.isfinite(cost[np.arange(runs), k])
    lo, hi = GRID[k].astype(np.float64), GRID[k + 1].astype(np.float64)
    f_lo = npv(lo)
    for _ in range(60):
        mid = (lo + hi) / 2
        f_mid = npv(mid)
        left = np.sign(f_mid) == np.sign(f_lo)
        lo = np.where(left, mid, lo)
        f_lo = np.where(left, f_mid, f_lo)
        hi = np.where(left, hi, mid)
    result: Floats = np.where(ok, (lo + hi) / 2, np.nan)
    return result


def investor_runs(contract: Contract, runs: Runs) -> InvestorRuns | None:
    """The investor's flows in every run, or None when the contract has no ``[investment]``."""
    terms = contract.investment
    if terms is None:
        return None
    ends = tuple(t for t in runs.at if t > contract.start)
    scale = runs.pricing.scale
    costs: list[list[Decimal]] = [[] for _ in range(runs.runs)]
    income: list[list[Decimal]] = [[] for _ in range(runs.runs)]
    before_paid = np.zeros(runs.runs, dtype=np.int64)
    before_days = np.zeros(runs.runs, dtype=np.int64)
    frm = contract.start
    weekly = terms.weekly_cost_per_referral
    for end in ends:
        f = runs.figures[end]
        paid = f["outcome_payments"] + f["guaranteed_funding_payments"]
        days = f["case_days"]
        fixed = terms.monthly_fixed_cost * _months_started(contract.start, frm, end)
        for r in range(runs.runs):
            costs[r].append(weekly * Decimal(int(days[r] - before_days[r])) / 7 + fixed)
            income[r].append(Decimal(int(paid[r] - before_paid[r])).scaleb(-scale))
        before_paid, before_days, frm = paid, days, end
    if terms.return_cap_multiple is not None:
        cap = terms.return_cap_multiple
        for r in range(runs.runs):
            spent = kept = Decimal(0)
            for k, amount in enumerate(income[r]):
                spent += costs[r][k]
                income[r][k] = max(min(amount, cap * spent - kept), Decimal(0))
                kept += income[r][k]
    net = np.asarray(
        [
            [float(i - c) for i, c in zip(inc, cst, strict=True)]
            for inc, cst in zip(income, costs, strict=True)
        ],
        dtype=np.float64,
    ).reshape(runs.runs, len(ends))
    years = np.asarray([(e - contract.start).days / YEAR_DAYS for e in ends], dtype=np.float64)
    peak = np.maximum((-np.cumsum(net, axis=1)).max(axis=1, initial=0.0), 0.0)
    total_cost = np.asarray([float(sum(c, Decimal(0))) for c in costs])
    total_income = np.asarray([float(sum(i, Decimal(0))) for i in income])
    multiple = np.where(
        total_cost > 0, total_income / np.where(total_cost > 0, total_cost, 1), np.nan
    )
    return InvestorRuns(terms, ends, costs, income, peak, irr(net, years), multiple)
