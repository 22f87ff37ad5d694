"""Rules for combining the forecasts tried on stored rolling backtests (no model refitted).

    STARS_BENCH_POINTS=F.json .venv/bin/python benchmarks/sufficiency/ours_rolling.py DIR 2025
    .venv/bin/python benchmarks/sufficiency/carry_tuning.py F.json [F.json ...]

Each rule gives a group's forecast as ``now + sum_k s_k x (f_k - now)`` over some of the
forecasts each ``trust.Point`` holds ("no change", the model with entries level, the model
in full, the damped trend), the shares ``s_k`` from the group's earlier backtests only (out
of sample, as ``trust.evaluate``); the total is the sum of the groups, or the total's own
combination shared out between them (the rules named C1-C3: by the model's shares, or by
shares combined from the shares now and in the model). Prints, per rule and size x shape,
the mean absolute error per category and years ahead, the forecast of the last 31 March
(origin ``TEST_ORIGIN``, one year ahead) and the band's coverage, then counts against "no
change" and against the rule before the total's own combination (each group combining "no
change", the level and the model, the total their sum; ``CARRY_BEFORE`` names another);
"now (trust)" is the rule in ``stars.domain.sufficiency.trust`` (``CARRY_RULES="a|b"`` runs
only those; ``CARRY_BEFORE_POINTS=DIR`` compares with that rule on the points of the same
names in DIR, written before a change to the model). Use it on the tuning draws (council
size, seeds 101-112) only; name the files SIZE-SHAPE-DRAW.json.
"""

from __future__ import annotations

import json
import math
import os
import sys
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from stars.domain.sufficiency import trust  # noqa: E402
from stars.domain.sufficiency.trust import MIN_PAIRS, TOTAL, Point  # noqa: E402

GROUPS = ("Fostering", "Residential", "Supported", "Other")
TEST_ORIGIN = 2024
MEMBERS: dict[str, Callable[[Point], float]] = {
    "level": lambda p: p.steady,
    "model": lambda p: p.model,
    "damped": lambda p: p.damped,
}
Shares = dict[str, float]  # member -> share of its change from "no change"
# the yardstick of the comparisons (CARRY_BEFORE="now (trust)": the rule in trust)
BEFORE = os.environ.get("CARRY_BEFORE", "rule before (three forecasts, no total's own)")


def inverse_power(
    points: Sequence[Point], members: Sequence[str], power: float = 2.0, margin: float = 0.0
) -> Shares:
    """Shares proportional to 1 / E_k^power over "no change" and ``members``; ``margin``
    pseudo-backtests with the mean "no change" error added to every other forecast's sum."""
    if len(points) < MIN_PAIRS:
        return {}
    actual = [float(p.actual or 0) for p in points]
    e0 = sum(abs(a - p.now) for p, a in zip(points, actual, strict=True))
    if e0 <= 0.0:
        return {}
    errors = {
        k: sum(abs(a - MEMBERS[k](p)) for p, a in zip(points, actual, strict=True))
        + margin * e0 / len(points)
        for k in members
    }
    if all(all(MEMBERS[k](p) == p.now for p in points) for k in members):
        return {}
    # a forecast the same as an earlier one in every backtest counts once
    members = [
        k
        for i, k in enumerate(members)
        if not any(all(MEMBERS[j](p) == MEMBERS[k](p) for p in points) for j in members[i + 1 :])
    ]
    errors = {k: errors[k] for k in members}
    zero = [k for k in members if errors[k] <= 0.0]
    if zero:
        return {zero[0]: 1.0}
    inverse = {k: 1.0 / e**power for k, e in errors.items()}
    total = 1.0 / e0**power + sum(inverse.values())
    return {k: v / total for k, v in inverse.items()}


def _value(p: Point, s: Shares) -> float:
    return p.now + sum(v * (MEMBERS[k](p) - p.now) for k, v in s.items())


Rule = Callable[[Sequence[Point]], dict[tuple[str, int], Shares]]


