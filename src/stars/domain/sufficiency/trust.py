"""How far to trust the placement forecast, from its own rolling-origin backtests.

Pure rules over ``Point``s (one forecast of one group at one horizon from one origin, and
the count that followed; made by ``stars.domain.sufficiency.rolling``):

* **How much of the model's projected change to carry** (``carry_shares``): the forecast of
  a group is a combination of three forecasts: "no change" (``now``, the count at the
  origin), the model with entries held at their level (``level``: its own flows in
  and out of care and between groups) and the model with its entry trend (``model``),
  weighted by the inverse squares of their summed absolute errors over the group's past
  backtests (every horizon). Written as shares of the model's change,
  ``now + w x (level - now) + t x (model - level)``: ``w`` of the model's own dynamics and
  ``t`` (never more than ``w``) of the entry trend on top. With fewer than ``MIN_PAIRS``
  backtests both are 0. Flat data (the counts did not move) gives "no change"; changes the
  model foresaw in full give the model; an entry trend that did not come is dropped while
  the model's dynamics are kept, and in between the shares move smoothly with the evidence
  instead of jumping to whichever fitted the few past years best. With two forecasts (no
  ``level``) this is ``w = t = E0² / (E0² + E1²)`` (``carry_weight``).
  The groups' shares are then scaled by one common factor, the evidence (``evidence``) that
  the sum of the groups' carried changes beat "no change" on the total's backtests, so
  changes that the groups' forecasts share but the total did not bear out (the model's error
  in entries, say) are not added up group by group.
* **The total's own combination** (``total_shares``): the total combines the same way
  "no change", the level, the model and, as a fourth forecast, the total reverting to its
  trend (``Point.fourth``: ``forecast_rates.reverting``, the log-linear trend of the counts
  at every 31 March known, its slope as far as its evidence goes, plus the share of
  children still in care ``h`` years later times the count's distance from that trend now),
  from the total's own backtests, each share then scaled by the evidence that its forecast
  beat "no change" in those backtests, and all by the same common factor. Where entries
  really grow or shrink the trend earns weight; on flat counts, where no forecast beats "no
  change" by more than chance, the total stays near it.
* **Evidence** (``evidence``): the probability that a forecast beats "no change", from the
  paired differences of their absolute errors over past backtests (``Φ(t)``, ``t`` the mean
  difference over its standard error, as in a Diebold-Mariano test); 0 unless the forecast
  was closer on average, so one no better than "no change" carries nothing, and near 1 for
  one clearly better in many backtests (1 for one never wrong).
* **The groups' shares of that total** (``composition_shares``, ``composed``): each group's
  forecast is the total times its share, the share combining the groups' shares at the
  origin ("no change"), in the model with entries held level and in the model in full,
  weighted by the inverse square of their past errors in children (share error times the
  actual total, summed over every group and backtest: one set of weights for all groups).
  The model is judged on how it shares children out between placements, where it does well,
  apart from the level of the total, where it does less well. (``reconciled``, the groups
  moved together in proportion to their counts, is the rule for a total without shares.)
* **A 90% band sized on past errors** (``calibrate``): the model's own standard deviation
  (process noise only) is scaled by ``k``, from the group's past errors in those standard
  deviations at the same horizon (all horizons where it has none yet), the errors being those
  of the forecasts as shown (the groups brought to the total's combination). The group's own
  errors are shrunk towards those of every group at that horizon: ``k`` is the root mean
  square of the group's errors together with ``PRIOR_ERRORS`` errors of the pooled size
  (the root mean square of all the groups' errors, with one prior error of one standard
  deviation), widened by Student's t for the errors it rests on (the group's own plus
  ``PRIOR_ERRORS``). So a group the model has forecast well gets a narrower band than one
  it has not, while a few lucky years cannot make it narrow; with no backtest at all ``k``
  is 1 (the model's own sd). The total is the sum of the groups' forecasts, with its own
  ``k`` from its own errors (one prior error of one sd, Student's t for their number).
  With too few backtests to choose ``w`` the band reaches from "no change" to the model's
  full trend.
* **Out of sample** (``evaluate``): each origin's forecast uses only backtests whose 31 March
  had passed by that origin, so the reported errors and band coverage are those a council
  would have seen at the time.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

Z90 = 1.6448536269514722
MIN_PAIRS = 2
TOTAL = "total"
# how many errors of the pooled size a group's band scale counts beside its own (chosen on
# the benchmark's tuning draws: 1-4 tried, 1 put the coverage closest to 90%)
PRIOR_ERRORS = 1


@dataclass(frozen=True)
class Point:
    """One group's forecast ``horizon`` years after 31 March ``origin``, and the outcome."""

    origin: int
    horizon: int
    group: str
    now: int  # children in the group at the origin: the "no change" forecast
    model: float  # the fitted model's expected count
    sd: float  # the model's own standard deviation (process noise only)
    damped: float  # damped trend of the group's yearly counts
    actual: int | None  # children at 31 March origin + horizon (None: not yet known)
    # the model's expected count with entries held at the window's average (no entry
    # trend); None: the same as ``model``
    level: float | None = None
    # the total's only: the total reverting to its trend (``forecast_rates.reverting``);
    # None: not made (a group's point), the damped trend in its place
    reverting: float | None = None

    @property
    def steady(self) -> float:
        return self.model if self.level is None else self.level

    @property
    def fourth(self) -> float:
        """The total's fourth forecast: the total reverting to its trend where the
        backtests made one, the damped trend otherwise."""
        return self.damped if self.reverting is None else self.reverting

    @property
    def target(self) -> int:
        return self.origin + self.horizon


