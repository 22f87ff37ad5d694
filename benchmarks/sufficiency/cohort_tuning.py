"""A cohort-replacement forecast of the total, tried on the tuning draws (not kept).

The total ``h`` years ahead as (the children in care at the origin expected still to be in the
same period of care ``h`` years later) + (the children in care at the origin whose period
began in the last ``h`` years, as observed: under flat entries an unbiased estimate of the
later entrants still in care then). Survivors two ways: from the model's own daily rates
(the fitted model's stock carried ``h`` years with no entries) and from the returns (the
share of the children in care at each 31 March ``h`` years before an earlier one, known at
the origin, still in the same period then, by time in care and age band, each cell shrunk
towards its time-in-care band by ``SHRINK`` children). Also tried: the recent entrants'
stock averaged over every origin so far, and the level with the model's survivors replaced
by the returns'.

Then (not kept either) forecasts that revert to a long-run level, from the counts at every
31 March the returns know (``known_series``, ``reverted``): the returns' survivors plus the
recent entrants' stock averaged over every 31 March where it is known; the pooled share of
a 31 March's children still in the same period ``h`` years later (``p``) times the count
now plus that average; the mean of the 31 March counts plus ``p`` times the count's
distance from it; the same with ``rho^h`` (``rho`` the counts' lag-one slope) for ``p``; and
``p`` times the distance from a log-linear trend of the counts, the slope in full, times its
Akaike weight (``forecast_rates.trend_weight``), or times that weight with ``t²`` deflated
by ``(1 - p1) / (1 + p1)`` for the counts' correlation from year to year. ``COHORT_RULES``
(comma-separated parts of names) runs only the rules named.

    python benchmarks/sufficiency/independent903.py OUT/council-SHAPE-SEED/all SHAPE council SEED
    .venv/bin/python benchmarks/sufficiency/cohort_tuning.py points OUT/council-SHAPE-SEED/all \\
        PTS/council-SHAPE-SEED.json
    .venv/bin/python benchmarks/sufficiency/cohort_tuning.py evaluate PTS/council-*-1??.json

``points`` writes the rolling backtests (as ``ours_rolling.py`` with ``STARS_BENCH_POINTS``)
and the candidate's parts per origin and horizon; ``evaluate`` prints each candidate's
errors alone, then each rule in the total's combination against the rule in ``trust``, out
of sample as ``carry_tuning.py`` (the rule in ``trust`` reproduced by this harness first).
Use it on the tuning draws (council size, seeds 101-112) only.
"""

from __future__ import annotations

import json
import math
import os
import sys
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import carry_tuning as ct
import polars as pl
from ours_rolling import PEER_GROUPS, read_returns

from stars.domain.sufficiency import trust
from stars.domain.sufficiency.figures import (
    looked_after_on,
    with_date_of_birth,
    with_periods,
    without_short_breaks,
)
from stars.domain.sufficiency.forecast import YEAR_DAYS, censor, daily_matrix
from stars.domain.sufficiency.forecast_rates import trend_weight
from stars.domain.sufficiency.linalg import power, vecmat
from stars.domain.sufficiency.rolling import HORIZONS, rolling_backtests
from stars.domain.sufficiency.trust import MIN_PAIRS, TOTAL, Point

IN_CARE_DAYS = (365, 730, 1461)  # time-in-care bands: under 1, 1-2, 2-4, 4+ years
AGES = (1, 5, 10, 16)  # the model's age bands
SHRINK = 2.0  # children of the time-in-care band's share in each (time in care, age) cell
PAIRS_BACK = 3  # survival measured over the h years ending at the origin and 2 before it
Parts = dict[str, dict[str, float]]  # "ORIGIN-H" -> the candidate's parts


