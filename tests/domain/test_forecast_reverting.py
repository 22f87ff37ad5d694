"""The total reverting to its trend, the fourth forecast in the total's own combination: the
log-linear trend of the counts at every 31 March known (its slope as far as the evidence
goes, the counts' correlation from year to year allowed for) plus the share of children
still in care ``h`` years later times the count's distance from that trend now."""

from __future__ import annotations

import math
from dataclasses import replace
from functools import lru_cache

from hypothesis import given, settings
from hypothesis import strategies as st

from stars.domain.sufficiency.forecast_rates import log_linear, reverting
from stars.domain.sufficiency.rolling import Rolling, rolling_backtests
from stars.domain.sufficiency.trust import TOTAL, Point, total_shares
from tests.domain.test_forecast import _merged

SHARE = st.floats(0.0, 1.0)


def test_worked_example_a_council_a_little_above_a_weak_trend():
    counts = [480, 470, 490, 500, 495, 505]  # children at six 31 Marches, 505 now
    # the log-linear trend weighted by the counts: 1.2% a year, t² 1.28, through (x̄, ȳ)
    fitted = log_linear(counts)
    assert fitted is not None
    slope, t2, mx, my = fitted
    assert round(slope, 4) == 0.0122 and round(t2, 2) == 1.28
    assert round(mx, 4) == 2.5357 and round(math.exp(my), 1) == 490.1
    # three in four of the children stay a year: t² deflated by 0.25 / 1.75 to 0.18, so the
    # Akaike weight is 0.287 and the trend keeps 0.35% a year
    weight = 1.0 / (1.0 + math.exp(1.0 - t2 * 0.25 / 1.75 / 2.0))
    assert round(weight, 3) == 0.287
    kept = slope * weight
    trend_now = math.exp(my + kept * (5 - mx))  # 494.4
    trend_then = math.exp(my + kept * (7 - mx))  # 497.9, two years on
    assert round(trend_now, 1) == 494.4 and round(trend_then, 1) == 497.9
    # six in ten still in care two years on keep the count's 10.6 above the trend
    value = reverting(counts, 0.6, 0.75, 2)
    assert value is not None
    assert math.isclose(value, trend_then + 0.6 * (505 - trend_now), rel_tol=1e-12)
    assert round(value, 2) == 504.25


def test_no_trend_without_two_years_or_with_an_empty_year():
    assert reverting([500], 0.5, 0.7, 1) is None
    assert reverting([0, 500, 510], 0.5, 0.7, 1) is None


@settings(max_examples=200, deadline=None)
@given(
    count=st.integers(1, 5000),
    years=st.integers(2, 12),
    staying=SHARE,
    staying_one=st.floats(0.0, 0.99),
    horizon=st.integers(1, 5),
)
def test_flat_counts_give_no_change(count, years, staying, staying_one, horizon):
    value = reverting([count] * years, staying, staying_one, horizon)
    assert value is not None
    assert math.isclose(value, count, rel_tol=1e-9)


@settings(max_examples=200, deadline=None)
@given(
    start=st.integers(20000, 60000),
    rate=st.floats(0.05, 0.2) | st.floats(-0.2, -0.05),
    years=st.integers(6, 12),
    staying=SHARE,
    staying_one=st.floats(0.0, 0.9),
    horizon=st.integers(1, 5),
)
def test_an_exact_log_linear_series_is_followed(start, rate, years, staying, staying_one, horizon):
    # a trend many standard errors from none keeps its whole slope, and the count now is on
    # it: whatever the share staying, the forecast is the trend carried on
    counts = [start * math.exp(rate * k) for k in range(years)]
    value = reverting(counts, staying, staying_one, horizon)
    assert value is not None
    assert math.isclose(value, counts[-1] * math.exp(rate * horizon), rel_tol=1e-6)


@settings(max_examples=200, deadline=None)
@given(
    counts=st.lists(st.integers(50, 5000), min_size=2, max_size=12),
    low=SHARE,
    high=SHARE,
    staying_one=st.floats(0.0, 0.99),
    horizon=st.integers(1, 5),
)
def test_the_share_staying_moves_it_from_the_trend_towards_the_count_now(
    counts, low, high, staying_one, horizon
):
    low, high = sorted((low, high))
    at = {s: reverting(counts, s, staying_one, horizon) for s in (0.0, low, high, 1.0)}
    assert all(v is not None for v in at.values())
    # linear in the share staying: all of them staying keeps the distance from the trend
    # whole, none keeps nothing of it; in between, in between
    lo, hi = at[0.0], at[1.0]
    assert lo is not None and hi is not None
    for s in (low, high):
        v = at[s]
        assert v is not None
        assert math.isclose(v, lo + s * (hi - lo), rel_tol=1e-9, abs_tol=1e-9)


@lru_cache(maxsize=1)
def _rolling() -> Rolling:
    m = _merged(0.04, 3)
    return rolling_backtests(m.episodes, m.headers)


def test_the_shares_staying_are_shares_and_fall_with_the_years():
    r = _rolling()
    assert r.stayed
    for (t0, t1), n in r.stayed.items():
        # children in care at both 31 Marches in one period: never more than either count
        assert 0 <= n <= min(r.totals[t0], r.totals[t1])
        # in care the whole time, so fewer (or as many) stay to a later 31 March
        if (t0, t1 + 1) in r.stayed:
            assert r.stayed[(t0, t1 + 1)] <= n
    for origin in r.origins:
        shares = [r.staying(origin, h) for h in (1, 2, 3)]
        known = [s for s in shares if s is not None]
        assert all(0.0 <= s <= 1.0 for s in known)
        assert known == sorted(known, reverse=True)
    # the total's points hold the same forecast as the live one
    live = {p.horizon: p.fourth for p in r.at(max(r.origins)) if p.group == TOTAL}
    towards = r.reverting_totals(max(r.origins), 3)
    assert all(math.isclose(towards[h - 1], live[h]) for h in (1, 2, 3))


@settings(max_examples=100, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(50, 500),
            st.floats(-30, 30),
            st.floats(-30, 30),
            st.floats(-30, 30),
            st.floats(-30, 30),
            st.integers(-40, 40),
        ),
        min_size=2,
        max_size=10,
    )
)
def test_the_total_combines_the_reverting_forecast_in_place_of_the_damped_trend(rows):
    pts = [
        Point(o, 1, TOTAL, now, now + lv, 2.0, now + dm, max(0, now + a), now + lv, now + rv)
        for o, (now, lv, dm, rv, _, a) in enumerate(rows)
    ]
    w, t, d = total_shares(pts)
    # shares of the forecasts: each in [0, 1], "no change" keeping the rest
    assert 0.0 <= t <= w <= 1.0 and 0.0 <= d <= 1.0 and w + d <= 1.0 + 1e-12
    # the damped trend plays no part once the total reverting to its trend is there
    moved = [replace(p, damped=p.damped + 17.0) for p in pts]
    assert total_shares(moved) == (w, t, d)
    as_damped = [replace(p, damped=p.fourth, reverting=None) for p in pts]
    assert total_shares(as_damped) == (w, t, d)