def values(block: Sequence[Point], shares: dict[tuple[str, int], Shares]) -> dict[str, float]:
    """The forecasts of one origin and horizon, per group and in total. Where the rule gives
    the total shares of its own, the groups' sum is brought to the total's combination, the
    difference spread over the groups in proportion to their counts at the origin."""
    out = {p.group: _value(p, shares[(p.group, p.horizon)]) for p in block if p.group != TOTAL}
    total = next(p for p in block if p.group == TOTAL)
    summed = sum(out.values())
    if (TOTAL, 0) in shares:  # the total shared out by the groups' combined shares
        own = _value(total, shares[(TOTAL, total.horizon)])
        parts = [p for p in block if p.group != TOTAL]
        out = trust.composed(
            own,
            {p.group: float(p.now) for p in parts},
            {p.group: p.steady for p in parts},
            {p.group: p.model for p in parts},
            (shares[(TOTAL, 0)]["now"], shares[(TOTAL, 0)]["level"], shares[(TOTAL, 0)]["model"]),
        )
        summed = sum(out.values())
    elif (TOTAL, total.horizon) in shares:
        own = _value(total, shares[(TOTAL, total.horizon)])
        now = sum(p.now for p in block if p.group != TOTAL)
        for p in block:
            if p.group != TOTAL:
                share = p.now / now if now else 1.0 / len(out)
                out[p.group] = out[p.group] + (own - summed) * share
        summed = sum(out.values())
    out[TOTAL] = summed
    return out


def _blocks(points: Sequence[Point]) -> dict[tuple[int, int], list[Point]]:
    blocks: dict[tuple[int, int], list[Point]] = defaultdict(list)
    for p in points:
        blocks[(p.origin, p.horizon)].append(p)
    return blocks


def rule(
    members: Sequence[str],
    *,
    power: float = 2.0,
    common: bool = True,
    per_horizon: bool = False,
    margin: float = 0.0,
    uncommon: Sequence[str] = (),
    total: Sequence[str] = (),
    total_common: bool = True,
) -> Rule:
    def calibrate(history: Sequence[Point]) -> dict[tuple[str, int], Shares]:
        by_group: dict[str, list[Point]] = {g: [] for g in (*GROUPS, TOTAL)}
        for p in history:
            by_group[p.group].append(p)
        shares: dict[tuple[str, int], Shares] = {}
        for g in GROUPS:
            everything = inverse_power(by_group[g], members, power, margin)
            for h in (1, 2, 3):
                own = [p for p in by_group[g] if p.horizon == h]
                shares[(g, h)] = (
                    inverse_power(own, members, power, margin)
                    if per_horizon and len(own) >= MIN_PAIRS
                    else everything
                )
        if total:
            everything = inverse_power(by_group[TOTAL], total, power, margin)
            for h in (1, 2, 3):
                shares[(TOTAL, h)] = everything
        if common:
            change: dict[tuple[int, int], float] = defaultdict(float)
            for g in GROUPS:
                for p in by_group[g]:
                    change[(p.origin, p.horizon)] += _value(p, shares[(g, p.horizon)]) - p.now
            pairs = [
                (change.get((p.origin, p.horizon), 0.0), float(p.actual or 0) - p.now)
                for p in by_group[TOTAL]
            ]
            factor = 1.0 if all(c == 0.0 for c, _ in pairs) else trust.carry_weight(pairs)
            shares = {
                k: {
                    m: v if m in uncommon or (k[0] == TOTAL and not total_common) else v * factor
                    for m, v in s.items()
                }
                for k, s in shares.items()
            }
        return shares

    return calibrate


def current(history: Sequence[Point]) -> dict[tuple[str, int], Shares]:
    """The rule in ``trust`` (the groups' three forecasts and the total's own four, with
    the common factor; the total shared out by the groups' combined shares), as shares."""
    carry = trust.calibrate(history, GROUPS)
    composition = carry[TOTAL].composition
    out = moved_together(history)
    if composition is not None and carry[TOTAL].pairs >= MIN_PAIRS:
        out[(TOTAL, 0)] = dict(zip(("now", "level", "model"), composition, strict=True))
    return out


