"""Backtest of the forecast: fit to 31 March T-1, forecast 31 March T, compare.

The comparison is per placement group and in total, beside the naive "no change" forecast
(the count at T-1). The episodes are censored at T-1 for fitting (``forecast.censor``), so
the model sees what a return made on that day would have shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

from stars.domain.sufficiency.codes import PLACEMENT_GROUPS
from stars.domain.sufficiency.figures import looked_after_on
from stars.domain.sufficiency.forecast import fit_model, project


@dataclass(frozen=True)
class BacktestRow:
    group: str
    actual: int
    forecast: float
    error: float  # forecast - actual
    naive: int  # the count at T-1 (no change)
    naive_error: int


@dataclass(frozen=True)
class Backtest:
    year: int
    rows: tuple[BacktestRow, ...]  # one per group, then "total"

    def row(self, group: str) -> BacktestRow:
        return next(r for r in self.rows if r.group == group)


# --- backtest ---------------------------------------------------------------------------------


def counts_on(
    episodes: pl.DataFrame, on: date, groups: Sequence[str], group_column: str = "GROUP"
) -> dict[str, int]:
    """Children looked after on ``on`` by group (unknown groups counted in the last group)."""
    out = {g: 0 for g in groups}
    for g, k in looked_after_on(episodes, on).group_by(group_column).len().iter_rows():
        out[g if g in out else groups[-1]] += int(k)
    return out


def backtest(
    episodes: pl.DataFrame,
    headers: pl.DataFrame,
    year: int,
    *,
    window_years: int = 3,
    groups: Sequence[str] = PLACEMENT_GROUPS,
    group_column: str = "GROUP",
    trend: bool = True,
) -> Backtest:
    """Fit to 31 March ``year - 1``, forecast 31 March ``year``, compare with the actual."""
    groups = tuple(groups)
    ref = date(year - 1, 3, 31)
    model = fit_model(
        episodes,
        headers,
        ref,
        window_years=window_years,
        groups=groups,
        group_column=group_column,
        trend=trend,
    )
    forecast = project(model, 1).years[0]
    actual = counts_on(episodes, date(year, 3, 31), groups, group_column)
    naive = counts_on(episodes, ref, groups, group_column)
    rows = [
        BacktestRow(
            g,
            actual[g],
            forecast.by_group[g],
            forecast.by_group[g] - actual[g],
            naive[g],
            naive[g] - actual[g],
        )
        for g in groups
    ]
    ta, tn = sum(actual.values()), sum(naive.values())
    rows.append(BacktestRow("total", ta, forecast.total, forecast.total - ta, tn, tn - ta))
    return Backtest(year, tuple(rows))
