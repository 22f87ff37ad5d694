"""Rolling-origin backtests of the placement forecast, the trend it carries per group and its
90% band: worked examples beside properties (flat data gives "no change", a steady trend
the model foresaw is followed, nothing is calibrated on a backtest it had not yet seen)."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from hypothesis import example, given, settings
from hypothesis import strategies as st

from stars.demo.ssda903 import SyntheticConfig, generate, render_return
from stars.domain.sufficiency.rolling import damped_trend, origins_for, rolling_backtests
from stars.domain.sufficiency.ssda903 import merge_returns, parse_episodes, parse_header
from stars.domain.sufficiency.trust import (
    MIN_PAIRS,
    PRIOR_ERRORS,
    TOTAL,
    Z90,
    Point,
    _ordered,
    calibrate,
    carry_shares,
    carry_weight,
    composed,
    composition_shares,
    evaluate,
    evidence,
    forecast,
    reconciled,
    shrunk_scale,
    t95,
    total_shares,
)

changes = st.floats(-200, 200, allow_nan=False).filter(lambda v: abs(v) > 1e-3)


def test_carry_weight_worked_examples():
    assert carry_weight([(10.0, 5.0), (20.0, 10.0)]) == 0.5  # half the change came
    assert carry_weight([(10.0, 10.0), (-4.0, -4.0)]) == 1.0  # all of it came
    assert carry_weight([(10.0, 0.0), (-5.0, 0.0)]) == 0.0  # none came
    # it went the other way: "no change" missed by 4, the model by 22; 4² / (4² + 22²)
    assert abs(carry_weight([(10.0, -3.0), (8.0, -1.0)]) - 16 / 500) < 1e-12
    # the model missed by 5, "no change" by 15: 225 / (225 + 25)
    assert abs(carry_weight([(10.0, 12.0), (5.0, 3.0), (-1.0, 0.0)]) - 0.9) < 1e-12
    assert carry_weight([(10.0, 10.0)]) == 0.0  # one backtest is no evidence
    assert carry_weight([(0.0, 10.0), (0.0, -4.0)]) == 0.0  # the model foresaw no change
    assert MIN_PAIRS == 2


@given(st.lists(changes, min_size=MIN_PAIRS, max_size=12))
def test_flat_counts_give_no_change(model_changes):
    assert carry_weight([(p, 0.0) for p in model_changes]) == 0.0


@given(st.lists(changes, min_size=MIN_PAIRS, max_size=12))
def test_a_trend_the_model_foresaw_is_followed(model_changes):
    assert carry_weight([(p, p) for p in model_changes]) == 1.0


@given(st.lists(changes, min_size=MIN_PAIRS, max_size=12), st.floats(0.0, 1.0))
def test_a_steady_share_of_the_trend_weighs_by_the_errors(model_changes, share):
    # "no change" misses by share x |change|, the model by (1 - share) x |change|
    w = carry_weight([(p, share * p) for p in model_changes])
    assert abs(w - share**2 / (share**2 + (1 - share) ** 2)) < 1e-6


@given(st.lists(st.tuples(changes, changes), min_size=MIN_PAIRS, max_size=12))
def test_the_model_carries_half_or_more_only_when_it_beat_no_change(pairs):
    w = carry_weight(pairs)
    assert 0.0 <= w <= 1.0
    no_change = sum(abs(a) for _, a in pairs)
    model = sum(abs(a - p) for p, a in pairs)
    if model < no_change * (1 - 1e-9):
        assert w > 0.5
    elif model > no_change * (1 + 1e-9):
        assert w < 0.5


def _three(origin, now, level, model, actual):
    return Point(origin, 1, "a", now, model, 2.0, float(now), actual, level)


def test_carry_shares_worked_examples():
    # the model's dynamics were right and its entry trend did not come: the level, no trend
    assert carry_shares([_three(o, 100, 110.0, 120.0, 110) for o in (1, 2)]) == (1.0, 0.0)
    # the entry trend came as well: the model in full
    assert carry_shares([_three(o, 100, 110.0, 120.0, 120) for o in (1, 2)]) == (1.0, 1.0)
    # nothing moved: no change
    assert carry_shares([_three(o, 100, 110.0, 120.0, 100) for o in (1, 2)]) == (0.0, 0.0)
    # errors 10, 5 and 10 summed over two backtests: weights 1/400, 1/100, 1/400 of 1/400 +
    # 1/100 + 1/400, so the model's change 5/6 and the entry trend 1/6
    w, t = carry_shares([_three(o, 100, 110.0, 120.0, 115 - 10 * (o % 2)) for o in (1, 2)])
    assert abs(w - 5 / 6) < 1e-12 and abs(t - 1 / 6) < 1e-12
    assert carry_shares([_three(1, 100, 110.0, 120.0, 110)]) == (0.0, 0.0)  # one backtest


backtest_triples = st.lists(
    st.tuples(st.integers(0, 500), changes, changes, st.integers(-60, 60)),
    min_size=MIN_PAIRS,
    max_size=12,
)


@given(backtest_triples)
def test_shares_of_the_entry_trend_never_exceed_those_of_the_change(triples):
    pts = [
        _three(i, now, now + d, now + d + e, max(0, now + a))
        for i, (now, d, e, a) in enumerate(triples)
    ]
    w, t = carry_shares(pts)
    assert 0.0 <= t <= w <= 1.0


@given(backtest_triples)
def test_an_entry_trend_that_never_came_is_dropped_and_the_dynamics_kept(triples):
    # every outcome was the model with entries held level: forecast the level, no trend
    pts = [
        _three(i, now, float(now + round(d)), now + round(d) + e, now + round(d))
        for i, (now, d, e, _) in enumerate(triples)
    ]
    moved = any(p.actual != p.now for p in pts)
    assert carry_shares(pts) == ((1.0, 0.0) if moved else (0.0, 0.0))


@given(st.lists(st.tuples(changes, changes), min_size=MIN_PAIRS, max_size=12))
def test_without_a_level_the_shares_are_the_two_forecast_combination(pairs):
    pts = [
        Point(i, 1, "a", 100, 100.0 + p, 2.0, 100.0, round(100 + a))
        for i, (p, a) in enumerate(pairs)
    ]
    expected = carry_weight([(p.model - p.now, float(p.actual or 0) - p.now) for p in pts])
    w, t = carry_shares(pts)
    assert abs(w - expected) < 1e-12 and abs(t - expected) < 1e-12


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(50, 300), st.integers(-20, 20), st.integers(1, 30)),
        min_size=4,
        max_size=8,
    )
)
def test_a_forecast_of_the_level_follows_it_and_leaves_the_entry_trend(rows):
    # at every origin the model's dynamics foresee the change and its entry trend adds a
    # rise that never comes: from the third origin on the forecast is the level
    pts = []
    for i, (now, d, e) in enumerate(rows):
        o = 2010 + i
        pts += [
            Point(o, 1, "a", now, now + d + e, 2.0, float(now), now + d, float(now + d)),
            Point(o, 1, TOTAL, now, now + d + e, 2.0, float(now), now + d, float(now + d)),
        ]
    ev = evaluate(pts, ["a"])
    later = [abs(d) if not any(r[1] for r in rows[:k]) else 0 for k, (_, d, _) in enumerate(rows)][
        2:
    ]
    first_two = sum(abs(r[1]) for r in rows[:2])
    assert abs(ev.row("a", 1).forecast - (first_two + sum(later)) / len(rows)) < 1e-6


def _total(origin, now, level, model, damped, actual):
    return Point(origin, 1, TOTAL, now, model, 2.0, damped, actual, level)


PHI_1 = 0.8413447460685429  # the normal distribution's probability below 1


def test_evidence_worked_examples():
    # "no change" missed by 15 and 5, the forecast by 5 and 5: differences 10 and 0, mean 5,
    # standard deviation 7.07, so t = 5 / (7.07 / sqrt 2) = 1: Φ(1)
    assert abs(evidence([(15.0, 5.0), (5.0, 5.0)]) - PHI_1) < 1e-12
    assert evidence([(15.0, 5.0), (5.0, 15.0)]) == 0.0  # no better on average
    assert evidence([(3.0, 4.0), (8.0, 9.0), (1.0, 2.0)]) == 0.0  # worse every time
    assert evidence([(6.0, 2.0), (9.0, 5.0)]) == 1.0  # better by 4 every time
    assert evidence([(6.0, 0.0), (1.0, 0.0)]) == 1.0  # never wrong
    assert evidence([(15.0, 5.0)]) == 0.0  # one backtest is no evidence


def test_total_shares_worked_examples():
    # from 100, the level 110, the model 120, the damped trend 105; 115 then 105 came: no
    # change missed by 15 + 5 = 20, the level by 5 + 5 = 10, the model by 5 + 15 = 20, the
    # damped trend by 10 + 0 = 10; inverse squares 1/400, 1/100, 1/400, 1/100 of 1/40:
    # shares 0.1 (no change), 0.4 (level), 0.1 (model), 0.4 (damped); then each scaled by
    # the evidence that it beat no change: the level by Φ(1) (see above), the model by 0 (as
    # far off as no change), the damped trend by 1 (better by 5 in both)
    pts = [_total(o, 100, 110.0, 120.0, 105.0, 105 + 10 * (o % 2)) for o in (1, 2)]
    w, t, d = total_shares(pts)
    assert abs(w - 0.4 * PHI_1) < 1e-12 and t == 0.0 and abs(d - 0.4) < 1e-12
    # the damped trend was right every time: all of it
    assert total_shares([_total(o, 100, 110.0, 120.0, 104.0, 104) for o in (1, 2)]) == (
        0.0,
        0.0,
        1.0,
    )
    # nothing moved, or one backtest only: no change
    assert total_shares([_total(o, 100, 110.0, 120.0, 104.0, 100) for o in (1, 2)]) == (0, 0, 0)
    assert total_shares([_total(1, 100, 110.0, 120.0, 104.0, 110)]) == (0.0, 0.0, 0.0)
    # a model the same as the damped trend in every backtest counts once (as the damped
    # trend): no change and the level (both 100) missed by 20, the damped trend by 10; the
    # level is no change, so no evidence for it; the damped trend's 4/6 scaled by Φ(1)
    pts = [_total(o, 100, 100.0, 110.0, 110.0, 105 + 10 * (o % 2)) for o in (1, 2)]
    w, t, d = total_shares(pts)
    assert t == 0.0 and w == 0.0 and abs(d - 4 / 6 * PHI_1) < 1e-12


totals = st.lists(
    st.tuples(
        st.integers(0, 500),
        st.integers(-60, 60),
        st.integers(-60, 60),
        st.integers(-60, 60),
        st.integers(-60, 60),
    ),
    min_size=MIN_PAIRS,
    max_size=12,
)


def _totals(rows):
    return [
        _total(i, now, float(now + lv), float(now + m), float(now + dm), max(0, now + a))
        for i, (now, lv, m, dm, a) in enumerate(rows)
    ]


@given(st.lists(st.tuples(st.floats(0, 1000), st.floats(0, 1000)), max_size=12))
def test_evidence_is_a_probability_and_none_for_a_forecast_no_better_than_no_change(errors):
    e = evidence(errors)
    assert 0.0 <= e <= 1.0
    if sum(e0 for e0, _ in errors) <= sum(f for _, f in errors):
        assert e == 0.0


@given(totals)
def test_the_totals_shares_add_up_to_at_most_one_and_none_without_evidence(rows):
    pts = _totals(rows)
    w, t, d = total_shares(pts)
    assert 0.0 <= t <= w <= 1.0 and 0.0 <= d <= 1.0 and w + d <= 1.0 + 1e-12
    err = {
        k: sum(abs(float(p.actual or 0) - f(p)) for p in pts)
        for k, f in {
            "now": lambda p: p.now,
            "level": lambda p: p.steady,
            "model": lambda p: p.model,
            "damped": lambda p: p.damped,
        }.items()
    }
    # a forecast no better than "no change" over the backtests carries nothing
    if err["damped"] >= err["now"]:
        assert d == 0.0
    if err["model"] >= err["now"]:
        assert t == 0.0
    if err["level"] >= err["now"] and err["model"] >= err["now"]:
        assert w == 0.0


@given(
    st.lists(
        st.tuples(st.integers(130, 500), st.integers(1, 60), st.booleans()),
        min_size=1,
        max_size=6,
    )
)
def test_a_damped_trend_clearly_better_in_many_backtests_keeps_its_inverse_square_share(rows):
    # the damped trend foresaw half of every change, many times over; the level and the model
    # are "no change" (no evidence for them): the damped trend's share tends to the
    # inverse-square combination's, 1/Ed² over 2/E0² + 1/Ed² (no change and the model)
    pts = [
        _total(i, now, float(now), float(now), float(now + s * m), now + 2 * s * m)
        for i, (now, m, up) in enumerate(rows * 200)
        for s in ((1 if up else -1),)
    ]
    e0 = sum(abs(float(p.actual or 0) - p.now) for p in pts)
    ed = sum(abs(float(p.actual or 0) - p.damped) for p in pts)
    w, t, d = total_shares(pts)
    assert w == 0.0 and t == 0.0
    inverse_square = (1 / ed**2) / (2 / e0**2 + 1 / ed**2)
    assert d <= inverse_square + 1e-12 and abs(d - inverse_square) < 1e-6


@given(totals)
def test_a_damped_trend_that_was_always_right_is_the_totals_forecast(rows):
    pts = [
        _total(i, now, float(now + lv), float(now + m), float(now + dm), now + dm)
        for i, (now, lv, m, dm, _) in enumerate(rows)
    ]
    moved = any(p.actual != p.now for p in pts)
    shares = total_shares(pts)
    if not moved:
        assert shares == (0.0, 0.0, 0.0)
    elif not any(
        all(p.damped == f(p) for p in pts) for f in (lambda p: p.steady, lambda p: p.model)
    ):
        assert shares == (0.0, 0.0, 1.0)


def test_reconciled_worked_example():
    # the groups forecast 60 + 50 = 110, the total 100: the 10 too many taken 3 : 2
    out = reconciled({"a": 60.0, "b": 50.0}, {"a": 60.0, "b": 40.0}, 100.0)
    assert out == {"a": 54.0, "b": 46.0}
    assert reconciled({"a": 1.0, "b": 3.0}, {"a": 0.0, "b": 0.0}, 6.0) == {"a": 2.0, "b": 4.0}


@given(
    st.dictionaries(
        st.sampled_from("abcdef"),
        st.tuples(st.floats(0, 1000), st.integers(0, 1000)),
        min_size=1,
    ),
    st.floats(0, 5000),
)
def test_reconciled_groups_add_up_to_the_total_and_keep_their_order_of_change(groups, total):
    forecasts = {g: v for g, (v, _) in groups.items()}
    now = {g: float(n) for g, (_, n) in groups.items()}
    out = reconciled(forecasts, now, total)
    assert abs(sum(out.values()) - total) < 1e-6 * max(1.0, total)
    # every group moves the same way, by its share of the difference
    up = total >= sum(forecasts.values())
    assert all(
        (out[g] >= forecasts[g] - 1e-9) if up else (out[g] <= forecasts[g] + 1e-9) for g in out
    )


def test_the_groups_are_brought_to_the_totals_own_combination():
    # two groups whose models each foresaw a rise of 10 that came only in the total's damped
    # trend: the groups' shares are 0 (their model missed by as much as "no change") but the
    # total's damped trend was right, so the groups are moved together to it
    history = []
    for o in (2015, 2016, 2017):
        history += [
            Point(o, 1, "a", 60, 70.0, 2.0, 64.0, 60 + 4 * (o % 2)),
            Point(o, 1, "b", 40, 50.0, 2.0, 42.0, 40 + 2 * (o % 2)),
            Point(o, 1, TOTAL, 100, 120.0, 2.0, 106.0, 100 + 6 * (o % 2)),
        ]
    carry = calibrate(history, ["a", "b"])
    assert carry[TOTAL].damped > 0.0
    live = [
        Point(2018, 1, "a", 60, 70.0, 2.0, 64.0, None),
        Point(2018, 1, "b", 40, 50.0, 2.0, 42.0, None),
        Point(2018, 1, TOTAL, 100, 120.0, 2.0, 106.0, None),
    ]
    out = {f.group: f.expected for f in forecast(live, carry)}
    t = carry[TOTAL]
    own = t.carried(100, 120.0, 120.0, 106.0)
    assert abs(out[TOTAL] - own) < 1e-9
    # the groups' shares: 0.6 / 0.4 now, 70 / 120 and 50 / 120 in the model (the level is
    # the model here, so counts once); the actual shares were 0.6 / 0.4 (2016) and 64 / 106,
    # 42 / 106 (2015, 2017): "no change" missed by 2 x 0.4 children in each of those, the
    # model by 2 x (64 - 106 x 7 / 12), 2 x (60 - 100 x 7 / 12) and again the first: 1.6
    # children against 12, weights 1 / 1.6² : 1 / 12²
    n, lv, m = t.composition or (0.0, 0.0, 0.0)
    assert lv == 0.0 and abs(n - 144 / (144 + 2.56)) < 1e-9 and abs(n + m - 1.0) < 1e-12
    shares = {"a": n * 0.6 + m * 70 / 120, "b": n * 0.4 + m * 50 / 120}
    assert all(abs(out[g] - own * shares[g]) < 1e-9 for g in "ab")
    # without the groups' shares (a total's carry without them), moved together by counts now
    moved = forecast(live, {**carry, TOTAL: replace(t, composition=None)})
    groups = {
        g: carry[g].carried(p.now, p.steady, p.model) for g, p in zip("ab", live[:2], strict=True)
    }
    a = next(f.expected for f in moved if f.group == "a")
    assert abs(a - (groups["a"] + (own - sum(groups.values())) * 0.6)) < 1e-9


def _group(origin, group, now, level, model, actual, horizon=1):
    return Point(origin, horizon, group, now, model, 2.0, float(now), actual, level)


def test_composition_shares_worked_example():
    # two groups, two backtests; 100 children came each time, 50 / 50. Shares now 0.6 / 0.4
    # missed by (0.1 + 0.1) x 100 = 20 children each time (40 in all), the level's 0.55 / 0.45
    # by 10 (20), the model's 0.7 / 0.3 by 40 (80): inverse squares 1/1600, 1/400, 1/6400,
    # or 4 : 16 : 1
    pts = [
        pt
        for o in (1, 2)
        for pt in (_group(o, "a", 60, 55.0, 70.0, 50), _group(o, "b", 40, 45.0, 30.0, 50))
    ]
    n, lv, m = composition_shares(pts)
    assert abs(n - 4 / 21) < 1e-12 and abs(lv - 16 / 21) < 1e-12 and abs(m - 1 / 21) < 1e-12
    # 200 children shared out: a's share 4/21 x 0.6 + 16/21 x 0.55 + 1/21 x 0.7 = 11.9 / 21
    out = composed(200.0, {"a": 60, "b": 40}, {"a": 55, "b": 45}, {"a": 70, "b": 30}, (n, lv, m))
    assert abs(out["a"] - 200 * 11.9 / 21) < 1e-9 and abs(out["b"] - 200 * 9.1 / 21) < 1e-9
    # the total's points are not the groups' shares; one backtest is too few
    assert composition_shares([*pts, _total(1, 100, 100.0, 100.0, 100.0, 100)]) == (n, lv, m)
    assert composition_shares(pts[:2]) == (1.0, 0.0, 0.0)
    # a level the same as the model in every backtest counts once: 40 against 20
    same = [
        pt
        for o in (1, 2)
        for pt in (_group(o, "a", 60, 55.0, 55.0, 50), _group(o, "b", 40, 45.0, 45.0, 50))
    ]
    n, lv, m = composition_shares(same)
    assert lv == 0.0 and abs(n - 0.2) < 1e-12 and abs(m - 0.8) < 1e-12
    # the model's shares always right: all of it
    right = [
        pt
        for o in (1, 2)
        for pt in (_group(o, "a", 60, 55.0, 50.0, 50), _group(o, "b", 40, 45.0, 50.0, 50))
    ]
    assert composition_shares(right) == (0.0, 0.0, 1.0)


share_rows = st.lists(
    st.lists(
        st.tuples(
            st.integers(0, 300), st.integers(0, 300), st.integers(0, 300), st.integers(0, 300)
        ),
        min_size=2,
        max_size=4,
    ),
    min_size=MIN_PAIRS,
    max_size=8,
)


def _share_points(rows):
    return [
        _group(o, f"g{i}", now, float(level), float(model), actual)
        for o, block in enumerate(rows)
        for i, (now, level, model, actual) in enumerate(block)
    ]


@given(share_rows)
def test_the_composition_weights_are_shares_and_never_favour_a_worse_forecast(rows):
    pts = _share_points(rows)
    weights = composition_shares(pts)
    assert all(0.0 <= w <= 1.0 for w in weights) and abs(sum(weights) - 1.0) < 1e-12
    blocks: dict[int, list[Point]] = {}
    for p in pts:
        blocks.setdefault(p.origin, []).append(p)

    def error(f):
        e = 0.0
        for block in blocks.values():
            whole = sum(float(p.actual or 0) for p in block)
            if whole > 0:
                values = {p.group: f(p) for p in block}
                s = sum(values.values())
                e += sum(
                    abs((values[p.group] / s if s > 0 else 1 / len(block)) - p.actual / whole)
                    * whole
                    for p in block
                )
        return e

    e_now, e_level = error(lambda p: float(p.now)), error(lambda p: p.steady)
    level_apart = weights[1] > 0.0
    if level_apart and 0.0 < e_level < e_now:
        assert weights[1] > weights[0]  # the level outweighs "no change" when it did better


@given(
    st.dictionaries(
        st.sampled_from("abcdef"),
        st.tuples(st.integers(0, 1000), st.floats(0, 1000), st.floats(0, 1000)),
        min_size=1,
    ),
    st.floats(0, 5000),
    share_rows,
)
def test_composed_groups_add_up_to_the_total_each_a_share_of_it(groups, total, rows):
    weights = composition_shares(_share_points(rows))
    now = {g: float(n) for g, (n, _, _) in groups.items()}
    level = {g: lv for g, (_, lv, _) in groups.items()}
    model = {g: m for g, (_, _, m) in groups.items()}
    out = composed(total, now, level, model, weights)
    assert abs(sum(out.values()) - total) < 1e-6 * max(1.0, total)
    assert all(-1e-9 <= v <= total * (1 + 1e-9) + 1e-9 for v in out.values())
    # the shares now only: the total shared out in proportion to the children now
    if sum(now.values()) > 0:
        plain = composed(total, now, level, model, (1.0, 0.0, 0.0))
        assert all(
            abs(plain[g] - total * now[g] / sum(now.values())) < 1e-6 * max(1.0, total) for g in now
        )


def _backtests(groups, history, actual_of):
    """Points of every origin and horizon up to 2020; ``actual_of(now, model)``."""
    pts = []
    for i, (o, h) in enumerate((o, h) for o in range(2012, 2021) for h in (1, 2, 3)):
        now_total = model_total = actual_total = 0.0
        for g, (now, change) in zip(groups, history[i % len(history)], strict=False):
            model = now + change
            actual = actual_of(now, model)
            target = o + h
            pts.append(_point(o, h, g, now, model, actual if target <= 2020 else None))
            now_total, model_total, actual_total = (
                now_total + now,
                model_total + model,
                actual_total + actual,
            )
        pts.append(
            _point(
                o,
                h,
                TOTAL,
                int(now_total),
                model_total,
                int(actual_total) if o + h <= 2020 else None,
            )
        )
    return pts


# counts now from 40, so no forecast or actual count is below 0 (a count never is)
group_history = st.lists(
    st.lists(st.tuples(st.integers(40, 500), st.integers(-40, 40)), min_size=3, max_size=3),
    min_size=1,
    max_size=6,
)


@settings(max_examples=40, deadline=None)
@given(group_history)
def test_on_flat_counts_the_forecast_is_no_change(history):
    groups = ["a", "b", "c"]
    pts = _backtests(groups, history, lambda now, model: now)
    carry = calibrate([p for p in pts if p.target <= 2020], groups)
    live = [p for p in pts if p.origin == 2020]
    for p, f in zip(_ordered(live), forecast(_ordered(live), carry), strict=True):
        assert abs(f.expected - p.now) < 1e-9


@settings(max_examples=40, deadline=None)
@given(group_history)
# groups whose foreseen changes cancel out in the total: the total is no evidence against them
@example(history=[[(10, 0), (10, 1), (10, -1)]])
def test_on_a_trend_the_model_foresaw_the_forecast_follows_it(history):
    groups = ["a", "b", "c"]
    pts = _backtests(groups, history, lambda now, model: int(model))
    carry = calibrate([p for p in pts if p.target <= 2020], groups)
    live = [p for p in pts if p.origin == 2020]
    moved = any(p.model != p.now for p in pts if p.target <= 2020)
    for p, f in zip(_ordered(live), forecast(_ordered(live), carry), strict=True):
        assert abs(f.expected - (p.model if moved else p.now)) < 1e-6


def test_damped_trend_worked_example():
    assert damped_trend([100, 110, 120], 1) == 128.0  # 120 + 10 x 0.8
    assert abs(damped_trend([100, 110, 120], 2) - 134.4) < 1e-9  # + 10 x 0.64
    assert damped_trend([50], 3) == 50.0


@given(st.integers(0, 5000), st.integers(2, 6), st.integers(1, 5))
def test_damped_trend_of_flat_counts_is_flat(count, years, horizon):
    assert damped_trend([float(count)] * years, horizon) == count


def test_origins_need_the_window_before_them():
    # returns 2018..2024 cover 1 April 2017 to 31 March 2024: the first origin with three
    # years before it is 31 March 2020, the last is the latest 31 March (the live forecast)
    assert origins_for(2018, 2024, 3) == [2020, 2021, 2022, 2023, 2024]
    assert origins_for(2018, 2019, 3) == []


def _point(origin, horizon, group, now, model, actual, sd=2.0):
    return Point(origin, horizon, group, now, model, sd, float(now), actual)


def test_the_band_widens_when_past_errors_were_larger_than_the_model_said():
    quiet = [_point(o, 1, "a", 100, 100.0, 100) for o in range(2015, 2020)]
    loud = [_point(o, 1, "a", 100, 100.0, 100 + (10 if o % 2 else -10)) for o in range(2015, 2020)]
    assert calibrate([], ["a"])["a"].scale == 1.0  # no history: the model's own sd
    assert calibrate(quiet, ["a"])["a"].scale < 1.0
    assert calibrate(loud, ["a"])["a"].scale > 3.0
    live = [_point(2020, 1, "a", 100, 120.0, None), _point(2020, 1, TOTAL, 100, 120.0, None)]
    band = {f.group: f for f in forecast(live, calibrate(loud, ["a"]))}
    assert band["a"].expected == 100.0  # the model's changes never came: no change
    assert band["a"].upper - band["a"].lower > 2 * 1.64 * 3 * 2.0
    assert band[TOTAL].expected == band["a"].expected


def _steady(group, actuals, sd=3**0.5):
    """One-year backtests of a group whose model foresaw no change (so it forecasts "no
    change") from 100 children; ``sd`` 3**0.5 makes the band's unit sqrt(sd² + 1) = 2."""
    return [Point(2015 + i, 1, group, 100, 100.0, sd, 100.0, a) for i, a in enumerate(actuals)]


def test_the_band_is_narrower_for_the_group_the_model_forecast_well():
    # worked example: "a" missed by 0, 2, 2, 0 children (0, 1, 1, 0 in units of 2), "b" by
    # 0, 10, 10, 0 (0, 5, 5, 0); every group's squared errors 52 over 8, with one prior error
    # of 1: (1 + 52) / 9. Each group counts that as PRIOR_ERRORS (1) error beside its own 4:
    # a: sqrt((53/9 + 2) / 5) x t95(5) = 1.2561 x 2.015 units of 2 = 5.06 children each side
    # b: sqrt((53/9 + 50) / 5) x t95(5) = 3.3434 x 2.015 units of 2 = 13.47 children
    assert PRIOR_ERRORS == 1
    history = _steady("a", [100, 102, 98, 100]) + _steady("b", [100, 110, 90, 100])
    carry = calibrate(history, ["a", "b"])
    assert carry["a"].weight == carry["b"].weight == 0.0  # the model foresaw no change
    live = [Point(2020, 1, g, 100, 100.0, 3**0.5, 100.0, None) for g in ("a", "b", TOTAL)]
    band = {f.group: f for f in forecast(live, carry)}
    assert abs(band["a"].upper - 100 - 2 * 2.015 * ((53 / 9 + 2) / 5) ** 0.5) < 1e-9
    assert abs(band["b"].upper - 100 - 2 * 2.015 * ((53 / 9 + 50) / 5) ** 0.5) < 1e-9
    assert round(band["a"].upper - band["a"].lower, 2) == 10.12
    assert round(band["b"].upper - band["b"].lower, 2) == 26.95
    # before, each group's band rested on its own errors alone, widened by Student's t for
    # their number: 3.30 children each side for "a"; with a single year's error, 3.8 times
    # its size (t95(1) / Z90), which left early bands far too wide


def test_one_years_error_is_weighed_with_the_other_groups_not_multiplied_by_t95_of_one():
    # a group with one backtest: its error of 2 sds among the others' errors of 1 and 3
    own, pooled = [2.0], [2.0, 1.0, 3.0]
    base = (1 + 4 + 1 + 9) / 4
    assert abs(shrunk_scale(own, pooled) - ((base + 4) / 2) ** 0.5 * t95(2) / Z90) < 1e-12
    # 3.49; before: the group's own error with one prior error of 1, times t95(1) / Z90: 6.07
    before = ((1 + 4) / 2) ** 0.5 * t95(1) / Z90
    assert round(shrunk_scale(own, pooled), 2) == 3.49 and round(before, 2) == 6.07
    assert shrunk_scale([], []) == 1.0  # no backtest at all: the model's own sd


standardised = st.lists(st.floats(-20, 20, allow_nan=False), min_size=1, max_size=12)


@given(standardised, standardised, st.floats(1.0, 5.0))
def test_larger_errors_never_narrow_the_band(own, others, factor):
    wider = [v * factor for v in own]
    assert shrunk_scale(wider, wider + others) >= shrunk_scale(own, own + others) * (1 - 1e-12)


@given(standardised, standardised)
def test_a_group_with_smaller_errors_gets_a_band_no_wider(small, others):
    # the same pooled errors; "large" missed by at least as much as "small", backtest by backtest
    large = [v + (1.0 if v >= 0 else -1.0) for v in small]
    pooled = small + large + others
    assert shrunk_scale(small, pooled) <= shrunk_scale(large, pooled)


@given(standardised, standardised)
def test_the_scale_is_the_errors_not_their_order(own, others):
    pooled = own + others
    assert abs(shrunk_scale(own, pooled) - shrunk_scale(own[::-1], pooled[::-1])) < 1e-9


count_rows = st.lists(
    st.tuples(st.integers(20, 400), st.integers(-30, 30), st.integers(-30, 30)),
    min_size=3,
    max_size=7,
)


def _history(rows, k=1):
    """Backtests of two groups, every count times ``k`` and the model's sd so that the band's
    unit sqrt(sd² + 1) is k times too."""
    pts = []
    for i, (now, change, miss) in enumerate(rows):
        for g, sign in (("a", 1), ("b", -1)):
            model = max(0, now + sign * change)
            actual = max(0, model + miss * sign)
            sd = (k * k * (4.0 + 1.0) - 1.0) ** 0.5
            pts.append(Point(2010 + i, 1, g, k * now, float(k * model), sd, 0.0, k * actual))
    return pts


@settings(max_examples=60, deadline=None)
@given(count_rows, st.integers(20, 400), st.integers(-40, 40))
@example(rows=[(20, 0, 0), (20, 1, 0), (20, 1, 0)], now=20, change=21)
def test_the_band_contains_the_forecast_and_scales_with_the_counts(rows, now, change):
    for k in (1, 3):
        pts = _history(rows, k)
        carry = calibrate(pts, ["a", "b"])
        sd = (k * k * 5.0 - 1.0) ** 0.5
        live = [
            Point(2020, 1, "a", k * now, float(k * max(0, now + change)), sd, 0.0, None),
            Point(2020, 1, "b", k * now, float(k * max(0, now - change)), sd, 0.0, None),
            Point(2020, 1, TOTAL, 2 * k * now, float(2 * k * now), sd, 0.0, None),
        ]
        bands = forecast(live, carry)
        for f in bands:
            assert f.lower <= f.expected <= f.upper
        if k == 1:
            base = bands
    # k times the children (and the model's sd in step): k times the forecast and its band
    for b, f in zip(base, bands, strict=True):
        assert abs(f.expected - 3 * b.expected) < 1e-6 * (1 + f.expected)
        assert abs(f.upper - 3 * b.upper) < 1e-6 * (1 + f.upper)
        if b.lower > 0:
            assert abs(f.lower - 3 * b.lower) < 1e-6 * (1 + f.upper)


@settings(max_examples=40, deadline=None)
@given(count_rows)
def test_without_evidence_the_band_spans_no_change_and_the_model(rows):
    # one backtest: too few to choose how much trend to carry, so "no change" is the forecast
    # and the band still reaches the model's full trend
    pts = _history(rows[:1])
    carry = calibrate(pts, ["a", "b"])
    for g, model in (("a", 150.0), ("b", 50.0)):
        (f,) = forecast([Point(2020, 2, g, 100, model, 2.0, 100.0, None)], carry)
        assert f.expected == 100.0
        assert f.lower <= min(100.0, model) and f.upper >= max(100.0, model)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(-30, 30), min_size=4, max_size=8))