def moved_together(history: Sequence[Point]) -> dict[tuple[str, int], Shares]:
    """The rule in ``trust`` before the groups' shares of the total: the groups' carried
    forecasts moved together to the total's own combination."""
    carry = trust.calibrate(history, GROUPS)
    return {
        (g, h): {
            "level": carry[g].weight - carry[g].trend_share,
            "model": carry[g].trend_share,
            **({"damped": carry[g].damped} if g == TOTAL else {}),
        }
        for g in (*GROUPS, TOTAL)
        for h in (1, 2, 3)
    }


def _inverse_squares(points: Sequence[Point]) -> Shares:
    """``trust.total_shares``' shares before its evidence: the inverse squares of the summed
    errors of "no change" and the other three (one the same as a later one counted once)."""
    if len(points) < MIN_PAIRS:
        return {}
    actual = [float(p.actual or 0) for p in points]
    e0 = sum(abs(a - p.now) for p, a in zip(points, actual, strict=True))
    columns = {k: [f(p) for p in points] for k, f in MEMBERS.items()}
    if e0 <= 0.0 or all(
        v == p.now for c in columns.values() for p, v in zip(points, c, strict=True)
    ):
        return {}
    names = list(columns)
    kept = [k for i, k in enumerate(names) if all(columns[k] != columns[j] for j in names[i + 1 :])]
    errors = {k: sum(abs(a - v) for v, a in zip(columns[k], actual, strict=True)) for k in kept}
    exact = [k for k in kept if errors[k] <= 0.0]
    if exact:
        return {exact[0]: 1.0}
    inverse = {k: 1.0 / (e * e) for k, e in errors.items()}
    whole = 1.0 / (e0 * e0) + sum(inverse.values())
    return {k: v / whole for k, v in inverse.items()}


def evidence_by_horizon(
    *, shares: bool = False, evidence: bool = True, common: bool = True
) -> Rule:
    """The rule in ``trust`` with the total's evidence (``evidence``), the common factor
    (``common``) and its inverse-square shares (``shares``) each from the backtests of the
    same horizon only (every horizon's while one has fewer than ``MIN_PAIRS``): a forecast
    that beat "no change" one year ahead but not three carries weight one year ahead only."""

    def calibrate(history: Sequence[Point]) -> dict[tuple[str, int], Shares]:
        out = current(history)
        totals = [p for p in history if p.group == TOTAL]
        if len(totals) < MIN_PAIRS:
            return out
        carried: dict[tuple[int, int], float] = defaultdict(float)
        for g in GROUPS:
            own = [p for p in history if p.group == g]
            w, t = trust.carry_shares(own)
            for p in own:
                carried[(p.origin, p.horizon)] += w * (p.steady - p.now) + t * (p.model - p.steady)

        def factor(points: Sequence[Point]) -> float:
            pairs = [
                (carried.get((p.origin, p.horizon), 0.0), float(p.actual or 0) - p.now)
                for p in points
            ]
            if all(c == 0.0 for c, _ in pairs):
                return 1.0
            return trust.evidence([(abs(a), abs(a - c)) for c, a in pairs])

        def beat(points: Sequence[Point], k: str) -> float:
            return trust.evidence(
                [
                    (abs(float(p.actual or 0) - p.now), abs(float(p.actual or 0) - MEMBERS[k](p)))
                    for p in points
                ]
            )

        pooled = _inverse_squares(totals)
        for h in (1, 2, 3):
            own = [p for p in totals if p.horizon == h]
            enough = len(own) >= MIN_PAIRS
            raw = _inverse_squares(own) if shares and enough else pooled
            judged = own if evidence and enough else totals
            scale = factor(own if common and enough else totals)
            out[(TOTAL, h)] = {k: v * beat(judged, k) * scale for k, v in raw.items()}
        return out

    return calibrate


SHARE_OF: dict[str, Callable[[Sequence[Point]], list[float]]] = {
    "now": lambda ps: [float(p.now) for p in ps],
    "level": lambda ps: [p.steady for p in ps],
    "model": lambda ps: [p.model for p in ps],
}


