"""Rolling-origin backtests of the placement forecast.

For every 31 March (the origin) with at least the fitting window's history before it in the
returns, the model is fitted on the data as a return made that day would have shown it
(``forecast.censor``) and projects 1 to ``horizons`` years ahead. Each projection is a
``trust.Point`` per placement group and in total, beside "no change" (the count at the
origin) and a damped trend (the group's average yearly change over the window, carried
``DAMPING``, ``DAMPING``², ... a year). Where the projected 31 March is in the returns the
actual count is attached; the last origin (the latest 31 March) is the live forecast.

The returns cover 1 April ``first_year - 1`` to 31 March ``last_year`` (collection years),
so the first origin is 31 March ``first_year - 1 + window_years``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

from stars.domain.sufficiency.backtest import counts_on
from stars.domain.sufficiency.codes import PLACEMENT_GROUPS
from stars.domain.sufficiency.forecast import Z90, FittedModel, fit_model, project
from stars.domain.sufficiency.trust import TOTAL, Point

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

    @property
    def origins(self) -> tuple[int, ...]:
        return tuple(sorted(self.models))

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
    chosen = list(origins) if origins is not None else origins_for(first, last, window_years)
    counts = {
        y: counts_on(episodes, date(y, 3, 31), groups, group_column)
        for y in range(first - 1, last + 1)
    }
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
        for h, year in enumerate(project(model, horizons).years, start=1):
            actual = counts.get(origin + h)
            for g in (*groups, TOTAL):
                if g == TOTAL:
                    now = sum(counts[origin].values())
                    mean, upper = year.total, year.total_upper
                    history = [float(sum(counts[y].values())) for y in past]
                    known = sum(actual.values()) if actual is not None else None
                else:
                    now = counts[origin][g]
                    mean, upper = year.by_group[g], year.upper[g]
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
                    )
                )
    return Rolling(groups, first, last, window_years, tuple(points), models)
