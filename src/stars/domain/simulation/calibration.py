"""Calibration: does the 80% band contain what later happened?

For each cut date D, simulate from the records as of D to a later date E whose actual
figures the records know (the evaluation report as of E), and note whether each actual
lies inside the simulated 80% band [p10, p90] (nearest rank). Coverage near 80% (70–90%)
means the bands are as wide as they should be.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import polars as pl

from stars.domain.contract.terms import Contract
from stars.domain.evaluation.report import evaluation_report
from stars.domain.simulation.fit import fit
from stars.domain.simulation.montecarlo import simulate
from stars.domain.simulation.records import records_as_of
from stars.domain.simulation.summary import nearest_rank

FIGURES = ("referrals", "outcome_payments", "net_cash_saving")
BAND = (Decimal(10), Decimal(90))


def _actual(report: dict[str, Any], figure: str) -> Decimal:
    if figure == "referrals":
        return Decimal(report["referrals"]["total"])
    return Decimal(report["finance"][figure])


def calibrate(
    contract: Contract,
    enquiries: pl.DataFrame,
    referrals: pl.DataFrame,
    periods: pl.DataFrame,
    *,
    cuts: Sequence[dt.date],
    to: dt.date,
    runs: int,
    seed: int,
    label: str = "",
) -> list[dict[str, Any]]:
    """One row per cut date before ``to``: each figure's band, the actual, and inside or not."""
    report = evaluation_report(contract, enquiries, referrals, periods, to)
    rows: list[dict[str, Any]] = []
    for cut in cuts:
        if cut >= to:
            continue
        rec = records_as_of(enquiries, referrals, periods, cut)
        result = simulate(contract, rec, fit(contract, rec), to=to, runs=runs, seed=seed)
        row: dict[str, Any] = {"programme": label, "as_of": cut.isoformat(), "to": to.isoformat()}
        for figure in FIGURES:
            values = np.sort(result.values(figure))
            low, high = (result.pricing.amount(figure, nearest_rank(values, p)) for p in BAND)
            actual = _actual(report, figure)
            row[f"{figure}_p10"] = low
            row[f"{figure}_p90"] = high
            row[f"{figure}_actual"] = actual
            row[f"{figure}_inside"] = bool(low <= actual <= high)
        rows.append(row)
    return rows


def coverage(rows: Sequence[dict[str, Any]]) -> dict[str, float | None]:
    """The share of rows whose actual lies in the band, per figure."""
    return {
        f: (sum(bool(r[f"{f}_inside"]) for r in rows) / len(rows) if rows else None)
        for f in FIGURES
    }
