"""Stock-and-flow (Markov) forecast of children looked after by age band x placement group.

Fit (``fit_model``), vectorised in Polars over the episodes of a window before the reference
date (default three years):

* states are (age band, placement group) plus "out of care";
* daily rates = events / child-days of exposure in the state: moves between groups (an
  episode ending the day the next begins, in another group), leaving care (a period of care
  ending), and ageing into the next band (a birthday at 1, 5, 10, 16 while in care); states
  with under ``MIN_EXPOSURE_DAYS`` child-days borrow the group's rates pooled over bands and
  age at the band's nominal pace;
* entries per year by state = the window's average (periods of care starting in the window /
  window years) and the average over every whole year of returns known (from the first
  collection year, never before it: only the children who stayed are in the returns),
  weighed by the evidence of a trend in entries over the known years (the trend's Akaike
  weight against a constant); with ``trend`` (the default) they grow by the fitted yearly
  growth times that same weight (clipped to 0.8..1.25;
  ``stars.domain.sufficiency.forecast_rates.entry_fit``), carried from the window's middle
  to each projected year. Without evidence of a trend the level rests on the longer, less
  noisy average; with it, on the recent window and the trend.

Projection (``project``): the daily transition matrix is ``(I + Q/64)^64`` (Q the rate
matrix); a year is 365 days. Entrants arrive evenly through the year. Expected children at
each future 31 March (and what it would be with entries held at the window's average, the
model's own flows without its entry trend), child-days (hence cost) per group, and a 90%
band from the model's own randomness: each child's path is independent (binomial) and
entries are Poisson, so the variance is exact for the fitted model; it leaves out
uncertainty in the fitted rates themselves and any change in policy or demand, so it is
narrow and says so.

Scenarios change the rates before projecting: entry multipliers per group, redirects (a share
of every entry and move into group A lands in group B instead) and step-downs (a share of the
children in A move to B each year). ``backtest`` fits to 31 March T-1, forecasts 31 March T and
compares with the actual count and with the naive "no change" forecast (in
``stars.domain.sufficiency.backtest``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import polars as pl

from stars.domain.sufficiency.codes import PLACEMENT_GROUPS
from stars.domain.sufficiency.figures import (
    AGE_BAND_LOWER,
    AGE_BANDS,
    looked_after_on,
    with_date_of_birth,
    with_periods,
    without_short_breaks,
)
from stars.domain.sufficiency.forecast_rates import (
    EntryFit,
    entry_fit,
    transition_rates,
    yearly_entries,
)
from stars.domain.sufficiency.linalg import Matrix, add, identity, matmul, power, power_sums, vecmat

YEAR_DAYS = 365
EXPOSURE_SLICE_ROWS = 200_000  # rows of history whose exposure is summed at once
Z90 = 1.6448536269514722
ZERO = Decimal(0)


@dataclass(frozen=True)
class Redirect:
    """A ``share`` of every entry and move into ``from_group`` goes to ``to_group`` instead."""

    from_group: str
    to_group: str
    share: float


@dataclass(frozen=True)
class StepDown:
    """A ``share_per_year`` of the children in ``from_group`` move to ``to_group`` each year."""

    from_group: str
    to_group: str
    share_per_year: float


@dataclass(frozen=True)
class Scenario:
    name: str = "baseline"
    entry_multipliers: Mapping[str, float] = field(default_factory=dict)
    redirects: tuple[Redirect, ...] = ()
    step_downs: tuple[StepDown, ...] = ()


@dataclass(frozen=True, eq=False)
class FittedModel:
    """Daily rates between states, entries per year and the stock at the reference date."""

    reference_date: date
    window_start: date
    bands: tuple[str, ...]
    groups: tuple[str, ...]
    rates: Matrix  # daily rates, (n+1) x (n+1), last state = out of care, diagonal 0
    entries_per_year: tuple[float, ...]  # n
    stock: tuple[int, ...]  # n, at the reference date
    exposure_days: tuple[float, ...]  # n
    notes: tuple[str, ...] = ()
    entry_growth: float = 1.0  # yearly growth of entries fitted over the window (1 = none)
    window_years: int = 3
    # share of the window's average in the entries (the rest: the average over entry_years)
    entry_weight: float = 1.0
    entry_years: int = 3

    def entry_factor(self, year_ahead: int) -> float:
        """Entries in projection year ``year_ahead`` relative to their fitted level."""
        return float(self.entry_growth ** (self.window_years / 2 + year_ahead - 0.5))

    @property
    def n(self) -> int:
        return len(self.bands) * len(self.groups)

    def state(self, band: str, group: str) -> int:
        return self.bands.index(band) * len(self.groups) + self.groups.index(group)


@dataclass(frozen=True)
class ProjectedYear:
    """Expected children at ``on`` by group (and total) with a 90% band; cost of the year."""

    year: int
    on: date
    by_group: dict[str, float]
    lower: dict[str, float]
    upper: dict[str, float]
    by_band: dict[str, float]
    total: float
    total_lower: float
    total_upper: float
    days_by_group: dict[str, float]
    cost_by_group: dict[str, Decimal]
    cost_total: Decimal
    # expected children by group had entries stayed at their level (no entry trend)
    level_by_group: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Projection:
    scenario: str
    start: date
    stock_by_group: dict[str, int]
    years: tuple[ProjectedYear, ...]


# --- fitting ----------------------------------------------------------------------------------


def censor(episodes: pl.DataFrame, on: date) -> pl.DataFrame:
    """The episodes as a return made on ``on`` would show them (later facts removed)."""
    before = (pl.col("DECOM") <= on).fill_null(False)
    if not episodes.select(before.all()).item():  # else every row, without copying them
        episodes = episodes.filter(before)
    return episodes.with_columns(
        pl.when(pl.col("DEC") > on).then(None).otherwise(pl.col("DEC")).alias("DEC"),
        pl.when(pl.col("DEC") > on).then(None).otherwise(pl.col("REC")).alias("REC"),
    )


def _band_at(date_col: str) -> pl.Expr:
    """Band index (0..4) of the child on the row's ``date_col``."""
    d, dob = pl.col(date_col), pl.col("DOB")
    before = (dob.dt.month().cast(pl.Int32) * 100 + dob.dt.day().cast(pl.Int32)) > (
        d.dt.month().cast(pl.Int32) * 100 + d.dt.day().cast(pl.Int32)
    )
    age = d.dt.year().cast(pl.Int32) - dob.dt.year().cast(pl.Int32) - before.cast(pl.Int32)
    idx = pl.lit(0, dtype=pl.Int32)
    for k, lower in enumerate(AGE_BAND_LOWER[1:], start=1):
        idx = pl.when(age >= lower).then(pl.lit(k, dtype=pl.Int32)).otherwise(idx)
    return idx