@dataclass(frozen=True)
class Carry:
    """Per group: the share of the model's change carried, the band's scale, the evidence."""

    weight: float  # of the model's change with entries held level
    scale: float  # over every horizon
    pairs: int
    by_horizon: Mapping[int, float] = field(default_factory=dict)  # each horizon's own
    trend: float | None = None  # of the entry trend on top; None: the same as ``weight``
    damped: float = 0.0  # of the fourth forecast's change (``Point.fourth``; the total's)
    # the total's only: the weights of the groups' shares now, in the level and in the
    # model (``composition_shares``); None: the groups moved together (``reconciled``)
    composition: tuple[float, float, float] | None = None

    @property
    def trend_share(self) -> float:
        return self.weight if self.trend is None else self.trend

    def carried(self, now: float, level: float, model: float, damped: float = 0.0) -> float:
        """``now + weight x (level - now) + trend x (model - level) + damped share x
        (damped - now)``, ``damped`` the fourth forecast (``Point.fourth``; read only where
        its share is not 0)."""
        value = now + self.weight * (level - now) + self.trend_share * (model - level)
        return value + self.damped * (damped - now) if self.damped else value

    def scale_at(self, horizon: int) -> float:
        """The horizon's own scale; beyond the known horizons, the furthest one's."""
        if horizon in self.by_horizon:
            return self.by_horizon[horizon]
        further = [h for h in self.by_horizon if h < horizon]
        return self.by_horizon[max(further)] if further else self.scale


@dataclass(frozen=True)
class Forecast:
    group: str
    horizon: int
    expected: float
    lower: float
    upper: float


def carry_weight(pairs: Sequence[tuple[float, float]]) -> float:
    """The share ``w`` in [0, 1] of the model's change to carry: ``E0² / (E0² + E1²)``.

    ``pairs`` are (model change, actual change) from past backtests; ``E0`` is the summed
    absolute error of "no change" (the actual changes), ``E1`` that of the model in full.
    Nothing moved (``E0 = 0``), the model foresaw no change in any of them (no evidence for
    its changes) or fewer than ``MIN_PAIRS`` backtests: 0.
    """
    if len(pairs) < MIN_PAIRS or all(p == 0.0 for p, _ in pairs):
        return 0.0
    e0 = sum(abs(a) for _, a in pairs)
    e1 = sum(abs(a - p) for p, a in pairs)
    if e0 <= 0.0:
        return 0.0
    return e0 * e0 / (e0 * e0 + e1 * e1)