def _shares_of(kind: str, parts: Sequence[Point]) -> list[float]:
    """Each group's share of the groups' sum under one forecast (equal if the sum is 0)."""
    v = SHARE_OF[kind](parts)
    whole = sum(v)
    return [x / whole if whole else 1.0 / len(v) for x in v]


def composed(kind: str) -> Rule:
    """The total of the rule in trust, shared out as ``kind``'s forecast shares it out."""

    def calibrate(history: Sequence[Point]) -> dict[tuple[str, int], Shares]:
        return current(history)

    def vals(block: Sequence[Point], shares: dict[tuple[str, int], Shares]) -> dict[str, float]:
        base = values(block, shares)
        parts = [p for p in block if p.group != TOTAL]
        share = _shares_of(kind, parts)
        out = {p.group: base[TOTAL] * s for p, s in zip(parts, share, strict=True)}
        out[TOTAL] = base[TOTAL]
        return out

    calibrate.values = vals  # type: ignore[attr-defined]
    return calibrate


def share_combined(members: Sequence[str], pooled: bool = False, once: bool = False) -> Rule:
    """The total of the rule in trust, shared out by each group's share combined from the
    share at the origin ("now") and ``members``' shares, weighted by the inverse square of
    their past errors in children (share error x actual total); ``pooled``: one set of
    weights for every group (then the shares add up to 1 as they are; with weights per group
    they are scaled to add up to 1: the same as combining each group's deviation from its
    share now); ``once``: a forecast whose shares are a later one's in every backtest counts
    once."""

    def calibrate(history: Sequence[Point]) -> dict[tuple[str, int], Shares]:
        shares = current(history)
        errors: dict[str, dict[str, float]] = {g: defaultdict(float) for g in GROUPS}
        count = 0
        same = {k: True for k in members}
        for block in _blocks(history).values():
            parts = [p for p in block if p.group != TOTAL]
            whole = sum(float(p.actual or 0) for p in parts)
            if not whole:
                continue
            count += 1
            actual = [float(p.actual or 0) / whole for p in parts]
            for i, k in enumerate(members):
                later = members[i + 1 :]
                same[k] = same[k] and any(
                    _shares_of(k, parts) == _shares_of(j, parts) for j in later
                )
            for kind in ("now", *members):
                for p, s, a in zip(parts, _shares_of(kind, parts), actual, strict=True):
                    errors[p.group][kind] += abs(s - a) * whole
        if pooled:
            summed: dict[str, float] = defaultdict(float)
            for g in GROUPS:
                for k, e in errors[g].items():
                    summed[k] += e
            errors = {g: summed for g in GROUPS}
        if once:  # a forecast whose shares are a later one's in every backtest counts once
            errors = {
                g: {k: e for k, e in errors[g].items() if not (k in same and same[k])}
                for g in GROUPS
            }
        for g in GROUPS:
            if count < MIN_PAIRS or not errors[g]:
                weights = {"now": 1.0}
            elif any(e <= 0.0 for e in errors[g].values()):
                weights = {next(k for k, e in errors[g].items() if e <= 0.0): 1.0}
            else:
                inverse = {k: 1.0 / (e * e) for k, e in errors[g].items()}
                whole = sum(inverse.values())
                weights = {k: v / whole for k, v in inverse.items()}
            shares[(g, 0)] = weights
        return shares

    def vals(block: Sequence[Point], shares: dict[tuple[str, int], Shares]) -> dict[str, float]:
        base = values(block, shares)
        total = base[TOTAL]
        parts = [p for p in block if p.group != TOTAL]
        by_kind = {k: _shares_of(k, parts) for k in ("now", *members)}
        mixed = [
            sum(w * by_kind[k][i] for k, w in shares[(p.group, 0)].items())
            for i, p in enumerate(parts)
        ]
        whole = sum(mixed)
        out = {p.group: total * m / whole for p, m in zip(parts, mixed, strict=True)}
        out[TOTAL] = sum(out.values())
        return out

    calibrate.values = vals  # type: ignore[attr-defined]
    return calibrate


