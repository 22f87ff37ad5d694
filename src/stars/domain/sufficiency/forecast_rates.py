"""The fitted rates of the placement forecast (``stars.domain.sufficiency.forecast``): entries
into care a year and their yearly growth, both from one weight of the evidence of a trend
(the recent window's average and the trend where the data show one, the average over every
known year where they do not), and the daily transition rates between (age band, placement
group) states, sparse states borrowing their group's rates."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

from stars.domain.sufficiency.figures import AGE_BAND_LOWER
from stars.domain.sufficiency.linalg import Matrix

MIN_EXPOSURE_DAYS = 365.0


@dataclass(frozen=True)
class EntryFit:
    """How the forecast estimates entries from the ``years`` whole years of entries known:
    ``weight`` (the trend's Akaike weight, ``trend_weight``) is the share of the window's
    average in the entry level, the rest the average over every known year, and the share
    of the fitted trend kept; ``growth`` the yearly growth so kept."""

    growth: float = 1.0
    weight: float = 1.0
    years: int = 0

    def level(self, window_mean: float, long_mean: float) -> float:
        """Entries a year: the window's average and the average over every known year,
        weighed by the evidence of a trend."""
        return self.weight * window_mean + (1.0 - self.weight) * long_mean


def log_linear(counts: Sequence[float]) -> tuple[float, float, float, float] | None:
    """The log-linear trend of yearly counts, oldest first: ``(slope, t², x̄, ȳ)``.

    Counts have variance about their size, so the log of a year's count has variance about
    1 / count: the slope of log count on the year (0, 1, ...) is fitted by weighted least
    squares with the counts as weights, ``t² = slope² x Σ w (x - x̄)²`` (the slope over its
    standard error, squared) and ``(x̄, ȳ)`` the weighted means the line passes through.
    None with under two years or an empty year."""
    if len(counts) < 2 or min(counts) <= 0:
        return None
    xs = range(len(counts))
    ws = [float(c) for c in counts]
    ys = [math.log(c) for c in counts]
    total = sum(ws)
    mx = sum(w * x for w, x in zip(ws, xs, strict=True)) / total
    my = sum(w * y for w, y in zip(ws, ys, strict=True)) / total
    sxx = sum(w * (x - mx) ** 2 for w, x in zip(ws, xs, strict=True))
    slope = sum(w * (x - mx) * (y - my) for w, x, y in zip(ws, xs, ys, strict=True)) / sxx
    return slope, slope**2 * sxx, mx, my


def akaike_weight(t2: float) -> float:
    """A trend's Akaike weight against a constant (one parameter fewer), from its ``t²``:
    1 / (1 + exp(1 - t² / 2)): 0.27 with no slope at all, a half at t² = 2, near 1 when the
    slope is many standard errors from none."""
    return 1.0 / (1.0 + math.exp(1.0 - t2 / 2.0))


def trend_weight(counts: Sequence[float]) -> tuple[float, float] | None:
    """The log-linear trend of yearly entry counts (``log_linear``) and the weight the data
    give it (``akaike_weight``). Returns (slope, weight); None with under two years or an
    empty year (no trend to weigh).
    """
    fitted = log_linear(counts)
    if fitted is None:
        return None
    slope, t2, _, _ = fitted
    return slope, akaike_weight(t2)


def reverting(
    counts: Sequence[float], staying: float, staying_one: float, horizon: int
) -> float | None:
    """The total ``horizon`` years after the last of ``counts`` (children looked after at
    each 31 March, oldest first, one a year): the log-linear trend of the counts
    (``log_linear``), its slope kept in the share of its Akaike weight, plus ``staying``
    (the share of a 31 March's children still in the same period of care ``horizon`` years
    later) times the count's distance from that trend now. The children in care now who
    will still be in care then keep the count's distance from its trend; the rest are
    replaced by entrants at the trend's level. A year's count is about ``staying_one`` (the
    share still in care a year later) times the year before's, so the counts are correlated
    from year to year and ``t²`` is deflated by ``(1 - staying_one) / (1 + staying_one)``
    before the weight: a drift of correlated counts is not taken for a trend. None where no
    trend can be fitted (``log_linear``)."""
    fitted = log_linear(counts)
    if fitted is None:
        return None
    slope, t2, mx, my = fitted
    kept = slope * akaike_weight(t2 * (1.0 - staying_one) / (1.0 + staying_one))
    last = len(counts) - 1
    trend_now = math.exp(my + kept * (last - mx))
    trend_then = math.exp(my + kept * (last + horizon - mx))
    return trend_then + staying * (float(counts[-1]) - trend_now)


def yearly_entries(
    core: pl.DataFrame, start: date, w0: date, reference: date, years: int, window_years: int
) -> list[int]:
    """Periods of care starting in each of the ``years`` years from ``start`` to
    ``reference``, oldest first: the window's ``window_years`` from ``w0`` in years of 365
    days (the last taking any leap days), the years before counted back from ``w0``."""
    days_in = (pl.col("DECOM") - pl.lit(w0)).dt.total_days()
    before = years - window_years
    yearly = (
        core.filter(pl.col("STARTS_PERIOD") & pl.col("DECOM").is_between(start, reference))
        .select(
            pl.when(days_in >= 0)
            .then(before + (days_in // 365).clip(0, window_years - 1))
            .otherwise((before - 1 - (-days_in - 1) // 365).clip(0, years - 1))
            .alias("_Y")
        )
        .group_by("_Y")
        .len()
    )
    found = dict(yearly.iter_rows())
    return [int(found.get(k, 0)) for k in range(years)]


def entry_fit(yearly: Sequence[int], window_years: int) -> EntryFit:
    """Entries' level and trend from the entries of every whole year known (``yearly``,
    oldest first, the last ``window_years`` of them the window), by one weight: the trend's
    Akaike weight over every known year (``trend_weight``) keeps that share of the slope
    (growth = exp(weight x slope), clipped to 0.8..1.25) and gives the window's average
    that share of the level, the rest going to the average over every known year. Without
    evidence of a trend the level leans on the longer, less noisy average; with strong
    evidence it is the window's (recent) average and the trend is kept whole. With only the
    window's years known the level is the window's average, as is the level when no trend
    can be fitted (growth 1)."""
    fitted = trend_weight(yearly)
    if fitted is None:
        return EntryFit(years=len(yearly))
    slope, weight = fitted
    growth = min(1.25, max(0.8, math.exp(weight * slope)))
    return EntryFit(
        growth=growth, weight=weight if len(yearly) > window_years else 1.0, years=len(yearly)
    )


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