def _prepare(
    episodes: pl.DataFrame,
    headers: pl.DataFrame,
    reference: date,
    groups: Sequence[str],
    column: str,
) -> tuple[pl.DataFrame, int]:
    # only the columns the fit reads (a national history has a million rows and more)
    needed = list(dict.fromkeys(("CHILD", "DECOM", "DEC", "REC", "LS", column)))
    core = censor(without_short_breaks(episodes.select(needed)), reference).drop("REC")
    core = with_date_of_birth(core, headers)
    missing = core.get_column("DOB").null_count()
    if missing:
        core = core.filter(pl.col("DOB").is_not_null())
    gindex = {g: i for i, g in enumerate(groups)}
    core = core.with_columns(
        pl.col(column)
        .replace_strict(gindex, default=len(groups) - 1, return_dtype=pl.Int32)
        .alias("_G")
    )
    core = with_periods(core).with_columns(
        pl.when((pl.col("CHILD").shift(-1) == pl.col("CHILD")).fill_null(False))
        .then(pl.col("_G").shift(-1))
        .alias("_NEXT_G"),
    )
    return core, missing


def fit_model(
    episodes: pl.DataFrame,
    headers: pl.DataFrame,
    reference_date: date,
    *,
    window_years: int = 3,
    groups: Sequence[str] = PLACEMENT_GROUPS,
    group_column: str = "GROUP",
    trend: bool = True,
    history_start: date | None = None,
) -> FittedModel:
    """Fit rates on the ``window_years`` before ``reference_date`` (usually a 31 March).

    ``history_start`` is the first day the returns cover (1 April of the first collection
    year; found from the episodes' ``YEAR`` where they have it): the entry level may draw on
    every whole year from it (``forecast_rates.entry_fit``), never on the years before, where
    only the children who stayed in care are in the returns."""
    if history_start is None and "YEAR" in episodes.columns and episodes.height:
        first = episodes.get_column("YEAR").min()
        if isinstance(first, int):
            history_start = date(first - 1, 4, 1)
    groups = tuple(groups)
    bands = AGE_BANDS
    n_g, n_b = len(groups), len(bands)
    n = n_g * n_b
    window_years = covered_years(reference_date, window_years, history_start)
    w0 = date(reference_date.year - window_years, reference_date.month, reference_date.day)
    w0 += timedelta(days=1)
    stop = reference_date + timedelta(days=1)  # exclusive end of exposure
    window_days = (stop - w0).days
    core, missing = _prepare(episodes, headers, reference_date, groups, group_column)

    # exposure: child-days in each (band, group) within [w0, stop), summed a slice of rows at
    # a time so the nine working columns never exist for the whole history at once
    a = pl.max_horizontal(pl.col("DECOM"), pl.lit(w0))
    e = pl.min_horizontal(pl.col("DEC").fill_null(stop), pl.lit(stop))
    bounds = [pl.col("DOB").dt.offset_by(f"{y}y") for y in AGE_BAND_LOWER[1:]]
    exposure_cols = []
    ageing_cols = []
    for k in range(n_b):
        lo = pl.col("_A") if k == 0 else pl.max_horizontal(pl.col("_A"), bounds[k - 1])
        hi = pl.col("_E") if k == n_b - 1 else pl.min_horizontal(pl.col("_E"), bounds[k])
        exposure_cols.append((hi - lo).dt.total_days().clip(lower_bound=0).sum().alias(f"_X{k}"))
        if k < n_b - 1:
            ageing_cols.append(
                ((bounds[k] >= pl.col("_A")) & (bounds[k] < pl.col("_E"))).sum().alias(f"_AGE{k}")
            )
    exposure = [0.0] * n
    ageing = [0.0] * n
    for offset in range(0, core.height, EXPOSURE_SLICE_ROWS):
        agg = (
            core.slice(offset, EXPOSURE_SLICE_ROWS)
            .lazy()
            .select("_G", "DOB", a.alias("_A"), e.alias("_E"))
            .filter(pl.col("_E") > pl.col("_A"))
            .group_by("_G")
            .agg(*exposure_cols, *ageing_cols)
            .collect()
        )
        for row in agg.iter_rows(named=True):
            g = int(row["_G"])
            for k in range(n_b):
                exposure[k * n_g + g] += float(row[f"_X{k}"])
                if k < n_b - 1:
                    ageing[k * n_g + g] += float(row[f"_AGE{k}"])

    # events on DEC within the window: moves to another group and leaving care
    in_window = pl.col("DEC").is_between(w0, reference_date)
    ended = (
        core.filter(in_window)
        .with_columns(_band_at("DEC").alias("_B"))
        .with_columns(
            pl.when(pl.col("ENDS_PERIOD"))
            .then(pl.lit(-1, dtype=pl.Int32))
            .otherwise(pl.col("_NEXT_G"))
            .alias("_TO")
        )
        .filter(pl.col("_TO") != pl.col("_G"))
        .group_by("_B", "_G", "_TO")
        .len()
    )
    counts = [[0.0] * (n + 1) for _ in range(n + 1)]
    for b, g, to, k in ended.iter_rows():
        src = int(b) * n_g + int(g)
        dst = n if int(to) < 0 else int(b) * n_g + int(to)
        counts[src][dst] += float(k)
    for k in range(n_b - 1):
        for g in range(n_g):
            counts[k * n_g + g][(k + 1) * n_g + g] += ageing[k * n_g + g]

    # entries: the window's average and the average over every known year, weighed by the
    # evidence of a trend (forecast_rates.entry_fit)
    known = known_years(reference_date, window_years, history_start)
    l0 = date(reference_date.year - known, reference_date.month, reference_date.day)
    l0 += timedelta(days=1)
    yearly = yearly_entries(core, l0, w0, reference_date, known, window_years)
    fit = entry_fit(yearly, window_years)
    if not trend:
        fit = EntryFit(weight=fit.weight, years=fit.years)
    long_days = (stop - l0).days
    recent = pl.col("DECOM") >= w0
    started = (
        core.filter(pl.col("STARTS_PERIOD") & pl.col("DECOM").is_between(l0, reference_date))
        .with_columns(_band_at("DECOM").alias("_B"))
        .group_by("_B", "_G")
        .agg(pl.len().alias("_L"), recent.sum().alias("_W"))
    )
    entries = [0.0] * n
    for b, g, k_long, k_window in started.iter_rows():
        entries[int(b) * n_g + int(g)] += YEAR_DAYS * fit.level(
            float(k_window) / window_days, float(k_long) / long_days
        )

    growth = fit.growth
    rates = transition_rates(counts, exposure, n_b, n_g)
    cla = looked_after_on(core, reference_date).with_columns(
        _band_expr_on(reference_date).alias("_B")
    )
    stock = [0] * n
    for b, g, k in cla.group_by("_B", "_G").len().iter_rows():
        stock[int(b) * n_g + int(g)] += int(k)
    notes = (f"{missing:,} episodes without a header date of birth left out",) if missing else ()
    return FittedModel(
        reference_date=reference_date,
        window_start=w0,
        bands=bands,
        groups=groups,
        rates=rates,
        entries_per_year=tuple(entries),
        entry_growth=growth,
        window_years=window_years,
        entry_weight=fit.weight,
        entry_years=max(fit.years, window_years),
        stock=tuple(stock),
        exposure_days=tuple(exposure),
        notes=notes,
    )