def run(points: Sequence[Point], calibrate: Rule) -> dict[tuple[str, int], list[float]]:
    """Per (group, horizon): [n, |err| ours, |err| no change, covered, test |err|, test n]."""
    known = [p for p in points if p.actual is not None]
    valuer = getattr(calibrate, "values", values)
    acc: dict[tuple[str, int], list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0, 0.0, 0])
    for origin in sorted({p.origin for p in known}):
        history = [p for p in known if p.target <= origin]
        shares = calibrate(history)
        # the band: the errors of this rule's forecasts in the model's sds, shrunk as in trust
        errors: dict[str, list[tuple[float, int]]] = {g: [] for g in GROUPS}
        total_parts: dict[tuple[int, int], float] = {}
        for key, block in _blocks(history).items():
            v = valuer(block, shares)
            total_parts[key] = v[TOTAL]
            for p in block:
                if p.group != TOTAL:
                    e = (float(p.actual or 0) - v[p.group]) / trust._sd(p)
                    errors[p.group].append((e, p.horizon))
        pooled = [e for g in GROUPS for e in errors[g]]
        z_total = [
            (
                (float(p.actual or 0) - total_parts.get((p.origin, p.horizon), p.model))
                / trust._sd(p),
                p.horizon,
            )
            for p in history
            if p.group == TOTAL
        ]
        pairs = {g: sum(1 for p in history if p.group == g) for g in (*GROUPS, TOTAL)}
        at = [p for p in known if p.origin == origin]
        now_values = {h: valuer(b, shares) for (_, h), b in _blocks(at).items()}
        for p in trust._ordered(at):
            v = now_values[p.horizon][p.group]
            if p.group == TOTAL:
                k = trust.Carry(
                    1.0,
                    trust._scale(e for e, _ in z_total),
                    pairs[TOTAL],
                    {
                        h: trust._scale(e for e, hh in z_total if hh == h)
                        for h in {h for _, h in z_total}
                    },
                ).scale_at(p.horizon)
            else:
                k = trust.Carry(
                    1.0,
                    trust.shrunk_scale([e for e, _ in errors[p.group]], [e for e, _ in pooled]),
                    pairs[p.group],
                    trust._by_horizon(errors[p.group], pooled),
                ).scale_at(p.horizon)
            low, high = trust.band(v, p.model, trust.Z90 * k * trust._sd(p), pairs[p.group])
            a = float(p.actual or 0)
            row = acc[(p.group, p.horizon)]
            row[0] += 1
            row[1] += abs(v - a)
            row[2] += abs(p.now - a)
            row[3] += low <= a <= high
            if origin == TEST_ORIGIN and p.horizon == 1:
                row[4] += abs(v - a)
                row[5] += 1
    return acc


Rows = dict[tuple[str, int], list[float]]  # run's rows, summed over draws


def run_all(draws: Sequence[Sequence[Point]], calibrate: Rule) -> Rows:
    """``run`` summed over the draws of one size and shape."""
    summed: Rows = defaultdict(lambda: [0, 0.0, 0.0, 0, 0.0, 0])
    for points in draws:
        for key, row in run(points, calibrate).items():
            summed[key] = [a + b for a, b in zip(summed[key], row, strict=True)]
    return dict(summed)


@dataclass(frozen=True)
class Compared:
    """One rule's cells (size x shape x category x years ahead) against "no change" and a
    yardstick rule."""

    cells: int
    worse: int  # rolling cells behind "no change"
    worst: float  # the highest ratio to "no change"
    to_no_change: float  # geometric mean ratio to "no change"
    closer: int  # rolling cells closer than the yardstick
    to_base: float  # geometric mean ratio to the yardstick
    test_cells: int
    test_closer: int  # cells of the forecast of the last 31 March closer than the yardstick
    test_to_base: float
    test_worse: int  # ... behind "no change"
    coverage: float  # share of the groups' backtests in the 90% band