def evidence(errors: Sequence[tuple[float, float]]) -> float:
    """The probability, in [0, 1], that a forecast beats "no change", from ``errors``: per
    past backtest, the absolute errors of "no change" and of the forecast. ``Φ(t)``, ``t``
    the mean of their differences over its standard error (a Diebold-Mariano statistic); 0
    with fewer than ``MIN_PAIRS`` backtests or unless the forecast was closer on average (so
    it never carries weight without evidence); 1 if it was closer by the same amount every
    time or never wrong."""
    n = len(errors)
    if n < MIN_PAIRS:
        return 0.0
    # closer on average: its errors' sum below "no change"'s, compared as sums so that a
    # difference lost to rounding (1.0 + 1e-226 is 1.0) never reads as a forecast closer
    if sum(e for _, e in errors) >= sum(e0 for e0, _ in errors):
        return 0.0
    differences = [e0 - e for e0, e in errors]
    mean = sum(differences) / n
    if mean <= 0.0:
        return 0.0
    variance = sum((d - mean) ** 2 for d in differences) / (n - 1)
    if variance <= 0.0 or all(e == 0.0 for _, e in errors):
        return 1.0
    t = mean / math.sqrt(variance / n)
    return 0.5 * (1.0 + math.erf(t / math.sqrt(2.0)))


def carry_shares(points: Sequence[Point]) -> tuple[float, float]:
    """``(w, t)``: the shares of the model's change and of its entry trend to carry.

    The inverse-squared-error combination of "no change", the model with entries held level
    and the model in full over ``points`` (past backtests of one group, every horizon),
    written as ``now + w x (level - now) + t x (model - level)``. Fewer than ``MIN_PAIRS``
    backtests, nothing moved, or the model foresaw no change in any of them: ``(0, 0)``.
    A forecast that was never wrong takes all the weight ("no change" first, then the model
    in full, then the level).
    """
    if len(points) < MIN_PAIRS or all(p.model == p.now and p.steady == p.now for p in points):
        return 0.0, 0.0
    actual = [float(p.actual or 0) for p in points]
    e0 = sum(abs(a - p.now) for p, a in zip(points, actual, strict=True))
    e1 = sum(abs(a - p.steady) for p, a in zip(points, actual, strict=True))
    e2 = sum(abs(a - p.model) for p, a in zip(points, actual, strict=True))
    if e0 <= 0.0:
        return 0.0, 0.0
    if e2 <= 0.0:
        return 1.0, 1.0
    if all(p.steady == p.model for p in points):  # no level apart from the model: two forecasts
        w = e0 * e0 / (e0 * e0 + e2 * e2)
        return w, w
    if e1 <= 0.0:
        return 1.0, 0.0
    inverse = (1.0 / (e0 * e0), 1.0 / (e1 * e1), 1.0 / (e2 * e2))
    total = sum(inverse)
    return (inverse[1] + inverse[2]) / total, inverse[2] / total