def covered_years(reference: date, window_years: int, history_start: date | None) -> int:
    """The window's whole years before ``reference``: ``window_years``, or fewer (at least
    one) where the returns begin later (``history_start``). Before the returns only the
    children still looked after when they begin are seen, so a window reaching back there
    would count too few entries and exits (on one year of flat returns: entries growing 22%
    a year and twice the children in three years)."""
    if history_start is None:
        return window_years
    years = window_years
    while years > 1:
        begins = date(reference.year - years, reference.month, reference.day) + timedelta(days=1)
        if begins >= history_start:
            break
        years -= 1
    return years


def known_years(reference: date, window_years: int, history_start: date | None) -> int:
    """Whole years before ``reference`` the returns cover from ``history_start`` (at least
    the window's)."""
    if history_start is None:
        return window_years
    years = reference.year - history_start.year
    while years > window_years:
        begins = date(reference.year - years, reference.month, reference.day) + timedelta(days=1)
        if begins >= history_start:
            break
        years -= 1
    return max(years, window_years)


def _band_expr_on(on: date) -> pl.Expr:
    dob = pl.col("DOB")
    before = (dob.dt.month().cast(pl.Int32) * 100 + dob.dt.day().cast(pl.Int32)) > (
        on.month * 100 + on.day
    )
    age = pl.lit(on.year, dtype=pl.Int32) - dob.dt.year().cast(pl.Int32) - before.cast(pl.Int32)
    idx = pl.lit(0, dtype=pl.Int32)
    for k, lower in enumerate(AGE_BAND_LOWER[1:], start=1):
        idx = pl.when(age >= lower).then(pl.lit(k, dtype=pl.Int32)).otherwise(idx)
    return idx


