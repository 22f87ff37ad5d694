"""Entries into care in the placement forecast: the window's average and the average over
every known year, weighed by one weight of the evidence of a trend (which also shrinks the
trend)."""

from __future__ import annotations

import math
from datetime import date, timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from stars.domain.sufficiency.figures import with_periods, without_short_breaks
from stars.domain.sufficiency.forecast import fit_model, known_years
from stars.domain.sufficiency.forecast_rates import EntryFit, entry_fit, trend_weight
from tests.domain.test_forecast import _merged

YEARLY = st.lists(st.integers(20, 5000), min_size=3, max_size=12)


def test_worked_example_a_flat_history_leans_on_the_long_average():
    yearly = [210, 205, 200, 190, 195, 200]  # six known years, the window the last three
    # the log-linear trend by least squares weighted by the counts, by hand
    total = 1200.0
    mx = (205 + 2 * 200 + 3 * 190 + 4 * 195 + 5 * 200) / total  # 2.4625
    my = sum(c * math.log(c) for c in yearly) / total
    sxx = sum(c * (x - mx) ** 2 for x, c in enumerate(yearly))
    slope = sum(c * (x - mx) * (math.log(c) - my) for x, c in enumerate(yearly)) / sxx
    t2 = slope**2 * sxx  # about 0.65: well within the noise
    weight = 1.0 / (1.0 + math.exp(1.0 - t2 / 2.0))
    fit = entry_fit(yearly, 3)
    assert round(slope, 4) == -0.0128
    assert round(weight, 3) == 0.330
    assert fit.years == 6
    assert math.isclose(fit.weight, weight, rel_tol=1e-12)
    assert math.isclose(fit.growth, math.exp(weight * slope), rel_tol=1e-12)
    # window 195 a year, long 200: a third of the way to the window
    assert math.isclose(fit.level(195.0, 200.0), 200.0 - 5.0 * weight, rel_tol=1e-12)
    assert round(fit.level(195.0, 200.0), 2) == 198.35


def test_worked_example_a_strong_trend_keeps_the_window_and_the_trend():
    yearly = [100, 110, 121, 133, 146, 161]  # about +10% a year
    fit = entry_fit(yearly, 3)
    assert fit.weight > 0.999
    assert abs(fit.growth - 1.0997) < 1e-4
    assert abs(fit.level(146.7, 128.5) - 146.7) < 0.01


def test_only_the_window_known_or_no_trend_to_fit():
    # the window's years only: the level is the window's (it is also the long one)
    assert entry_fit([200, 210, 190], 3).weight == 1.0
    # an empty year: no trend is fitted, entries the window's average as they come
    assert entry_fit([0, 200, 210, 190], 3) == EntryFit(years=4)
    assert trend_weight([200]) is None


@settings(max_examples=200, deadline=None)
@given(yearly=YEARLY, window=st.integers(2, 4))
def test_the_level_lies_between_the_window_and_the_long_average(yearly, window):
    window = min(window, len(yearly))
    fit = entry_fit(yearly, window)
    recent = sum(yearly[-window:]) / window
    long = sum(yearly) / len(yearly)
    level = fit.level(recent, long)
    assert 0.0 <= fit.weight <= 1.0
    assert min(recent, long) - 1e-9 <= level <= max(recent, long) + 1e-9
    # the trend is shrunk by the same weight: growth between none and the fitted slope's
    fitted = trend_weight(yearly)
    assert fitted is not None
    slope, _ = fitted
    assert 0.8 <= fit.growth <= 1.25
    assert min(1.0, math.exp(slope)) - 1e-12 <= fit.growth <= max(1.0, math.exp(slope)) + 1e-12