@dataclass(frozen=True)
class CohortPoint(Point):
    """A total's point with the candidates (None: a group's point)."""

    cohort: float | None = None  # the model's survivors + the recent entrants' stock
    cohort_returns: float | None = None  # the returns' survivors + the recent entrants' stock
    cohort_averaged: float | None = None  # the returns' survivors + the stock averaged
    level_returns: float | None = None  # the level with the returns' survivors
    cohort_longrun: float | None = None  # the returns' survivors + the stock over every 31 March
    revert_survival: float | None = None  # the pooled share staying x now + the same stock
    revert_mean: float | None = None  # the mean + the pooled share staying x (now - the mean)
    revert_ar: float | None = None  # the mean + rho^h x (now - the mean), rho fitted
    revert_trend: float | None = None  # a log-linear trend + staying x (now - the trend)
    revert_akaike: float | None = None  # the same, the slope times its Akaike weight
    revert_akaike_ar: float | None = None  # the same, t² deflated for the counts' correlation


ct.MEMBERS["now"] = lambda p: float(p.now)
for _name in (
    "cohort",
    "cohort_returns",
    "cohort_averaged",
    "level_returns",
    "cohort_longrun",
    "revert_survival",
    "revert_mean",
    "revert_ar",
    "revert_trend",
    "revert_akaike",
    "revert_akaike_ar",
):
    ct.MEMBERS[_name] = lambda p, k=_name: getattr(p, k) if getattr(p, k) is not None else p.now


def _band(value: pl.Expr, bounds: Sequence[float]) -> pl.Expr:
    out = pl.lit(0)
    for k, lower in enumerate(bounds, start=1):
        out = pl.when(value >= lower).then(pl.lit(k)).otherwise(out)
    return out


def in_care(core: pl.DataFrame, on: date) -> pl.DataFrame:
    """Children in care on ``on``: their period's start, time-in-care band and age band."""
    days = (pl.lit(on) - pl.col("START")).dt.total_days()
    age = (pl.lit(on) - pl.col("DOB")).dt.total_days() / 365.25
    return looked_after_on(core, on).select(
        "CHILD", "START", _band(days, IN_CARE_DAYS).alias("_T"), _band(age, AGES).alias("_A")
    )