def apply_scenario(model: FittedModel, scenario: Scenario) -> tuple[Matrix, list[float]]:
    """The rate matrix and entries per year after the scenario's changes."""
    n_g, n = len(model.groups), model.n
    rates = [list(r) for r in model.rates]
    entries = list(model.entries_per_year)
    for g, mult in scenario.entry_multipliers.items():
        gi = model.groups.index(g)
        for k in range(len(model.bands)):
            entries[k * n_g + gi] *= mult
    for r in scenario.redirects:
        a, b = model.groups.index(r.from_group), model.groups.index(r.to_group)
        for k in range(len(model.bands)):
            ia, ib = k * n_g + a, k * n_g + b
            moved = entries[ia] * r.share
            entries[ia] -= moved
            entries[ib] += moved
            for i in range(n):
                shift = rates[i][ia] * r.share
                rates[i][ia] -= shift
                if i != ib:
                    rates[i][ib] += shift
    for s in scenario.step_downs:
        a, b = model.groups.index(s.from_group), model.groups.index(s.to_group)
        extra = -math.log(1.0 - min(s.share_per_year, 0.999999)) / YEAR_DAYS
        for k in range(len(model.bands)):
            rates[k * n_g + a][k * n_g + b] += extra
    return rates, entries


def daily_matrix(rates: Matrix) -> Matrix:
    """Daily transition probabilities from daily rates: ``(I + Q/64)^64``."""
    size = len(rates)
    steps = 64
    q = [[0.0] * size for _ in range(size)]
    for i in range(size):
        out = sum(rates[i][j] for j in range(size) if j != i)
        for j in range(size):
            q[i][j] = (rates[i][j] if j != i else -out) / steps
    return power(add(identity(size), q), steps)