@settings(max_examples=100, deadline=None)
@given(
    start=st.integers(2000, 20000),
    rate=st.floats(0.05, 0.2) | st.floats(-0.2, -0.05),
    years=st.integers(6, 12),
)
def test_with_a_strong_trend_the_level_is_the_windows(start, rate, years):
    yearly = [round(start * math.exp(rate * k)) for k in range(years)]
    fit = entry_fit(yearly, 3)
    recent = sum(yearly[-3:]) / 3
    assert fit.weight > 0.999
    assert abs(fit.level(recent, sum(yearly) / years) - recent) < 1e-3 * recent
    assert abs(math.log(fit.growth) - rate) < 0.01


@settings(max_examples=100, deadline=None)
@given(count=st.integers(1, 5000), years=st.integers(3, 12), window=st.integers(2, 3))
def test_with_constant_entries_the_level_is_the_long_average_and_nothing_grows(
    count, years, window
):
    fit = entry_fit([count] * years, window)
    assert fit.growth == 1.0
    assert math.isclose(fit.level(float(count), float(count)), count, rel_tol=1e-12)
    # a window a little above the long average moves the level less than the weight allows
    assert fit.level(count + 10.0, float(count)) <= count + 10.0 * fit.weight + 1e-9
    if years > window:
        assert fit.weight < 0.3  # no evidence of a trend: mostly the long average


# --- the fit on returns: every known year, never the years before the returns ------------


def _starts(episodes: pl.DataFrame, first: date, last: date) -> int:
    periods = with_periods(without_short_breaks(episodes))
    return periods.filter(pl.col("STARTS_PERIOD") & pl.col("DECOM").is_between(first, last)).height


def test_known_years_from_the_first_collection_year():
    assert known_years(date(2021, 3, 31), 3, date(2015, 4, 1)) == 6
    assert known_years(date(2021, 3, 31), 3, date(2015, 4, 2)) == 5
    assert known_years(date(2017, 3, 31), 3, date(2015, 4, 1)) == 3  # at least the window
    assert known_years(date(2021, 3, 31), 3, None) == 3


def test_fit_blends_the_window_and_every_known_year():
    m = _merged(growth=0.0, seed=7)  # five years of returns with no growth in entries
    ref = date(2020, 3, 31)
    model = fit_model(m.episodes, m.headers, ref)  # returns from 1 April 2015: five years
    assert model.entry_years == 5
    assert 0.0 < model.entry_weight < 1.0
    w0 = date(2017, 4, 1)
    window_days = (ref - w0).days + 1
    long_days = (ref - date(2015, 4, 1)).days + 1
    window_mean = _starts(m.episodes, w0, ref) * 365 / window_days
    long_mean = _starts(m.episodes, date(2015, 4, 1), ref) * 365 / long_days
    expected = model.entry_weight * window_mean + (1 - model.entry_weight) * long_mean
    assert abs(sum(model.entries_per_year) - expected) < 1e-6 * expected


def test_fit_never_counts_entries_before_the_returns_begin():
    m = _merged(growth=0.0, seed=7)  # five years of returns with no growth in entries
    ref = date(2020, 3, 31)
    # told the returns begin in April 2017, the level is the window's alone (the years
    # before are not counted, whatever the episodes hold)
    late = fit_model(m.episodes, m.headers, ref, history_start=date(2017, 4, 1))
    assert late.entry_years == 3
    window_mean = _starts(m.episodes, date(2017, 4, 1), ref) * 365 / (3 * 365 + 1)
    assert abs(sum(late.entries_per_year) - window_mean) < 1e-6 * window_mean
    # without the returns' years, the same: only the window is known
    bare = fit_model(m.episodes.drop("YEAR"), m.headers, ref)
    assert bare.entry_years == 3
    assert bare.entries_per_year == late.entries_per_year
    # the collection year of the first return sets the start, not the earliest episode
    # (children in care when the returns begin started before them)
    earliest = m.episodes.get_column("DECOM").min()
    assert isinstance(earliest, date) and earliest < date(2015, 4, 1) - timedelta(days=365)
    whole = fit_model(m.episodes, m.headers, ref)
    assert whole.entry_years == 5
    assert whole.entries_per_year != late.entries_per_year