def total_shares(points: Sequence[Point]) -> tuple[float, float, float]:
    """``(w, t, d)``: the total's own combination of "no change", the model with entries
    held level, the model in full and the fourth forecast (``Point.fourth``) over
    ``points`` (the total's past backtests, every horizon), each weighted by the inverse
    square of its summed absolute errors, written as ``now + w x (level - now) + t x (model
    - level) + d x (fourth - now)``. A forecast the same as a later one (in that order) in
    every backtest counts once; one that was never wrong takes all the weight (the first
    such); fewer than ``MIN_PAIRS`` backtests, nothing moved, or no forecast ever moved:
    ``(0, 0, 0)``. Each share is then scaled by the ``evidence`` that its forecast beat "no
    change" in those backtests: one no better than "no change" on average carries nothing."""
    if len(points) < MIN_PAIRS:
        return 0.0, 0.0, 0.0
    actual = [float(p.actual or 0) for p in points]
    e0 = sum(abs(a - p.now) for p, a in zip(points, actual, strict=True))
    columns = {
        "level": [p.steady for p in points],
        "model": [p.model for p in points],
        "damped": [p.fourth for p in points],
    }
    if e0 <= 0.0 or all(
        v == p.now for c in columns.values() for p, v in zip(points, c, strict=True)
    ):
        return 0.0, 0.0, 0.0
    names = list(columns)
    kept = [k for i, k in enumerate(names) if all(columns[k] != columns[j] for j in names[i + 1 :])]
    errors = {k: sum(abs(a - v) for v, a in zip(columns[k], actual, strict=True)) for k in kept}
    exact = [k for k in kept if errors[k] <= 0.0]
    if exact:
        share = {exact[0]: 1.0}
    else:
        inverse = {k: 1.0 / (e * e) for k, e in errors.items()}
        whole = 1.0 / (e0 * e0) + sum(inverse.values())
        share = {k: v / whole for k, v in inverse.items()}
    share = {
        k: v
        * evidence(
            [
                (abs(a - p.now), abs(a - f))
                for p, f, a in zip(points, columns[k], actual, strict=True)
            ]
        )
        for k, v in share.items()
    }
    level, model = share.get("level", 0.0), share.get("model", 0.0)
    return level + model, model, share.get("damped", 0.0)


def reconciled(
    groups: Mapping[str, float], now: Mapping[str, float], total: float
) -> dict[str, float]:
    """The groups' forecasts moved together to add up to ``total`` (the total's own
    combination): the difference is shared in proportion to the groups' counts at the
    origin (equally if there are none)."""
    difference = total - sum(groups.values())
    children = sum(now.values())
    return {
        g: v + difference * (now[g] / children if children else 1.0 / len(groups))
        for g, v in groups.items()
    }


def shares_of(values: Mapping[str, float]) -> dict[str, float]:
    """Each group's share of the groups' sum (equal shares if the sum is not positive)."""
    whole = sum(values.values())
    return {g: v / whole if whole > 0 else 1.0 / len(values) for g, v in values.items()}


def composition_shares(points: Sequence[Point]) -> tuple[float, float, float]:
    """``(n, l, m)``, summing to 1: the weights of the groups' shares at the origin, in the
    model with entries held level and in the model in full, from ``points`` (the groups'
    past backtests, every horizon; the total's are ignored). Each weighted by the inverse
    square of its summed errors in children, ``|share - actual share| x actual total``
    over every group of every backtest (an origin and horizon). The level counts once if
    its shares are the model's in every backtest; one never wrong takes all the weight
    (the first such); fewer than ``MIN_PAIRS`` backtests: ``(1, 0, 0)``."""
    blocks: dict[tuple[int, int], dict[str, Point]] = {}
    for p in points:
        if p.group != TOTAL and p.actual is not None:
            blocks.setdefault((p.origin, p.horizon), {})[p.group] = p
    kinds = ("now", "level", "model")
    errors = dict.fromkeys(kinds, 0.0)
    same = {"level": True}  # the level's shares the model's in every backtest
    counted = 0
    for block in blocks.values():
        actual = {g: float(p.actual or 0) for g, p in block.items()}
        whole = sum(actual.values())
        if whole <= 0:
            continue
        counted += 1
        share = {
            "now": shares_of({g: float(p.now) for g, p in block.items()}),
            "level": shares_of({g: p.steady for g, p in block.items()}),
            "model": shares_of({g: p.model for g, p in block.items()}),
        }
        for k in kinds:
            errors[k] += sum(abs(share[k][g] - actual[g] / whole) * whole for g in block)
        same["level"] = same["level"] and share["level"] == share["model"]
    if counted < MIN_PAIRS:
        return 1.0, 0.0, 0.0
    kept = [k for k in kinds if not same.get(k, False)]
    exact = [k for k in kept if errors[k] <= 0.0]
    if exact:
        weights = {exact[0]: 1.0}
    else:
        inverse = {k: 1.0 / (errors[k] * errors[k]) for k in kept}
        whole = sum(inverse.values())
        weights = {k: v / whole for k, v in inverse.items()}
    return weights.get("now", 0.0), weights.get("level", 0.0), weights.get("model", 0.0)


