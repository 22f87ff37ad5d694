"""Rules for the forecast's 90% band tried on stored rolling backtests (no model refitted).

    STARS_BENCH_POINTS=F.json .venv/bin/python benchmarks/sufficiency/ours_rolling.py DIR 2025
    .venv/bin/python benchmarks/sufficiency/band_tuning.py [--sweep] F.json [F.json ...]

``ours_rolling.py`` writes every backtest's ``trust.Point`` to ``STARS_BENCH_POINTS`` (name
the file SIZE-SHAPE-DRAW.json). This script evaluates the points out of sample, as
``trust.evaluate`` does (each origin calibrated only on backtests whose 31 March had
passed), and prints per size and shape the band's coverage over the four categories and
its mean width, for the rule in ``stars.domain.sufficiency.trust`` ("now") and the rule
before it (each group's own errors, one prior error of one sd, Student's t for their
number). ``--sweep`` adds the candidates that were tried, with ``PRIOR_ERRORS`` 1-4: use it
on the tuning draws (council size, seeds 101-112) only.
"""

from __future__ import annotations

import json
import math
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from stars.domain.sufficiency import trust  # noqa: E402
from stars.domain.sufficiency.trust import TOTAL, Carry, Point  # noqa: E402

GROUPS = ("Fostering", "Residential", "Supported", "Other")

Rule = Callable[[Sequence[Point], Sequence[str]], dict[str, Carry]]


def load(path: Path) -> list[Point]:
    return [Point(**d) for d in json.loads(path.read_text())]


def run(points: Sequence[Point], calibrate: Rule) -> tuple[int, int, float]:
    """(covered, backtests, summed band widths) over the four categories, out of sample."""
    known = [p for p in points if p.actual is not None]
    covered = n = 0
    width = 0.0
    for origin in sorted({p.origin for p in known}):
        carry = calibrate([p for p in known if p.target <= origin], GROUPS)
        at = trust._ordered([p for p in known if p.origin == origin])
        for p, f in zip(at, trust.forecast(at, carry), strict=True):
            if p.group == TOTAL:
                continue
            n += 1
            covered += f.lower <= float(p.actual or 0) <= f.upper
            width += f.upper - f.lower
    return covered, n, width


def _rms_t(values: Sequence[float], prior: float, prior_n: float, dof: int) -> float:
    rms = math.sqrt(
        (prior_n * prior * prior + sum(v * v for v in values)) / (prior_n + len(values))
    )
    return rms * (trust.t95(dof) / trust.Z90 if dof else 1.0)


def _conformal(values: Sequence[float]) -> float | None:
    """The ceil(0.9 (n + 1))-th smallest |value|; None with fewer than 9."""
    k = math.ceil(0.9 * (len(values) + 1))
    return sorted(abs(v) for v in values)[k - 1] if k <= len(values) else None


def candidate(scale: Callable[[list[float], list[float]], float]) -> Rule:
    """``trust.calibrate``'s shares with another band scale ``scale(own, pooled)`` (the
    group's standardised errors, every group's at the same horizon)."""

    def calibrate(history: Sequence[Point], groups: Sequence[str]) -> dict[str, Carry]:
        out = trust.calibrate(history, groups)
        z: dict[str, list[tuple[float, int]]] = {g: [] for g in groups}
        for p in history:
            if p.actual is not None and p.group in z:
                error = (float(p.actual) - trust.carried(p, out[p.group])) / trust._sd(p)
                z[p.group].append((error, p.horizon))
        pooled = [e for g in groups for e in z[g]]
        for g in groups:
            by_h = {
                h: scale([v for v, k in z[g] if k == h], [v for v, k in pooled if k == h])
                for h in sorted({h for _, h in z[g]})
            }
            everything = scale([v for v, _ in z[g]], [v for v, _ in pooled])
            out[g] = replace(out[g], scale=everything, by_horizon=by_h)
        return out

    return calibrate


def before(own: list[float], pooled: list[float]) -> float:
    return _rms_t(own, 1.0, 1.0, len(own))


def pooled_rms(own: list[float], pooled: list[float]) -> float:
    return _rms_t(pooled, 1.0, 1.0, len(pooled))


def pooled_conformal(own: list[float], pooled: list[float]) -> float:
    q = _conformal(pooled)
    return max(q, 1e-9) / trust.Z90 if q is not None else pooled_rms(own, pooled)


def own_without_t(own: list[float], pooled: list[float]) -> float:
    return _rms_t(own, 1.0, 1.0, 0)


def with_prior_errors(m: int) -> Rule:
    def calibrate(history: Sequence[Point], groups: Sequence[str]) -> dict[str, Carry]:
        kept, trust.PRIOR_ERRORS = trust.PRIOR_ERRORS, m
        try:
            return trust.calibrate(history, groups)
        finally:
            trust.PRIOR_ERRORS = kept

    return calibrate


def main() -> None:
    args = sys.argv[1:]
    sweep = "--sweep" in args
    files = [Path(a) for a in args if a != "--sweep"]
    rules: dict[str, Rule] = {"now": trust.calibrate, "before": candidate(before)}
    if sweep:
        rules |= {
            "own errors, no Student's t": candidate(own_without_t),
            "every group's errors pooled, Student's t": candidate(pooled_rms),
            "pooled, conformal 90% quantile (9+ errors)": candidate(pooled_conformal),
            **{f"shrunk, PRIOR_ERRORS = {m}": with_prior_errors(m) for m in (1, 2, 3, 4)},
        }
    cells: dict[str, list[list[Point]]] = defaultdict(list)
    for f in files:
        size, shape, _ = f.stem.split("-")
        cells[f"{size} {shape}"].append(load(f))
    for name, rule in rules.items():
        print(f"## {name}")
        for cell, draws in sorted(cells.items()):
            covered = n = 0
            width = 0.0
            for points in draws:
                c, k, w = run(points, rule)
                covered, n, width = covered + c, n + k, width + w
            print(
                f"{cell:20s} draws {len(draws):2d}  in the band {covered} of {n} "
                f"({100 * covered / n:.1f}%)  mean width {width / n:.1f}"
            )


if __name__ == "__main__":
    main()