def test_each_origin_is_judged_only_on_backtests_it_had_seen(changes):
    # the model always foresees the change exactly; the first two origins have no earlier
    # backtest (target <= origin), so they forecast "no change"; later ones follow the model
    pts = []
    for i, c in enumerate(changes):
        o = 2010 + i
        pts.append(_point(o, 1, "a", 100, 100.0 + c, 100 + c))
        pts.append(_point(o, 1, TOTAL, 100, 100.0 + c, 100 + c))
    ev = evaluate(pts, ["a"])
    first_two = sum(abs(c) for c in changes[:2])
    n = len(changes)
    row = ev.row("a", 1)
    assert row.backtests == n
    assert row.model == 0.0
    # from the third origin on, the weight is 1 if any earlier change was non-zero
    later = [abs(c) if not any(changes[:k]) else 0 for k, c in enumerate(changes)][2:]
    assert abs(row.forecast - (first_two + sum(later)) / n) < 1e-6
    assert row.no_change == sum(abs(c) for c in changes) / n


@lru_cache(maxsize=2)
def _merged(growth: float, seed: int):
    data = generate(SyntheticConfig(seed=seed, growth=growth, first_year=2018, last_year=2024))
    eps, hds = [], []
    for y in range(2018, 2025):
        h, e = render_return(data, y)
        eps.append(parse_episodes(f"e{y}.csv", e, y))
        hds.append(parse_header(f"h{y}.csv", h, y))
    return merge_returns(eps, hds)


