"""The stock-and-flow forecast: worked properties, scenarios and the backtest."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from functools import lru_cache

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from stars.demo.ssda903 import SyntheticConfig, generate, render_return
from stars.domain.sufficiency.backtest import backtest
from stars.domain.sufficiency.codes import PLACEMENT_GROUPS
from stars.domain.sufficiency.figures import with_date_of_birth
from stars.domain.sufficiency.forecast import (
    Redirect,
    Scenario,
    StepDown,
    censor,
    daily_matrix,
    fit_model,
    project,
)
from stars.domain.sufficiency.ssda903 import merge_returns, parse_episodes, parse_header

REF = date(2019, 3, 31)


@lru_cache(maxsize=4)
def _merged(growth: float = 0.04, seed: int = 4, scale: float = 1.0):
    cfg = SyntheticConfig(seed=seed, growth=growth, scale=scale, first_year=2016, burn_in_years=10)
    data = generate(cfg)
    eps, hds = [], []
    for y in range(2016, 2021):
        h, e = render_return(data, y)
        eps.append(parse_episodes(f"e{y}.csv", e, y))
        hds.append(parse_header(f"h{y}.csv", h, y))
    return merge_returns(eps, hds)


@lru_cache(maxsize=2)
def _model():
    m = _merged()
    return fit_model(m.episodes, m.headers, REF)


def test_fit_shapes_and_stock():
    model = _model()
    # 5 age bands x every placement group + out of care
    assert len(model.rates) == model.n + 1 == 5 * len(PLACEMENT_GROUPS) + 1
    assert sum(model.stock) > 300
    assert all(r >= 0 for row in model.rates for r in row)
    assert sum(model.entries_per_year) > 100


def test_daily_matrix_is_stochastic():
    p = daily_matrix(_model().rates)
    for row in p:
        assert abs(sum(row) - 1.0) < 1e-9
        assert min(row) >= -1e-12


@settings(max_examples=5, deadline=None)
@given(mult=st.floats(0.0, 3.0), years=st.integers(1, 5))
def test_projection_is_non_negative_and_zero_entries_never_grow(mult, years):
    model = _model()
    scenario = Scenario("m", entry_multipliers={g: mult for g in model.groups})
    proj = project(model, years, scenario=scenario)
    previous = float(sum(model.stock))
    for y in proj.years:
        assert y.total >= 0
        assert all(v >= 0 for v in y.by_group.values())
        assert y.total_lower <= y.total <= y.total_upper
        assert abs(sum(y.by_group.values()) - y.total) < 1e-6
        if mult == 0.0:
            assert y.total <= previous + 1e-9
            previous = y.total


def test_entry_scenario_lowers_residential():
    model = _model()
    base = project(model, 3).years[-1]
    fewer = project(
        model, 3, scenario=Scenario("fewer", entry_multipliers={"external residential": 0.5})
    ).years[-1]
    assert fewer.by_group["external residential"] < base.by_group["external residential"]


def test_redirect_and_step_down_move_children_between_groups():
    model = _model()
    base = project(model, 2).years[-1]
    moved = project(
        model,
        2,
        scenario=Scenario(
            "step down",
            redirects=(Redirect("external residential", "in-house fostering", 0.5),),
            step_downs=(StepDown("external residential", "in-house fostering", 0.3),),
        ),
    ).years[-1]
    assert moved.by_group["external residential"] < base.by_group["external residential"]
    assert moved.by_group["in-house fostering"] > base.by_group["in-house fostering"]


def test_cost_is_decimal_days_times_weekly_over_seven():
    model = _model()
    costs = {"in-house fostering": Decimal("350"), "external residential": Decimal("4200")}
    y = project(model, 1, weekly_costs=costs).years[0]
    assert set(y.cost_by_group) == set(costs)
    assert all(isinstance(v, Decimal) for v in y.cost_by_group.values())
    days = Decimal(str(round(y.days_by_group["in-house fostering"], 2)))
    assert y.cost_by_group["in-house fostering"] == days * Decimal(350) / Decimal(7)
    assert y.cost_total == sum(y.cost_by_group.values())


def test_backtest_of_steady_state_synthetic_data_is_close():
    m = _merged(growth=0.0, seed=11, scale=4.0)
    bt = backtest(m.episodes, m.headers, 2020)
    total = bt.row("total")
    assert total.actual > 1000
    assert abs(total.error) / total.actual < 0.05
    assert total.naive == bt.row("total").naive
    assert len(bt.rows) == len(_model().groups) + 1


@settings(max_examples=5, deadline=None)
@given(growth=st.floats(0.8, 1.25), years=st.integers(1, 4))
def test_the_level_is_the_projection_with_entries_held_at_the_window_average(growth, years):
    # the forecast carries the model's own flows apart from its entry trend; the level it
    # reports must be exactly what the model projects with no entry trend
    model = replace(_model(), entry_growth=growth)
    trended = project(model, years)
    held = project(replace(model, entry_growth=1.0), years)
    for t, h in zip(trended.years, held.years, strict=True):
        for g in model.groups:
            assert abs(t.level_by_group[g] - h.by_group[g]) < 1e-6 * max(1.0, h.by_group[g])
            assert abs(h.level_by_group[g] - h.by_group[g]) < 1e-9 * max(1.0, h.by_group[g])


_CHILD_IDS = st.sampled_from(["A", "B", "B1", "C", None])
_SOME_DAYS = st.sampled_from([date(2010, 1, 1), date(2020, 6, 1), date(2021, 3, 31), None])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(_CHILD_IDS, _SOME_DAYS, _SOME_DAYS)),
    st.lists(st.tuples(_CHILD_IDS, _SOME_DAYS)),
    st.booleans(),
    st.booleans(),
)
def test_dates_of_birth_found_as_a_left_join_finds_them(
    episode_rows: list[tuple[str | None, date | None, date | None]],
    header_rows: list[tuple[str | None, date | None]],
    merged_headers: bool,
    numbered: bool,
):
    episodes = pl.DataFrame(
        episode_rows, schema={"CHILD": pl.String, "DECOM": pl.Date, "DEC": pl.Date}, orient="row"
    )
    headers = pl.DataFrame(header_rows, schema={"CHILD": pl.String, "DOB": pl.Date}, orient="row")
    if merged_headers:  # one row per child, in order, as merged returns have them
        headers = headers.drop_nulls("CHILD").unique("CHILD", keep="last").sort("CHILD")
    if numbered:  # ids as numbers, as the forecast reads them
        ids = pl.concat([episodes["CHILD"], headers["CHILD"]]).drop_nulls().unique().sort()
        episodes = episodes.with_columns(ids.search_sorted(episodes["CHILD"]).alias("CHILD"))
        headers = headers.with_columns(ids.search_sorted(headers["CHILD"]).alias("CHILD"))
    expected = episodes.join(headers, on="CHILD", how="left")
    got = with_date_of_birth(episodes, headers)
    assert got.sort(pl.all(), nulls_last=True).equals(expected.sort(pl.all(), nulls_last=True))
    if merged_headers:
        assert got.drop("DOB").equals(episodes)  # in the episodes' order
    on = date(2020, 12, 31)
    plainly = episodes.filter(pl.col("DECOM") <= on).with_columns(
        pl.when(pl.col("DEC") > on).then(None).otherwise(pl.col("DEC")).alias("DEC")
    )
    assert censor(episodes.with_columns(REC=pl.lit("E11")), on).drop("REC").equals(plainly)


def test_returns_shorter_than_the_window_fit_on_the_years_they_cover():
    # before the first return only the children still looked after are seen: a window
    # reaching back there counted too few entries and exits (one year of flat returns
    # projected entries growing 22% a year and twice the children in three years)
    cfg = SyntheticConfig(seed=4, growth=0.0, first_year=2014, burn_in_years=10)
    data = generate(cfg)
    rendered = {y: render_return(data, y) for y in range(2014, 2020)}

    def fitted(first: int):
        eps = [parse_episodes(f"e{y}.csv", rendered[y][1], y) for y in range(first, 2020)]
        hds = [parse_header(f"h{y}.csv", rendered[y][0], y) for y in range(first, 2020)]
        m = merge_returns(eps, hds)
        return fit_model(m.episodes, m.headers, REF)

    every = fitted(2014)
    for first, years in ((2019, 1), (2018, 2), (2017, 3)):
        model = fitted(first)
        assert model.window_years == years
        assert model.window_start == date(2019 - years, 4, 1)
        assert model.stock == every.stock
    one = fitted(2019)
    assert one.entry_growth == 1.0  # one year: no trend to fit
    ahead = project(one, 3).years[-1].total
    assert abs(ahead - project(every, 3).years[-1].total) < 0.05 * sum(every.stock)