def project(
    model: FittedModel,
    years: int = 3,
    *,
    scenario: Scenario | None = None,
    weekly_costs: Mapping[str, Decimal] | None = None,
) -> Projection:
    """Expected children by group and band at each of the next ``years`` 31 Marches."""
    scenario = scenario or Scenario()
    weekly_costs = weekly_costs or {}
    rates, entries = apply_scenario(model, scenario)
    n, n_g = model.n, len(model.groups)
    p_day = daily_matrix(rates)
    p_year, a_sum, b_sum = power_sums(p_day, YEAR_DAYS)
    c_sum = add([[YEAR_DAYS * v for v in row] for row in a_sum], b_sum, -1.0)
    entry_vec = [x / YEAR_DAYS for x in entries] + [0.0]
    from_entries_end = vecmat(entry_vec, a_sum)  # year-end state of a year's entrants
    from_entries_days = vecmat(entry_vec, c_sum)
    group_states = [[k * n_g + g for k in range(len(model.bands))] for g in range(n_g)]
    in_care = list(range(n))

    mean: list[float] = [float(x) for x in model.stock] + [0.0]
    p_h = identity(n + 1)
    entry_cohorts: list[list[float]] = []  # expected year-end states of each year's entrants
    factors: list[float] = []  # each year's entry factor, to take the entry trend out again
    out: list[ProjectedYear] = []
    for h in range(1, years + 1):
        factor = model.entry_factor(h)
        entries_end = [factor * v for v in from_entries_end]
        days = add([vecmat(mean, a_sum)], [[factor * v for v in from_entries_days]])[0]
        mean = add([vecmat(mean, p_year)], [entries_end])[0]
        p_h = matmul(p_h, p_year)
        entry_cohorts = [vecmat(c, p_year) for c in entry_cohorts] + [entries_end]
        factors.append(factor)
        # with entries held level each cohort is its expected states / its year's factor
        level = list(mean)
        for f, cohort in zip(factors, entry_cohorts, strict=True):
            for j in in_care:
                level[j] += (1.0 / f - 1.0) * cohort[j]

        on = date(
            model.reference_date.year + h, model.reference_date.month, model.reference_date.day
        )
        by_group, lower, upper, day_g, level_g = {}, {}, {}, {}, {}
        for g, states in zip(model.groups, group_states, strict=True):
            m = sum(mean[j] for j in states)
            level_g[g] = sum(level[j] for j in states)
            sd = math.sqrt(_variance(model.stock, p_h, entry_cohorts, states))
            by_group[g], lower[g], upper[g] = m, max(0.0, m - Z90 * sd), m + Z90 * sd
            day_g[g] = sum(days[j] for j in states)
        total = sum(mean[j] for j in in_care)
        sd_total = math.sqrt(_variance(model.stock, p_h, entry_cohorts, in_care))
        costs = costs_of(day_g, weekly_costs)
        by_band = {b: sum(mean[k * n_g + g] for g in range(n_g)) for k, b in enumerate(model.bands)}
        out.append(
            ProjectedYear(
                year=on.year,
                on=on,
                by_group=by_group,
                lower=lower,
                upper=upper,
                by_band=by_band,
                total=total,
                total_lower=max(0.0, total - Z90 * sd_total),
                total_upper=total + Z90 * sd_total,
                days_by_group=day_g,
                cost_by_group=costs,
                cost_total=sum(costs.values(), ZERO),
                level_by_group=level_g,
            )
        )
    stock_by_group = {
        g: sum(model.stock[j] for j in states)
        for g, states in zip(model.groups, group_states, strict=True)
    }
    return Projection(scenario.name, model.reference_date, stock_by_group, tuple(out))


def costs_of(days: Mapping[str, float], weekly_costs: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Cost per group: child-days (to the hundredth) x weekly cost / 7, exact."""
    return {
        g: Decimal(str(round(d, 2))) * weekly_costs[g] / Decimal(7)
        for g, d in days.items()
        if g in weekly_costs
    }


def _variance(
    stock: Sequence[int], p_h: Matrix, cohorts: Sequence[Sequence[float]], states: Sequence[int]
) -> float:
    """Variance of the count in ``states``: binomial per starting child + Poisson entrants."""
    var = 0.0
    for i, x0 in enumerate(stock):
        if x0:
            q = sum(p_h[i][j] for j in states)
            var += x0 * q * (1.0 - q)
    for cohort in cohorts:
        var += sum(cohort[j] for j in states)
    return var