def compared(
    res: Mapping[str, Rows],
    base: Mapping[str, Rows],
    cells: Mapping[str, Sequence[Sequence[Point]]],
) -> Compared:
    worse = closer = tcloser = tworse = held = n_band = 0
    logs, logs_nc, tlogs = [], [], []
    worst = 0.0
    for cell, rows in res.items():
        for (g, h), (n, e, nc, cov, te, tn) in rows.items():
            b = base[cell][(g, h)]
            ratio_nc = e / nc if nc else 1.0
            worst = max(worst, ratio_nc)
            worse += e > nc + 1e-9
            logs_nc.append(math.log(ratio_nc))
            closer += e < b[1] - 1e-9
            logs.append(math.log(e / b[1]) if b[1] else 0.0)
            if g != TOTAL:
                held += int(cov)
                n_band += int(n)
            if tn:
                tcloser += te < b[4] - 1e-9
                tlogs.append(math.log(te / b[4]) if b[4] else 0.0)
            if h == 1 and tn:
                tworse += te / tn > _test_no_change(cells[cell], g) + 1e-9
    return Compared(
        cells=len(logs),
        worse=worse,
        worst=worst,
        to_no_change=math.exp(sum(logs_nc) / len(logs_nc)),
        closer=closer,
        to_base=math.exp(sum(logs) / len(logs)),
        test_cells=len(tlogs),
        test_closer=tcloser,
        test_to_base=math.exp(sum(tlogs) / len(tlogs)),
        test_worse=tworse,
        coverage=held / n_band,
    )


