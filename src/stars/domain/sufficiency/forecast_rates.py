"""The fitted rates of the placement forecast (``stars.domain.sufficiency.forecast``): the yearly
growth of entries into care, shrunk by its own uncertainty, and the daily transition rates
between (age band, placement group) states, sparse states borrowing their group's rates."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

import polars as pl

from stars.domain.sufficiency.figures import AGE_BAND_LOWER
from stars.domain.sufficiency.linalg import Matrix

MIN_EXPOSURE_DAYS = 365.0


def entry_growth(core: pl.DataFrame, w0: date, reference: date, window_years: int) -> float:
    """Yearly growth of entries: a log-linear trend over the window's years, shrunk by its
    own uncertainty (clipped to 0.8..1.25; 1 when there are under two years or an empty year).

    Entries are counts, so the log of a year's count has variance about 1 / count: the
    slope is fitted by weighted least squares with the counts as weights, and multiplied
    by max(0, 1 - se² / slope²) (positive-part James–Stein). A council of a few hundred
    entrants a year keeps little of a trend its noise could have made; national data keeps
    almost all of it.
    """
    if window_years < 2:
        return 1.0
    yearly = (
        core.filter(pl.col("STARTS_PERIOD") & pl.col("DECOM").is_between(w0, reference))
        .select(
            ((pl.col("DECOM") - pl.lit(w0)).dt.total_days() // 365)
            .clip(0, window_years - 1)
            .alias("_Y")
        )
        .group_by("_Y")
        .len()
    )
    counts = dict(yearly.iter_rows())
    if len(counts) < window_years or min(counts.values()) == 0:
        return 1.0
    xs = list(range(window_years))
    ws = [float(counts[k]) for k in xs]
    ys = [math.log(counts[k]) for k in xs]
    total = sum(ws)
    mx = sum(w * x for w, x in zip(ws, xs, strict=True)) / total
    my = sum(w * y for w, y in zip(ws, ys, strict=True)) / total
    sxx = sum(w * (x - mx) ** 2 for w, x in zip(ws, xs, strict=True))
    slope = sum(w * (x - mx) * (y - my) for w, x, y in zip(ws, xs, ys, strict=True)) / sxx
    se2 = 1.0 / sxx
    if slope == 0.0:
        return 1.0
    slope *= max(0.0, 1.0 - se2 / slope**2)
    return min(1.25, max(0.8, math.exp(slope)))


def transition_rates(counts: Matrix, exposure: Sequence[float], n_b: int, n_g: int) -> Matrix:
    """Daily rates; sparse states borrow their group's pooled move/exit rates."""
    n = n_b * n_g
    pooled_exp = [sum(exposure[k * n_g + g] for k in range(n_b)) for g in range(n_g)]
    pooled_move = [[0.0] * (n_g + 1) for _ in range(n_g)]
    for k in range(n_b):
        for g in range(n_g):
            row = counts[k * n_g + g]
            for g2 in range(n_g):
                pooled_move[g][g2] += row[k * n_g + g2]
            pooled_move[g][n_g] += row[n]
    rates = [[0.0] * (n + 1) for _ in range(n + 1)]
    for k in range(n_b):
        for g in range(n_g):
            i = k * n_g + g
            if exposure[i] >= MIN_EXPOSURE_DAYS:
                for j in range(n + 1):
                    if j != i:
                        rates[i][j] = counts[i][j] / exposure[i]
                continue
            if pooled_exp[g] > 0:
                for g2 in range(n_g):
                    if g2 != g:
                        rates[i][k * n_g + g2] = pooled_move[g][g2] / pooled_exp[g]
                rates[i][n] = pooled_move[g][n_g] / pooled_exp[g]
            width_years = (
                AGE_BAND_LOWER[k + 1] - AGE_BAND_LOWER[k] if k < n_b - 1 else 18 - AGE_BAND_LOWER[k]
            )
            pace = 1.0 / (width_years * 365.25)
            if k < n_b - 1:
                rates[i][(k + 1) * n_g + g] = pace
            else:
                rates[i][n] = max(rates[i][n], pace)
    return rates


# --- scenarios and projection -----------------------------------------------------------------
