"""Rolling-origin backtests of the placement forecast.

For every 31 March (the origin) with at least the fitting window's history before it in the
returns, the model is fitted on the data as a return made that day would have shown it
(``forecast.censor``) and projects 1 to ``horizons`` years ahead. Each projection is a
``trust.Point`` per placement group and in total, beside "no change" (the count at the
origin) and a damped trend (the group's average yearly change over the window, carried
``DAMPING``, ``DAMPING``², ... a year); the total's also beside the total reverting to its
trend (``Rolling.reverting_totals``). Where the projected 31 March is in the returns the
actual count is attached; the last origin (the latest 31 March) is the live forecast.

The returns cover 1 April ``first_year - 1`` to 31 March ``last_year`` (collection years),
so the first origin is 31 March ``first_year - 1 + window_years``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

import polars as pl

from stars.domain.sufficiency.backtest import counts_on
from stars.domain.sufficiency.codes import PLACEMENT_GROUPS
from stars.domain.sufficiency.figures import looked_after_on, with_periods, without_short_breaks
from stars.domain.sufficiency.forecast import (
    Z90,
    FittedModel,
    ProjectedYear,
    Projection,
    costs_of,
    fit_model,
    project,
)
from stars.domain.sufficiency.forecast_rates import reverting
from stars.domain.sufficiency.trust import (
    MIN_PAIRS,
    TOTAL,
    Carry,
    Point,
    band,
    composed,
    reconciled,
)

HORIZONS = 3
DAMPING = 0.8


@dataclass(frozen=True)
class Rolling:
    """The points of every origin; ``models[origin]`` the model fitted there."""

    groups: tuple[str, ...]
    first_year: int
    last_year: int
    window_years: int
    points: tuple[Point, ...]
    models: dict[int, FittedModel]
    totals: Mapping[int, int] = field(default_factory=dict)  # children at each 31 March
    # (t0, t1) -> the children looked after at 31 March t0 still in the same period at t1
    stayed: Mapping[tuple[int, int], int] = field(default_factory=dict)

    @property
    def origins(self) -> tuple[int, ...]:
        return tuple(sorted(self.models))

    def staying(self, origin: int, horizon: int) -> float | None:
        """The share of the children looked after at a 31 March still in the same period
        of care ``horizon`` years later, pooled over every pair of 31 Marches known at
        ``origin`` (None: no such pair)."""
        pairs = [
            t0
            for t0 in range(self.first_year - 1, origin - horizon + 1)
            if (t0, t0 + horizon) in self.stayed
        ]
        seen = sum(self.totals[t0] for t0 in pairs)
        return sum(self.stayed[(t0, t0 + horizon)] for t0 in pairs) / seen if seen else None

    def reverting_totals(self, origin: int, horizons: int) -> list[float]:
        """The total reverting to its trend (``forecast_rates.reverting``), from the counts at
        every 31 March known at ``origin`` and the shares still in care (``staying``), 1 to
        ``horizons`` years ahead (as the total's points' ``reverting``); "no change" where
        either cannot be had."""
        counts = [
            float(self.totals[y])
            for y in range(self.first_year - 1, origin + 1)
            if y in self.totals
        ]
        now = float(self.totals.get(origin, 0))
        one = self.staying(origin, 1)
        out: list[float] = []
        for h in range(1, horizons + 1):
            share = self.staying(origin, h)
            value = None if share is None else reverting(counts, share, one or 0.0, h)
            out.append(now if value is None else max(0.0, value))
        return out

    def at(self, origin: int) -> list[Point]:
        return [p for p in self.points if p.origin == origin]


def damped_trend(history: Sequence[float], horizon: int, damping: float = DAMPING) -> float:
    """The last value plus the average yearly change of ``history``, damped each year ahead."""
    if len(history) < 2:
        return float(history[-1]) if history else 0.0
    slope = (history[-1] - history[0]) / (len(history) - 1)
    return float(history[-1]) + slope * sum(damping**k for k in range(1, horizon + 1))


def origins_for(first_year: int, last_year: int, window_years: int) -> list[int]:
    """31 March years with ``window_years`` of returns before them, up to the latest."""
    return list(range(first_year - 1 + window_years, last_year + 1))


def rolling_backtests(
    episodes: pl.DataFrame,
    headers: pl.DataFrame,
    *,
    window_years: int = 3,
    horizons: int = HORIZONS,
    groups: Sequence[str] = PLACEMENT_GROUPS,
    group_column: str = "GROUP",
    trend: bool = True,
    origins: Sequence[int] | None = None,
) -> Rolling:
    """Fit at every origin, project ``horizons`` years, attach the actual counts known."""
    groups = tuple(groups)
    years = episodes.get_column("YEAR").unique().to_list() if episodes.height else []
    if not years:
        raise ValueError("no returns to backtest")
    first, last = int(min(years)), int(max(years))
    if origins is None:  # every origin with the window before it, and always the latest
        chosen = sorted({*origins_for(first, last, window_years), last})
    else:
        chosen = list(origins)
    counts = {
        y: counts_on(episodes, date(y, 3, 31), groups, group_column)
        for y in range(first - 1, last + 1)
    }
    totals = {y: sum(c.values()) for y, c in counts.items()}
    shaped = Rolling(
        groups, first, last, window_years, (), {}, totals, stayed_on(episodes, list(counts))
    )
    points: list[Point] = []
    models: dict[int, FittedModel] = {}
    for origin in chosen:
        model = fit_model(
            episodes,
            headers,
            date(origin, 3, 31),
            window_years=window_years,
            groups=groups,
            group_column=group_column,
            trend=trend,
        )
        models[origin] = model
        past = [y for y in range(origin - window_years, origin + 1) if y in counts]
        towards = shaped.reverting_totals(origin, horizons)
        for h, year in enumerate(project(model, horizons).years, start=1):
            actual = counts.get(origin + h)
            for g in (*groups, TOTAL):
                if g == TOTAL:
                    now = sum(counts[origin].values())
                    mean, upper = year.total, year.total_upper
                    level = sum(year.level_by_group.values())
                    history = [float(sum(counts[y].values())) for y in past]
                    known = sum(actual.values()) if actual is not None else None
                else:
                    now = counts[origin][g]
                    mean, upper = year.by_group[g], year.upper[g]
                    level = year.level_by_group[g]
                    history = [float(counts[y][g]) for y in past]
                    known = actual[g] if actual is not None else None
                points.append(
                    Point(
                        origin=origin,
                        horizon=h,
                        group=g,
                        now=now,
                        model=mean,
                        sd=(upper - mean) / Z90,
                        damped=max(0.0, damped_trend(history, h)),
                        actual=known,
                        level=level,
                        reverting=towards[h - 1] if g == TOTAL else None,
                    )
                )
    return replace(shaped, points=tuple(points), models=models)


def stayed_on(episodes: pl.DataFrame, years: Sequence[int]) -> dict[tuple[int, int], int]:
    """For every two of the 31 Marches ``years``, (earlier, later) -> the children looked
    after at the earlier still in the same period of care at the later (short breaks left
    out; a period is a child's run of contiguous episodes, ``figures.with_periods``)."""
    core = with_periods(
        without_short_breaks(episodes.select("CHILD", "DECOM", "DEC", "REC", "LS"))
    ).with_columns(
        pl.when(pl.col("STARTS_PERIOD")).then(pl.col("DECOM")).forward_fill().alias("START")
    )
    stocks = {
        y: looked_after_on(core, date(y, 3, 31)).select("CHILD", "START").unique()
        for y in sorted(years)
    }
    return {
        (t0, t1): stocks[t0].join(stocks[t1], on=["CHILD", "START"]).height
        for t0 in stocks
        for t1 in stocks
        if t1 > t0
    }


def carried_projection(
    projection: Projection,
    carry: Mapping[str, Carry],
    *,
    weekly_costs: Mapping[str, Decimal] | None = None,
    baseline: Projection | None = None,
    reverting_totals: Sequence[float] = (),
) -> Projection:
    """The projection with only the share of the model's change each group has earned.

    A group's count becomes ``now + w x (level - now) + t x (baseline - level) +
    (projection - baseline)`` (``Carry.carried``), ``level`` the baseline's count with
    entries held level (``ProjectedYear.level_by_group``; the baseline itself where it has
    none): with no ``baseline`` (the projection is the baseline) that is the carried model;
    for a scenario, the scenario's own effect is kept whole on top of the carried baseline.
    Where ``carry`` has the total's own combination (``TOTAL``, with ``MIN_PAIRS``
    backtests or more), the groups' baselines are that total shared out by the total's
    ``Carry.composition`` (``trust.composed``; moved together to it, ``trust.reconciled``,
    where it has none); ``reverting_totals`` (the total reverting to its trend 1, 2, ...
    years ahead, ``Rolling.reverting_totals``) is needed when its share of it is not 0.
    The band is the model's own standard deviation scaled by the group's ``Carry.scale``;
    the total is the sum of the groups with the total's scale. Child-days (hence costs) are
    scaled by the ratio of the carried to the model's mean count over the year.
    """
    base = baseline or projection
    weekly_costs = weekly_costs or {}
    now = {g: float(v) for g, v in projection.stock_by_group.items()}
    before = dict(now)
    before_model = dict(now)
    years: list[ProjectedYear] = []
    whole = carry.get(TOTAL)
    together = whole is not None and whole.pairs >= MIN_PAIRS
    if together and whole is not None and whole.damped and len(reverting_totals) < len(base.years):
        raise ValueError("the total reverting to its trend is needed for every year projected")
    for h, (y, b) in enumerate(zip(projection.years, base.years, strict=True), start=1):
        by_group, lower, upper, days = {}, {}, {}, {}
        carried_base = {
            g: carry.get(g, Carry(1.0, 1.0, MIN_PAIRS)).carried(
                now[g], b.level_by_group.get(g, b_g), b_g
            )
            for g, b_g in b.by_group.items()
        }
        if together and whole is not None:
            own = whole.carried(
                sum(now.values()),
                sum(b.level_by_group.get(g, v) for g, v in b.by_group.items()),
                b.total,
                reverting_totals[h - 1] if whole.damped else 0.0,
            )
            if whole.composition is None:
                carried_base = reconciled(carried_base, now, own)
            else:
                carried_base = composed(
                    own,
                    now,
                    {g: b.level_by_group.get(g, v) for g, v in b.by_group.items()},
                    dict(b.by_group),
                    whole.composition,
                )
        for g, m in y.by_group.items():
            c = carry.get(g, Carry(1.0, 1.0, MIN_PAIRS))
            value = max(0.0, m - b.by_group[g] + carried_base[g])
            half = Z90 * c.scale_at(h) * math.hypot((y.upper[g] - m) / Z90, 1.0)
            by_group[g] = value
            lower[g], upper[g] = band(value, m, half, c.pairs)
            model_mean = before_model[g] + m
            days[g] = (
                y.days_by_group[g] * (before[g] + value) / model_mean
                if model_mean > 0
                else y.days_by_group[g]
            )
            before[g], before_model[g] = value, m
        total = sum(by_group.values())
        c = carry.get(TOTAL, Carry(1.0, 1.0, MIN_PAIRS))
        half = Z90 * c.scale_at(h) * math.hypot((y.total_upper - y.total) / Z90, 1.0)
        total_lower, total_upper = band(total, y.total, half, c.pairs)
        costs = costs_of(days, weekly_costs)
        ratio = total / y.total if y.total > 0 else 1.0
        years.append(
            replace(
                y,
                by_group=by_group,
                lower=lower,
                upper=upper,
                by_band={k: v * ratio for k, v in y.by_band.items()},
                total=total,
                total_lower=total_lower,
                total_upper=total_upper,
                days_by_group=days,
                cost_by_group=costs,
                cost_total=sum(costs.values(), Decimal(0)),
            )
        )
    return replace(projection, years=tuple(years))