def main() -> None:
    files = [Path(a) for a in sys.argv[1:]]
    cells: dict[str, list[list[Point]]] = defaultdict(list)
    for f in files:
        size, shape, _ = f.stem.split("-")
        cells[f"{size} {shape}"].append([Point(**d) for d in json.loads(f.read_text())])
    four = ("level", "model", "damped")
    rules: dict[str, Rule] = {
        "now (trust)": current,
        "total's own four, groups moved together": moved_together,
        "C1 total x level's shares": composed("level"),
        "C2 total x model's shares": composed("model"),
        "C3 shares: now, level": share_combined(("level",)),
        "C3 shares: now, model": share_combined(("model",)),
        "C3 shares: now, level, model": share_combined(("level", "model")),
        "C3 shares pooled: now, level, model": share_combined(("level", "model"), pooled=True),
        "C3 shares pooled: now, level": share_combined(("level",), pooled=True),
        "C3 shares pooled: now, level, model, once": share_combined(
            ("level", "model"), pooled=True, once=True
        ),
        "C3 shares: now, level, model, once": share_combined(("level", "model"), once=True),
        "rule before (three forecasts, no total's own)": rule(("level", "model")),
        "four (+damped)": rule(four),
        "four, no common factor": rule(four, common=False),
        "four, per horizon": rule(four, per_horizon=True),
        "four, power 1": rule(four, power=1.0),
        "four, power 3": rule(four, power=3.0),
        "four, margin 1": rule(four, margin=1.0),
        "four, margin 2": rule(four, margin=2.0),
        "four, per horizon, margin 1": rule(four, per_horizon=True, margin=1.0),
        "three (now, model, damped)": rule(("model", "damped")),
        "three, per horizon": rule(("level", "model"), per_horizon=True),
        "four, damped outside the common factor": rule(four, uncommon=("damped",)),
        "three, no common factor, total's own three": rule(
            ("level", "model"), common=False, total=("level", "model")
        ),
        "four, no common factor, total's own four": rule(four, common=False, total=four),
        "three, no common factor, total's own four": rule(
            ("level", "model"), common=False, total=four
        ),
        "three, no common factor, total's own four, margin 1": rule(
            ("level", "model"), common=False, total=four, margin=1.0
        ),
        "three, no common factor, total's own four, margin 2": rule(
            ("level", "model"), common=False, total=four, margin=2.0
        ),
        "three, no common factor, total's own three, margin 2": rule(
            ("level", "model"), common=False, total=("level", "model"), margin=2.0
        ),
        "three, common factor, total's own four": rule(("level", "model"), total=four),
        "three, common factor, total's own four (not scaled)": rule(
            ("level", "model"), total=four, total_common=False
        ),
        "three, common factor, total's own three": rule(
            ("level", "model"), total=("level", "model")
        ),
        "four, no common factor, margin 1": rule(four, common=False, margin=1.0),
        "four, no common factor, margin 2": rule(four, common=False, margin=2.0),
        "four, no common factor, power 1": rule(four, common=False, power=1.0),
        "three, no common factor, margin 1": rule(("level", "model"), common=False, margin=1.0),
        "the total's evidence as in trust, by this harness": evidence_by_horizon(
            evidence=False, common=False
        ),
        "the total's evidence and common factor by horizon": evidence_by_horizon(),
        "the total's evidence by horizon": evidence_by_horizon(common=False),
        "the common factor by horizon": evidence_by_horizon(evidence=False),
        "the total's shares, evidence and common factor by horizon": evidence_by_horizon(
            shares=True
        ),
    }
    # CARRY_RULES="name|name": only these (and the rule in trust, the yardstick)
    only = [r for r in os.environ.get("CARRY_RULES", "").split("|") if r]
    if only:
        only += ["now (trust)", BEFORE]
    results: dict[str, dict[str, Rows]] = {}
    for name, calibrate in rules.items():
        if only and name not in only:
            continue
        results[name] = {cell: run_all(draws, calibrate) for cell, draws in sorted(cells.items())}
    base = results[BEFORE]
    # CARRY_BEFORE_POINTS=DIR: the yardstick is that rule on the points of the same names in
    # DIR (the rolling backtests as the model was before a change to it)
    if os.environ.get("CARRY_BEFORE_POINTS"):
        earlier: dict[str, list[list[Point]]] = defaultdict(list)
        for f in files:
            size, shape, _ = f.stem.split("-")
            g = Path(os.environ["CARRY_BEFORE_POINTS"]) / f.name
            earlier[f"{size} {shape}"].append([Point(**d) for d in json.loads(g.read_text())])
        base = {cell: run_all(draws, rules[BEFORE]) for cell, draws in sorted(earlier.items())}
    print(
        "| rule | rolling cells worse than no change | worst ratio to no change | "
        "geo. mean ratio to no change | closer than before (rolling) | geo. mean ratio "
        "to before | test-year cells closer than before | geo. mean test ratio to before | "
        "test cells worse than no change | coverage |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, res in results.items():
        c = compared(res, base, cells)
        print(
            f"| {name} | {c.worse} of {c.cells} | {c.worst:.3f} | {c.to_no_change:.3f} | "
            f"{c.closer} of {c.cells} | {c.to_base:.4f} | {c.test_closer} of {c.test_cells} | "
            f"{c.test_to_base:.4f} | {c.test_worse} of {c.test_cells} | {100 * c.coverage:.1f}% |"
        )
    for name, res in results.items():
        print(f"\n#### {name}\n")
        print("| size, shape | category | ours 1 / 2 / 3 years ahead | no change | 2025 ours |")
        print("| --- | --- | --- | --- | ---: |")
        for cell, rows in res.items():
            for g in (*GROUPS, TOTAL):
                r = [rows[(g, h)] for h in (1, 2, 3)]
                print(
                    f"| {cell} | {g} | "
                    + " / ".join(f"{x[1] / x[0]:.2f}" for x in r)
                    + " | "
                    + " / ".join(f"{x[2] / x[0]:.2f}" for x in r)
                    + f" | {r[0][4] / r[0][5]:.2f} |"
                )


def _test_no_change(draws: Sequence[Sequence[Point]], group: str) -> float:
    errs = [
        abs(p.now - float(p.actual or 0))
        for points in draws
        for p in points
        if p.origin == TEST_ORIGIN and p.horizon == 1 and p.group == group and p.actual is not None
    ]
    return sum(errs) / len(errs)


if __name__ == "__main__":
    main()