def composed(
    total: float,
    now: Mapping[str, float],
    level: Mapping[str, float],
    model: Mapping[str, float],
    weights: tuple[float, float, float],
) -> dict[str, float]:
    """The groups' forecasts: ``total`` times each group's share, the weighted mean
    (``weights``, ``composition_shares``) of its shares of ``now``, ``level`` and
    ``model``. They add up to ``total``."""
    parts = [shares_of(now), shares_of(level), shares_of(model)]
    return {g: total * sum(w * s[g] for w, s in zip(weights, parts, strict=True)) for g in now}


def _sd(point: Point) -> float:
    return math.sqrt(point.sd**2 + 1.0)  # never zero: a count is known to a child at best


def carried(point: Point, carry: Carry) -> float:
    return carry.carried(point.now, point.steady, point.model, point.fourth)


def calibrate(history: Iterable[Point], groups: Sequence[str]) -> dict[str, Carry]:
    """Weights and band scales per group, and the total's own combination and scale, from
    past backtests."""
    known = [p for p in history if p.actual is not None]
    by_group: dict[str, list[Point]] = {g: [] for g in (*groups, TOTAL)}
    for p in known:
        if p.group in by_group:
            by_group[p.group].append(p)
    shares = {g: carry_shares(by_group[g]) for g in groups}
    # one common factor: the evidence that the groups' carried change, summed, beat "no
    # change" on the total's backtests
    change: dict[tuple[int, int], float] = {}
    for g in groups:
        w, t = shares[g]
        for p in by_group[g]:
            key = (p.origin, p.horizon)
            change[key] = change.get(key, 0.0) + w * (p.steady - p.now) + t * (p.model - p.steady)
    # (no evidence either way — no total backtest, or the groups' carried changes summed
    # to nothing in every one, as when they cancel out — leaves the groups' weights as they are)
    total_pairs = [
        (change.get((p.origin, p.horizon), 0.0), float(p.actual or 0) - p.now)
        for p in by_group[TOTAL]
    ]
    common = (
        1.0
        if all(c == 0.0 for c, _ in total_pairs)
        else evidence([(abs(a), abs(a - c)) for c, a in total_pairs])
    )
    out: dict[str, Carry] = {}
    for g in groups:
        w, t = shares[g]
        out[g] = Carry(w * common, 1.0, len(by_group[g]), trend=t * common)
    totals = by_group[TOTAL]
    tw, tt, td = total_shares(totals)
    out[TOTAL] = Carry(
        tw * common,
        1.0,
        len(totals),
        trend=tt * common,
        damped=td * common,
        composition=composition_shares([p for g in groups for p in by_group[g]]),
    )
    # the band is sized on the errors of the forecasts as shown: the groups brought to the total
    values = _values(known, out, groups)
    errors: dict[str, list[tuple[float, int]]] = {
        g: [
            ((float(p.actual or 0) - values[(p.origin, p.horizon)][g]) / _sd(p), p.horizon)
            for p in by_group[g]
        ]
        for g in groups
    }
    pooled = [e for g in groups for e in errors[g]]
    for g in groups:
        out[g] = replace(
            out[g],
            scale=shrunk_scale([v for v, _ in errors[g]], [v for v, _ in pooled]),
            by_horizon=_by_horizon(errors[g], pooled),
        )
    # the total shown is the sum of the groups' forecasts at the same origin and horizon
    z = [
        (
            (float(p.actual or 0) - values.get((p.origin, p.horizon), {}).get(TOTAL, p.model))
            / _sd(p),
            p.horizon,
        )
        for p in totals
    ]
    out[TOTAL] = replace(
        out[TOTAL],
        scale=_scale(v for v, _ in z),
        by_horizon={h: _scale(v for v, hh in z if hh == h) for h in sorted({h for _, h in z})},
    )
    return out