def returns_survivors(
    core: pl.DataFrame, now: pl.DataFrame, origin: int, h: int, first: int
) -> float:
    """The children of ``now`` expected in the same period ``h`` years on, from the share of
    earlier stocks (31 March ``origin - h - k``, ``k`` < ``PAIRS_BACK``, within the returns)
    still in it ``h`` years later, by time in care and age band."""
    cells: dict[tuple[int, int], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for k in range(PAIRS_BACK):
        t1 = origin - k
        if t1 - h < first - 1:
            continue
        later = (
            looked_after_on(core, date(t1, 3, 31))
            .select("CHILD", "START")
            .unique()
            .with_columns(pl.lit(True).alias("_S"))
        )
        stayed = in_care(core, date(t1 - h, 3, 31)).join(later, on=["CHILD", "START"], how="left")
        for t, a, n, s in (
            stayed.group_by("_T", "_A").agg(pl.len(), pl.col("_S").fill_null(False).sum())
        ).iter_rows():
            cells[(int(t), int(a))][0] += float(n)
            cells[(int(t), int(a))][1] += float(s)
    by_time: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for (t, _), (n, s) in cells.items():
        by_time[t][0] += n
        by_time[t][1] += s
    expected = 0.0
    for t, a, n in now.group_by("_T", "_A").len().iter_rows():
        seen, stayed_n = cells.get((int(t), int(a)), [0.0, 0.0])
        band_n, band_s = by_time.get(int(t), [0.0, 0.0])
        prior = band_s / band_n if band_n else 0.5
        expected += float(n) * (stayed_n + SHRINK * prior) / (seen + SHRINK)
    return expected


def known_series(core: pl.DataFrame, origin: int, first: int) -> dict[str, dict[str, float]]:
    """As the returns stood at 31 March ``origin``: the children in care at every 31 March
    from the first return's start (``S-ORIGIN``: "YEAR" -> count), those of them whose period
    began within the ``h`` years before (``R-ORIGIN-H``, only where every such period is in
    the returns) and those in care at ``t0`` still in the same period ``h`` years later
    (``P-ORIGIN-H``: "t0" -> [stayed])."""
    stocks = {t: in_care(core, date(t, 3, 31)) for t in range(first - 1, origin + 1)}
    out: dict[str, dict[str, float]] = {f"S-{origin}": {}}
    for t, frame in stocks.items():
        out[f"S-{origin}"][str(t)] = float(frame.height)
    for h in range(1, HORIZONS + 1):
        out[f"R-{origin}-{h}"] = {
            str(t): float(frame.filter(pl.col("START") > date(t - h, 3, 31)).height)
            for t, frame in stocks.items()
            if t - h >= first - 1
        }
        out[f"P-{origin}-{h}"] = {
            str(t0): float(
                stocks[t0]
                .select("CHILD", "START")
                .join(stocks[t0 + h].select("CHILD", "START"), on=["CHILD", "START"])
                .height
            )
            for t0 in stocks
            if t0 + h <= origin
        }
    return out


def reverted(series: Mapping[str, Mapping[str, float]], origin: int, h: int) -> dict[str, float]:
    """The mean-reverting candidates for ``h`` years after ``origin`` (none: not enough
    known): the recent entrants' stock averaged over every 31 March where it is known, the
    pooled share of a 31 March's children still in the same period ``h`` years later, the
    mean of the 31 March counts, and rho^h with rho the lag-one least-squares slope of the
    counts about their mean (clipped to 0..1)."""
    stock = {int(t): v for t, v in series[f"S-{origin}"].items()}
    recent = list(series[f"R-{origin}-{h}"].values())
    pairs = series[f"P-{origin}-{h}"]
    out: dict[str, float] = {}
    if recent:
        out["recent_longrun"] = sum(recent) / len(recent)
    seen = sum(stock[int(t0)] for t0 in pairs)
    if seen:
        out["staying"] = sum(pairs.values()) / seen
    years = sorted(stock)
    mean = sum(stock.values()) / len(stock)
    out["mean"] = mean
    x = [stock[t] - mean for t in years[:-1]]
    y = [stock[t + 1] - mean for t in years[:-1]]
    xx = sum(v * v for v in x)
    rho = sum(a * b for a, b in zip(x, y, strict=True)) / xx if xx else 0.0
    out["rho_h"] = min(1.0, max(0.0, rho)) ** h
    fitted = trend_weight([stock[t] for t in years])
    if fitted is not None:
        slope, weight = fitted
        total = sum(stock.values())
        mx = sum(stock[t] * (t - years[0]) for t in years) / total
        my = sum(stock[t] * math.log(stock[t]) for t in years) / total
        # a year's count is about the share staying times the year before's (correlated
        # counts, lag one ~ the share staying a year): t² deflated by (1 - p) / (1 + p)
        one = series[f"P-{origin}-1"]
        seen1 = sum(stock[int(t0)] for t0 in one)
        p1 = sum(one.values()) / seen1 if seen1 else 0.0
        t2 = slope**2 * sum(stock[t] * (t - years[0] - mx) ** 2 for t in years)
        deflated = 1.0 / (1.0 + math.exp(1.0 - t2 * (1.0 - p1) / (1.0 + p1) / 2.0))
        named = (("trend", slope), ("akaike", slope * weight), ("akaike_ar", slope * deflated))
        for name, b in named:
            out[f"{name}_now"] = math.exp(my + b * (origin - years[0] - mx))
            out[f"{name}_then"] = math.exp(my + b * (origin + h - years[0] - mx))
    return out


def write_points(root: Path, out: Path) -> None:
    episodes, headers, _ = read_returns(root)
    rolling = rolling_backtests(episodes, headers, groups=PEER_GROUPS, group_column="PEER_GROUP")
    first = int(episodes.get_column("YEAR").min())  # type: ignore[arg-type]
    base = with_date_of_birth(
        without_short_breaks(episodes.select("CHILD", "DECOM", "DEC", "REC", "LS")), headers
    ).filter(pl.col("DOB").is_not_null())
    parts: Parts = {}
    series: dict[str, dict[str, float]] = {}
    for origin, model in rolling.models.items():
        core = with_periods(censor(base, date(origin, 3, 31)).drop("REC")).with_columns(
            pl.when(pl.col("STARTS_PERIOD")).then(pl.col("DECOM")).forward_fill().alias("START")
        )
        now = in_care(core, date(origin, 3, 31))
        series.update(known_series(core, origin, first))
        p_year = power(daily_matrix(model.rates), YEAR_DAYS)
        carried = [float(x) for x in model.stock] + [0.0]
        for h in range(1, HORIZONS + 1):
            carried = vecmat(carried, p_year)
            recent = now.filter(pl.col("START") > date(origin - h, 3, 31)).height
            parts[f"{origin}-{h}"] = {
                "survivors": sum(carried[: model.n]),
                "survivors_returns": returns_survivors(core, now, origin, h, first),
                "recent": float(recent),
            }
    out.write_text(
        json.dumps(
            {"points": [p.__dict__ for p in rolling.points], "parts": parts, "series": series}
        )
    )


def load(f: Path) -> tuple[list[Point], Parts]:
    data = json.loads(f.read_text())
    parts: Parts = data["parts"]
    series: dict[str, dict[str, float]] = data["series"]
    first = min(int(k.split("-")[0]) for k in parts)
    points: list[Point] = []
    for p in data["points"]:
        e = parts.get(f"{p['origin']}-{p['horizon']}")
        if p["group"] != TOTAL or e is None:
            points.append(CohortPoint(**p))
            continue
        h, origin = p["horizon"], p["origin"]
        so_far = [parts[f"{t}-{h}"]["recent"] for t in range(first, origin + 1)]
        r = reverted(series, origin, h)
        now = float(p["now"])
        longrun = r.get("recent_longrun")
        staying = r.get("staying")
        points.append(
            CohortPoint(
                **p,
                cohort=e["survivors"] + e["recent"],
                cohort_returns=e["survivors_returns"] + e["recent"],
                cohort_averaged=e["survivors_returns"] + sum(so_far) / len(so_far),
                level_returns=(p["level"] if p["level"] is not None else p["model"])
                - e["survivors"]
                + e["survivors_returns"],
                cohort_longrun=None if longrun is None else e["survivors_returns"] + longrun,
                revert_survival=None
                if longrun is None or staying is None
                else staying * now + longrun,
                revert_mean=None if staying is None else r["mean"] + staying * (now - r["mean"]),
                revert_ar=r["mean"] + r["rho_h"] * (now - r["mean"]),
                revert_trend=None
                if staying is None or "trend_now" not in r
                else r["trend_then"] + staying * (now - r["trend_now"]),
                revert_akaike=None
                if staying is None or "akaike_now" not in r
                else r["akaike_then"] + staying * (now - r["akaike_now"]),
                revert_akaike_ar=None
                if staying is None or "akaike_ar_now" not in r
                else r["akaike_ar_then"] + staying * (now - r["akaike_ar_now"]),
            )
        )
    return points, parts


def common_factor(history: Sequence[Point]) -> float:
    """``trust.calibrate``'s common factor: the evidence that the groups' carried changes,
    summed, beat "no change" on the total's backtests."""
    change: dict[tuple[int, int], float] = defaultdict(float)
    for g in ct.GROUPS:
        own = [p for p in history if p.group == g]
        w, t = trust.carry_shares(own)
        for p in own:
            change[(p.origin, p.horizon)] += w * (p.steady - p.now) + t * (p.model - p.steady)
    pairs = [
        (change.get((p.origin, p.horizon), 0.0), float(p.actual or 0) - p.now)
        for p in history
        if p.group == TOTAL
    ]
    if all(c == 0.0 for c, _ in pairs):
        return 1.0
    return trust.evidence([(abs(a), abs(a - c)) for c, a in pairs])


def anchored_shares(points: Sequence[Point], members: Sequence[str], anchor: str) -> ct.Shares:
    """``trust.total_shares`` over ``members`` with ``anchor`` in the place of "no change"
    (inverse squared errors, a forecast the same as a later one counted once, each share
    times the evidence that it beat the anchor); the anchor keeps the rest."""
    if len(points) < MIN_PAIRS:
        return {}
    actual = [float(p.actual or 0) for p in points]
    base = [ct.MEMBERS[anchor](p) for p in points]
    e0 = sum(abs(a - b) for a, b in zip(actual, base, strict=True))
    columns = {k: [ct.MEMBERS[k](p) for p in points] for k in members}
    if e0 <= 0.0 or all(c == base for c in columns.values()):
        return {}
    kept = [
        k for i, k in enumerate(members) if all(columns[k] != columns[j] for j in members[i + 1 :])
    ]
    errors = {k: sum(abs(a - v) for v, a in zip(columns[k], actual, strict=True)) for k in kept}
    exact = [k for k in kept if errors[k] <= 0.0]
    if exact:
        share = {exact[0]: 1.0}
    else:
        whole = 1.0 / (e0 * e0) + sum(1.0 / (e * e) for e in errors.values())
        share = {k: 1.0 / (e * e) / whole for k, e in errors.items()}
    return {
        k: v
        * trust.evidence(
            [(abs(a - b), abs(a - f)) for b, f, a in zip(base, columns[k], actual, strict=True)]
        )
        for k, v in share.items()
    }


def total_rule(members: Sequence[str], anchor: str = "now") -> ct.Rule:
    """The rule in ``trust`` with the total's own combination over ``members`` and
    ``anchor`` (times the common factor; the anchor keeps the rest)."""

    def calibrate(history: Sequence[Point]) -> dict[tuple[str, int], ct.Shares]:
        out = ct.current(history)
        factor = common_factor(history)
        totals = [p for p in history if p.group == TOTAL]
        shares = {k: v * factor for k, v in anchored_shares(totals, members, anchor).items()}
        if anchor != "now":
            shares[anchor] = shares.get(anchor, 0.0) + 1.0 - sum(shares.values())
        for h in range(1, HORIZONS + 1):
            out[(TOTAL, h)] = shares
        return out

    return calibrate


FOUR = ("level", "model", "damped")
RULES: dict[str, ct.Rule] = {
    "now (trust)": ct.current,
    "this harness, as trust": total_rule(FOUR),
    "cohort (model's survivors) as a fifth forecast": total_rule((*FOUR, "cohort")),
    "cohort (model's survivors) in place of the level": total_rule(("cohort", "model", "damped")),
    "cohort (model's survivors) in place of no change": total_rule(FOUR, anchor="cohort"),
    "cohort (model's survivors) in place of no change and the level": total_rule(
        ("model", "damped"), anchor="cohort"
    ),
    "no change and the cohort (model's survivors) only": total_rule(("cohort",)),
    "the cohort (model's survivors) alone, always": total_rule((), anchor="cohort"),
    "cohort (returns' survivors) as a fifth forecast": total_rule((*FOUR, "cohort_returns")),
    "cohort (returns' survivors) in place of the level": total_rule(
        ("cohort_returns", "model", "damped")
    ),
    "cohort (returns' survivors) in place of no change": total_rule(FOUR, anchor="cohort_returns"),
    "no change and the cohort (returns' survivors) only": total_rule(("cohort_returns",)),
    "cohort, entrants' stock averaged, as a fifth forecast": total_rule((*FOUR, "cohort_averaged")),
    "the level with the returns' survivors, in place of the level": total_rule(
        ("level_returns", "model", "damped")
    ),
}
NEW = {
    "cohort_longrun": "cohort, entrants' stock over every known 31 March",
    "revert_survival": "pooled share staying x now + entrants' stock over every known 31 March",
    "revert_mean": "mean of the 31 March counts + pooled share staying x (now - mean)",
    "revert_ar": "mean of the 31 March counts + rho^h x (now - mean), rho fitted",
    "revert_trend": "log-linear trend of the 31 March counts + pooled share staying x (now - "
    "trend)",
    "revert_akaike": "the same, the trend's slope times its Akaike weight",
    "revert_akaike_ar": "the same, t² deflated by (1 - p1) / (1 + p1)",
}
for _key, _label in NEW.items():
    RULES = {
        **RULES,
        f"{_label}, as a fifth forecast": total_rule((*FOUR, _key)),
        f"{_label}, in place of the level": total_rule((_key, "model", "damped")),
        f"{_label}, in place of the damped trend": total_rule(("level", "model", _key)),
        f"{_label}, in place of no change": total_rule(FOUR, anchor=_key),
        f"no change and {_label} only": total_rule((_key,)),
    }
# COHORT_RULES=a,b: only the rules whose names hold one of these (and the rule in trust)
_only = [k for k in os.environ.get("COHORT_RULES", "").split(",") if k]
if _only:
    RULES = {k: v for k, v in RULES.items() if k == "now (trust)" or any(o in k for o in _only)}


def alone(cells: Mapping[str, list[tuple[list[Point], Parts]]]) -> None:
    print(
        "| shape | years ahead | backtests | cohort, model's survivors | cohort, returns' "
        "survivors | cohort, entrants averaged | level, returns' survivors | cohort, entrants "
        "over every 31 March | staying x now + entrants | mean + staying x (now - mean) | "
        "mean + rho^h x (now - mean) | trend + staying x (now - trend) | the same, Akaike "
        "weight | the same, t² deflated | no change | level | model | survivors' bias: "
        "model / returns |"
    )
    print(
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: | ---: | ---: | ---: | ---: | --- |"
    )
    names = (
        "cohort",
        "cohort_returns",
        "cohort_averaged",
        "level_returns",
        "cohort_longrun",
        "revert_survival",
        "revert_mean",
        "revert_ar",
        "revert_trend",
        "revert_akaike",
        "revert_akaike_ar",
        "now",
        "level",
        "model",
    )
    for cell, draws in sorted(cells.items()):
        for h in range(1, HORIZONS + 1):
            errors = dict.fromkeys(names, 0.0)
            n = 0
            bias, biased = [0.0, 0.0], 0
            for points, parts in draws:
                for p in points:
                    if p.group != TOTAL or p.horizon != h or p.actual is None:
                        continue
                    n += 1
                    for k in names:
                        f = ct.MEMBERS[k](p)
                        errors[k] += abs(f - p.actual)
                    later = parts.get(f"{p.origin + h}-{h}")
                    if later is not None:  # the origin's children still in the same period
                        stayed = p.actual - later["recent"]
                        biased += 1
                        bias[0] += parts[f"{p.origin}-{h}"]["survivors"] - stayed
                        bias[1] += parts[f"{p.origin}-{h}"]["survivors_returns"] - stayed
            print(
                f"| {cell} | {h} | {n} | "
                + " | ".join(f"{errors[k] / n:.2f}" for k in names)
                + f" | {bias[0] / biased:+.1f} / {bias[1] / biased:+.1f} |"
            )


def compare(cells: Mapping[str, list[tuple[list[Point], Parts]]]) -> None:
    points = {cell: [d for d, _ in draws] for cell, draws in cells.items()}
    results = {
        name: {cell: ct.run_all(draws, calibrate) for cell, draws in sorted(points.items())}
        for name, calibrate in RULES.items()
    }
    print(
        "\n| rule (the total's own combination) | rolling cells behind no change | worst ratio "
        "to no change | closer than now (rolling) | geo. mean ratio to now | 2025 cells "
        "closer than now | geo. mean 2025 ratio to now | 2025 cells behind no change | in the "
        "90% band | flat total 1 / 2 / 3 years ahead | growing total | shrinking total |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |")
    for name, res in results.items():
        c = ct.compared(res, results["now (trust)"], points)
        totals = [
            " / ".join(
                f"{res[f'council {s}'][(TOTAL, h)][1] / res[f'council {s}'][(TOTAL, h)][0]:.2f}"
                for h in range(1, HORIZONS + 1)
            )
            for s in ("flat", "growing", "shrinking")
        ]
        print(
            f"| {name} | {c.worse} of {c.cells} | {c.worst:.3f} | {c.closer} of {c.cells} | "
            f"{c.to_base:.4f} | {c.test_closer} of {c.test_cells} | {c.test_to_base:.4f} | "
            f"{c.test_worse} of {c.test_cells} | {100 * c.coverage:.1f}% | "
            + " | ".join(totals)
            + " |"
        )


def main() -> None:
    if sys.argv[1] == "points":
        write_points(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    cells: dict[str, list[tuple[list[Point], Parts]]] = defaultdict(list)
    for f in map(Path, sys.argv[2:]):
        size, shape, _ = f.stem.split("-")
        cells[f"{size} {shape}"].append(load(f))
    alone(cells)
    compare(cells)


if __name__ == "__main__":
    main()