def test_rolling_backtests_of_a_councils_returns():
    m = _merged(0.04, 3)
    r = rolling_backtests(m.episodes, m.headers)
    assert r.origins == (2020, 2021, 2022, 2023, 2024)
    assert len(r.points) == 5 * 3 * (len(r.groups) + 1)
    known = [p for p in r.points if p.actual is not None]
    assert {p.target for p in known} == {2021, 2022, 2023, 2024}
    assert all(p.actual is None for p in r.at(2024))  # the live forecast
    total_2021 = next(
        p for p in r.points if p.group == TOTAL and p.origin == 2020 and p.horizon == 1
    )
    assert total_2021.actual == sum(
        p.actual for p in r.points if p.origin == 2020 and p.horizon == 1 and p.group != TOTAL
    )
    ev = evaluate(r.points, r.groups)
    assert ev.origins == (2020, 2021, 2022, 2023)
    assert [x.backtests for x in ev.rows if x.group == TOTAL] == [4, 3, 2]
    assert ev.coverage is not None and 0.0 < ev.coverage <= 1.0


def test_the_carried_projection_runs_from_no_change_to_the_model():
    from decimal import Decimal

    from stars.domain.sufficiency.forecast import Scenario, project
    from stars.domain.sufficiency.rolling import carried_projection
    from stars.domain.sufficiency.trust import Carry

    m = _merged(0.04, 3)
    model = rolling_backtests(m.episodes, m.headers, origins=[2024]).models[2024]
    costs = {g: Decimal(700) for g in model.groups}
    raw = project(model, 2, weekly_costs=costs)
    none = carried_projection(
        raw, {g: Carry(0.0, 1.0, 5) for g in model.groups}, weekly_costs=costs
    )
    full = carried_projection(
        raw, {g: Carry(1.0, 1.0, 5) for g in model.groups}, weekly_costs=costs
    )
    for y_none, y_full, y_raw in zip(none.years, full.years, raw.years, strict=True):
        assert y_none.by_group == {g: float(v) for g, v in raw.stock_by_group.items()}
        assert all(abs(y_full.by_group[g] - y_raw.by_group[g]) < 1e-9 for g in model.groups)
        assert abs(y_full.cost_total - y_raw.cost_total) <= Decimal("0.01") * len(model.groups)
        assert y_none.total_lower <= y_none.total <= y_none.total_upper
    # a scenario keeps its own effect on top of the carried baseline
    fewer = Scenario("fewer", entry_multipliers={"external residential": 0.5})
    alt = carried_projection(
        project(model, 2, scenario=fewer),
        {g: Carry(0.0, 1.0, 5) for g in model.groups},
        baseline=raw,
    )
    g = "external residential"
    effect = project(model, 2, scenario=fewer).years[-1].by_group[g] - raw.years[-1].by_group[g]
    assert abs(alt.years[-1].by_group[g] - (raw.stock_by_group[g] + effect)) < 1e-9