def _values(
    points: Iterable[Point], carry: Mapping[str, Carry], groups: Sequence[str]
) -> dict[tuple[int, int], dict[str, float]]:
    """Per (origin, horizon): each group's forecast and the total (their sum): where the
    total has a point and at least ``MIN_PAIRS`` backtests of its own, the total's own
    combination shared out by ``Carry.composition`` (or the groups' carried forecasts moved
    to it, ``reconciled``, without one); otherwise (its combination is "no change" and the
    groups' shares are 0 too) the groups' carried forecasts."""
    blocks: dict[tuple[int, int], list[Point]] = {}
    for p in points:
        if p.group in carry or p.group == TOTAL:
            blocks.setdefault((p.origin, p.horizon), []).append(p)
    out: dict[tuple[int, int], dict[str, float]] = {}
    for key, block in blocks.items():
        parts = {p.group: carried(p, carry[p.group]) for p in block if p.group != TOTAL}
        if not parts:
            continue
        total = next((p for p in block if p.group == TOTAL), None)
        if total is not None and TOTAL in carry and carry[TOTAL].pairs >= MIN_PAIRS:
            whole = carry[TOTAL]
            now = {p.group: float(p.now) for p in block if p.group != TOTAL}
            if whole.composition is None:
                parts = reconciled(parts, now, carried(total, whole))
            else:
                groups_at = [p for p in block if p.group != TOTAL]
                parts = composed(
                    carried(total, whole),
                    now,
                    {p.group: p.steady for p in groups_at},
                    {p.group: p.model for p in groups_at},
                    whole.composition,
                )
        out[key] = {**parts, TOTAL: sum(parts.values())}
    return out


# Student's t, 95th percentile, by degrees of freedom (1..10); beyond, the Cornish-Fisher
# expansion around the normal's 1.645 (within 0.005 of the table's value at 10)
T95 = (6.314, 2.920, 2.353, 2.132, 2.015, 1.943, 1.895, 1.860, 1.833, 1.812)


def t95(dof: int) -> float:
    if dof <= len(T95):
        return T95[max(dof, 1) - 1]
    z = Z90
    return z + (z**3 + z) / (4 * dof) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * dof**2)


def _by_horizon(
    own: Sequence[tuple[float, int]], pooled: Sequence[tuple[float, int]]
) -> dict[int, float]:
    return {
        h: shrunk_scale([v for v, hh in own if hh == h], [v for v, hh in pooled if hh == h])
        for h in sorted({h for _, h in own})
    }


def shrunk_scale(own: Sequence[float], pooled: Sequence[float]) -> float:
    """A group's band scale (``Carry.scale``: the 90% half-width in the model's sds, over
    ``Z90``) from its own standardised errors ``own`` and every group's ``pooled`` (its own
    among them) at the same horizon: the root mean square of ``own`` with ``PRIOR_ERRORS``
    errors of the pooled root mean square (itself with one prior error of 1), widened by
    Student's t for ``len(own) + PRIOR_ERRORS`` errors. 1 (the model's own sd) with no errors
    at all."""
    if not own and not pooled:
        return 1.0
    base = (1.0 + sum(v * v for v in pooled)) / (1 + len(pooled))
    n = len(own) + PRIOR_ERRORS
    rms = math.sqrt((PRIOR_ERRORS * base + sum(v * v for v in own)) / n)
    return rms * t95(n) / Z90


def _scale(z: Iterable[float]) -> float:
    """Root mean square of standardised errors, with one prior error of 1, widened by
    Student's t for the few errors it rests on (1 with none: the model's own sd)."""
    values = list(z)
    if not values:
        return 1.0
    rms = math.sqrt((1.0 + sum(v * v for v in values)) / (1 + len(values)))
    return rms * t95(len(values)) / Z90


