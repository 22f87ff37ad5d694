"""Distributions of the runs: docs/tracker-format.md, section "Simulation (JSON)".

Percentiles are of the N runs, nearest rank (the p-th is the ⌈p·N/100⌉-th smallest, so
every percentile is a run's figure: an integer for counts, pence for money); ``mean`` to two
decimals, half up. ``shortfall_probability`` is, for each council and each cohort with a
minimum, the share of runs whose referrals at E fall short of it (four places).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np

from stars.domain.contract.terms import Contract
from stars.domain.money import money_number, rate4, rate_number
from stars.domain.simulation.montecarlo import Runs
from stars.domain.simulation.pricing import Ints, is_money

PERCENTILES = (
    ("p2_5", Decimal("2.5")),
    ("p10", Decimal(10)),
    ("p50", Decimal(50)),
    ("p90", Decimal(90)),
    ("p97_5", Decimal("97.5")),
)
FINANCE = (
    "sustained_weeks",
    "outcome_payments",
    "guaranteed_funding_payments",
    "cashable_savings",
    "cost_avoidance",
    "net_cash_saving",
    "council_cost",
)
CENT = Decimal("0.01")


def nearest_rank(sorted_values: Ints, p: Decimal) -> int:
    """The p-th percentile (nearest rank) of values sorted ascending."""
    n = len(sorted_values)
    rank = max(math.ceil(p * n / 100), 1)
    return int(sorted_values[rank - 1])


def distribution(runs: Runs, output: str) -> dict[str, Any]:
    """``mean`` and the percentiles of one output over the runs (JSON numbers)."""
    values = np.sort(runs.values(output))
    money = is_money(output)
    total = Decimal(int(values.sum(dtype=np.int64)))
    mean = total / len(values)
    if money:
        mean = mean.scaleb(-runs.pricing.scale)
    out: dict[str, Any] = {"mean": float(mean.quantize(CENT, rounding=ROUND_HALF_UP)) + 0.0}
    for key, p in PERCENTILES:
        v = nearest_rank(values, p)
        out[key] = money_number(runs.pricing.amount(output, v)) if money else v
    return out


def shortfall(runs: Runs, output: str, minimum: int) -> float | None:
    short = int((runs.values(output) < minimum).sum())
    return rate_number(rate4(short, runs.runs))


def simulation_summary(contract: Contract, runs: Runs) -> dict[str, Any]:
    """The simulation's JSON object (docs/tracker-format.md, "Simulation (JSON)")."""
    minimums: dict[str, float | None] = {}
    for la in contract.local_authorities:
        if la.minimum_referrals:
            minimums[la.code] = shortfall(runs, f"referrals@la:{la.code}", la.minimum_referrals)
    for c in contract.cohorts:
        if c.minimum_referrals:
            minimums[c.code] = shortfall(runs, f"referrals@cohort:{c.code}", c.minimum_referrals)
    return {
        "as_of": runs.as_of.isoformat(),
        "to": runs.to.isoformat(),
        "runs": runs.runs,
        "seed": runs.seed,
        "referrals": {
            "total": distribution(runs, "referrals"),
            "by_local_authority": {
                la: distribution(runs, f"referrals@la:{la}") for la in contract.council_codes
            },
            "by_cohort": {
                c: distribution(runs, f"referrals@cohort:{c}") for c in contract.cohort_codes
            },
            "shortfall_probability": minimums,
        },
        "finance": {f: distribution(runs, f) for f in FINANCE},
    }


def summary_to_json(summary: dict[str, Any], *, indent: int | None = 2) -> str:
    return json.dumps(summary, indent=indent, ensure_ascii=False)


def minimum_rows(
    contract: Contract, runs: Runs, councils: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Every referral minimum (each council's, each cohort's, the programme's: the sum of
    the contract years' minimums, and each contract year's that has started by E): the
    chance of falling short by E, the mean shortfall and the expected penalty at the
    contract's penalty per missing referral. ``councils``: runs of those councils' records
    alone, so only their own minimums."""
    penalty = contract.shortfall_penalty_per_referral
    wanted: list[tuple[str, str, int]] = []
    for la in contract.local_authorities:
        wanted.append((f"Council {la.name}", f"referrals@la:{la.code}", la.minimum_referrals))
    if councils is not None:
        wanted = [
            w
            for w, la in zip(wanted, contract.local_authorities, strict=True)
            if la.code in councils
        ]
        return _minimums(wanted, runs, penalty)
    for c in contract.cohorts:
        wanted.append(
            (f"Cohort {c.code} {c.name}", f"referrals@cohort:{c.code}", c.minimum_referrals)
        )
    wanted.append(("Programme", "referrals", contract.minimum_referrals))
    for y in contract.contract_years:
        if y.minimum_referrals and y.year in contract.years_started(runs.to):
            wanted.append(
                (f"Contract year {y.year}", f"referrals@year:{y.year}", y.minimum_referrals)
            )
    return _minimums(wanted, runs, penalty)


def _minimums(
    wanted: list[tuple[str, str, int]], runs: Runs, penalty: Decimal
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for name, output, minimum in wanted:
        if not minimum:
            continue
        values = runs.values(output)
        short = np.clip(minimum - values, 0, None)
        mean_short = Decimal(int(short.sum())) / runs.runs
        out.append(
            {
                "minimum": name,
                "referrals_required": minimum,
                "shortfall_probability": rate4(int((short > 0).sum()), runs.runs),
                "expected_shortfall": mean_short.quantize(CENT, rounding=ROUND_HALF_UP),
                "expected_penalty": mean_short * penalty,
            }
        )
    return out
