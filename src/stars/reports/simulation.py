"""The contract simulator over the database: the programme's records, fitted and simulated.

Figures are the whole programme's, aggregate only (``stars.domain.simulation``); the page
and the command call ``simulation_for`` and show the baseline beside a what-if when settings
are given (the same seed for both, so the difference is the settings', not chance's).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from stars.core.spreadsheets import xlsx
from stars.domain.contract.terms import Contract
from stars.domain.money import rate_number
from stars.domain.simulation.fit import Assumptions, fit
from stars.domain.simulation.montecarlo import Progress, Runs, contract_end, simulate
from stars.domain.simulation.records import records_as_of
from stars.domain.simulation.summary import (
    FINANCE,
    PERCENTILES,
    distribution,
    minimum_rows,
    simulation_summary,
)
from stars.domain.simulation.whatif import apply
from stars.partnership.selectors import contract_current
from stars.tracker.selectors import programme_frames

DEFAULT_RUNS = 2000
MAX_RUNS = 100_000


class ProgrammeNotFound(LookupError):
    """``--programme`` names no programme the service holds."""


@dataclass(frozen=True)
class Scenario:
    contract: Contract
    assumptions: Assumptions
    runs: Runs
    summary: dict[str, Any]


@dataclass(frozen=True)
class Simulation:
    as_of: dt.date
    to: dt.date
    settings: tuple[str, ...]
    baseline: Scenario
    whatif: Scenario | None

    @property
    def shown(self) -> Scenario:
        """The scenario the JSON prints: the what-if when there is one."""
        return self.whatif or self.baseline


def programme_contract(programme: str | None) -> Contract:
    """The contract of a programme (by its code or name; None: the one in force)."""
    contract = contract_current()
    if programme is None:
        return contract
    names = {contract.name.lower(), str(getattr(contract, "code", "") or "").lower()}
    if programme.strip().lower() not in names - {""}:
        raise ProgrammeNotFound(
            f"--programme {programme!r}: the service holds the programme {contract.name!r}"
        )
    return contract


def simulation_for(
    *,
    as_of: dt.date,
    to: dt.date | None = None,
    runs: int = DEFAULT_RUNS,
    seed: int = 1,
    settings: Sequence[str] = (),
    programme: str | None = None,
    at: Sequence[dt.date] = (),
    progress: Progress | None = None,
) -> Simulation:
    """The baseline (and the what-if of ``settings``) from the records as of ``as_of``."""
    contract = programme_contract(programme)
    enquiries, referrals, periods = programme_frames(None)
    records = records_as_of(enquiries, referrals, periods, as_of)
    assumptions = fit(contract, records)
    end = to or contract_end(contract)
    changed = apply(contract, assumptions, settings) if settings else None  # errors first
    total = runs * (2 if changed else 1)

    def scenario(c: Contract, a: Assumptions, offset: int) -> Scenario:
        def step(done: int, _: int) -> None:
            if progress is not None:
                progress(offset + done, total)

        r = simulate(c, records, a, to=end, runs=runs, seed=seed, at=at, progress=step)
        return Scenario(c, a, r, simulation_summary(c, r))

    baseline = scenario(contract, assumptions, 0)
    whatif = scenario(*changed, runs) if changed else None
    return Simulation(as_of, end, tuple(settings), baseline, whatif)


# -- the workbook ---------------------------------------------------------------------------------

FIGURE_LABELS = {
    "referrals": "Referrals",
    "sustained_weeks": "Sustained weeks",
    "outcome_payments": "Outcome payments",
    "guaranteed_funding_payments": "Guaranteed funding payments",
    "cashable_savings": "Cashable savings",
    "cost_avoidance": "Cost avoidance",
    "net_cash_saving": "Net cash saving",
    "council_cost": "Council cost",
    "fund_contributions": "Outcome fund contributions",
}
HEADS = [
    "Mean",
    "2.5th percentile",
    "10th percentile",
    "Median",
    "90th percentile",
    "97.5th percentile",
]


def figure_rows(sim: Simulation) -> list[tuple[str, str, str]]:
    """(label, scope, output) of every figure shown: the programme's, then per council."""
    contract = sim.baseline.contract
    rows = [
        (FIGURE_LABELS[f], "Programme", f) for f in ("referrals", *FINANCE, "fund_contributions")
    ]
    for la in contract.local_authorities:
        rows.append(("Referrals", la.name, f"referrals@la:{la.code}"))
        for f in ("outcome_payments", "net_cash_saving", "council_cost"):
            rows.append((FIGURE_LABELS[f], la.name, f"{f}@la:{la.code}"))
    for c in contract.cohorts:
        rows.append(("Referrals", f"Cohort {c.code} {c.name}", f"referrals@cohort:{c.code}"))
    return rows


def _dist(s: Scenario, output: str) -> list[Any]:
    d = distribution(s.runs, output)
    return [d["mean"], *[d[k] for k, _ in PERCENTILES]]


def simulation_xlsx(sim: Simulation) -> bytes:
    """The simulation as a workbook: figures (baseline beside the what-if), minimums,
    assumptions and the run's settings."""
    scenarios = [("Baseline", sim.baseline)] + ([("What-if", sim.whatif)] if sim.whatif else [])
    heads = ["Figure", "Scope"] + [f"{n}: {h}" for n, _ in scenarios for h in HEADS]
    rows = [
        [lab, scope, *[v for _, s in scenarios for v in _dist(s, output)]]
        for lab, scope, output in figure_rows(sim)
    ]
    min_heads = ["Minimum", "Referrals required"] + [
        f"{n}: {h}"
        for n, _ in scenarios
        for h in ("Chance of falling short", "Expected shortfall", "Expected penalty")
    ]
    mins = [minimum_rows(s.contract, s.runs) for _, s in scenarios]
    min_rows = [
        [m["minimum"], m["referrals_required"]]
        + [
            v
            for ms in mins
            for v in (
                rate_number(ms[i]["shortfall_probability"]),
                ms[i]["expected_shortfall"],
                ms[i]["expected_penalty"],
            )
        ]
        for i, m in enumerate(mins[0])
    ]
    assumptions = [[k, v, "fitted from the records"] for k, v in sim.baseline.assumptions.rows()]
    assumptions += [[s, "", "what-if setting"] for s in sim.settings]
    run = [
        ["Records as of", sim.as_of.isoformat()],
        ["Simulated to", sim.to.isoformat()],
        ["Runs", sim.baseline.runs.runs],
        ["Seed", sim.baseline.runs.seed],
        ["What-if settings", "; ".join(sim.settings) or "none"],
        ["Programme", sim.baseline.contract.name],
    ]
    return xlsx(
        {
            "Simulation": (heads, rows),
            "Minimums": (min_heads, min_rows),
            "Assumptions": (["Assumption", "Value", "Source"], assumptions),
            "Run": (["Setting", "Value"], run),
        },
        money_columns={"Minimums": {h for h in min_heads if h.endswith("Expected penalty")}},
    )