def test_the_carried_projection_brings_the_groups_to_the_totals_combination():
    import pytest

    from stars.domain.sufficiency.forecast import project
    from stars.domain.sufficiency.rolling import carried_projection
    from stars.domain.sufficiency.trust import Carry

    m = _merged(0.04, 3)
    r = rolling_backtests(m.episodes, m.headers)
    model = r.models[2024]
    raw = project(model, 4)
    damped = r.reverting_totals(2024, 4)
    # the live points hold the same total reverting to its trend, 1-3 years ahead
    live = {p.horizon: p.fourth for p in r.at(2024) if p.group == TOTAL}
    assert all(abs(damped[h - 1] - live[h]) < 1e-9 for h in (1, 2, 3))
    # the total all its fourth forecast, the groups "no change": moved together to it
    carry = {g: Carry(0.0, 1.0, 5) for g in model.groups}
    carry[TOTAL] = Carry(0.0, 1.0, 5, trend=0.0, damped=1.0)
    out = carried_projection(raw, carry, reverting_totals=damped)
    now = {g: float(v) for g, v in raw.stock_by_group.items()}
    for y, d in zip(out.years, damped, strict=True):
        assert abs(y.total - d) < 1e-6
        for g in model.groups:  # each by its share of the children now
            assert abs(y.by_group[g] - now[g] * d / sum(now.values())) < 1e-6
    with pytest.raises(ValueError, match="reverting to its trend"):
        carried_projection(raw, carry, reverting_totals=damped[:2])
    # shared out by the model's shares instead: each group the damped total times its share
    carry[TOTAL] = Carry(0.0, 1.0, 5, trend=0.0, damped=1.0, composition=(0.0, 0.0, 1.0))
    out = carried_projection(raw, carry, reverting_totals=damped)
    for y, m, d in zip(out.years, raw.years, damped, strict=True):
        assert abs(y.total - d) < 1e-6
        for g in model.groups:
            assert abs(y.by_group[g] - m.by_group[g] * d / m.total) < 1e-6


@settings(max_examples=40, deadline=None)
@given(group_history, st.integers(-20, 20))
def test_the_groups_shown_add_up_to_the_totals_own_combination(history, drift):
    groups = ["a", "b", "c"]
    pts = _backtests(groups, history, lambda now, model: max(0, int(now + drift)))
    carry = calibrate([p for p in pts if p.target <= 2020], groups)
    live = _ordered([p for p in pts if p.origin == 2020])
    shown = forecast(live, carry)
    for h in (1, 2, 3):
        at = {f.group: f.expected for f in shown if f.horizon == h}
        total = next(p for p in live if p.group == TOTAL and p.horizon == h)
        own = carry[TOTAL].carried(total.now, total.steady, total.model, total.damped)
        assert abs(at[TOTAL] - own) < 1e-6 * max(1.0, own)  # the total's own combination
        assert abs(sum(at[g] for g in groups) - at[TOTAL]) < 1e-6 * max(1.0, own)