def band(expected: float, model: float, half: float, pairs: int) -> tuple[float, float]:
    """The 90% band: ``expected`` +- ``half``; while there are too few backtests to choose
    how much trend to carry (``MIN_PAIRS``), it reaches from "no change" to the model's
    full trend, so the lack of evidence widens it rather than hiding the trend."""
    low, high = expected - half, expected + half
    if pairs < MIN_PAIRS:
        low, high = min(low, model - half), max(high, model + half)
    return max(0.0, low), high


def forecast(points: Sequence[Point], carry: Mapping[str, Carry]) -> list[Forecast]:
    """The carried forecast with its band for the points of one origin (groups, then total)."""
    out: list[Forecast] = []
    values = _values(points, carry, [p.group for p in points if p.group != TOTAL])
    for p in points:
        if p.group == TOTAL:
            continue
        c = carry[p.group]
        m = values[(p.origin, p.horizon)][p.group]
        low, high = band(m, p.model, Z90 * c.scale_at(p.horizon) * _sd(p), c.pairs)
        out.append(Forecast(p.group, p.horizon, m, low, high))
    for p in points:
        if p.group == TOTAL:
            m = values.get((p.origin, p.horizon), {}).get(TOTAL, p.model)
            c = carry[TOTAL]
            low, high = band(m, p.model, Z90 * c.scale_at(p.horizon) * _sd(p), c.pairs)
            out.append(Forecast(TOTAL, p.horizon, m, low, high))
    return out


@dataclass(frozen=True)
class Accuracy:
    """Mean absolute errors of one group at one horizon over the backtests that had one."""

    group: str
    horizon: int
    backtests: int
    forecast: float  # the carried forecast (weights from earlier backtests only)
    no_change: float
    damped: float
    model: float  # the model's change in full
    covered: int  # backtests whose actual count fell inside the 90% band


@dataclass(frozen=True)
class Evaluation:
    rows: tuple[Accuracy, ...]
    origins: tuple[int, ...]

    @property
    def coverage(self) -> float | None:
        n = sum(r.backtests for r in self.rows if r.group != TOTAL)
        return sum(r.covered for r in self.rows if r.group != TOTAL) / n if n else None

    def row(self, group: str, horizon: int) -> Accuracy:
        return next(r for r in self.rows if r.group == group and r.horizon == horizon)


def evaluate(points: Sequence[Point], groups: Sequence[str]) -> Evaluation:
    """Errors and band coverage per group and horizon, each origin calibrated only on the
    backtests whose 31 March it had seen."""
    known = [p for p in points if p.actual is not None]
    origins = sorted({p.origin for p in known})
    acc: dict[tuple[str, int], list[float]] = {}
    for origin in origins:
        carry = calibrate([p for p in known if p.target <= origin], groups)
        at = [p for p in known if p.origin == origin]
        for p, f in zip(_ordered(at), forecast(_ordered(at), carry), strict=True):
            actual = float(p.actual or 0)
            row = acc.setdefault((p.group, p.horizon), [0, 0.0, 0.0, 0.0, 0.0, 0])
            row[0] += 1
            row[1] += abs(f.expected - actual)
            row[2] += abs(p.now - actual)
            row[3] += abs(p.damped - actual)
            row[4] += abs(p.model - actual)
            row[5] += 1 if f.lower <= actual <= f.upper else 0
    rows = []
    for g in (*groups, TOTAL):
        for h in sorted({h for (gg, h) in acc if gg == g}):
            n, e, naive, damped, model, covered = acc[(g, h)]
            rows.append(
                Accuracy(g, h, int(n), e / n, naive / n, damped / n, model / n, int(covered))
            )
    return Evaluation(tuple(rows), tuple(origins))


def _ordered(points: Sequence[Point]) -> list[Point]:
    """Groups first, the total last (the order ``forecast`` returns them in)."""
    return [p for p in points if p.group != TOTAL] + [p for p in points if p.group == TOTAL]
