"""Sufficiency figures: a hand-computed year, and properties on synthetic data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from stars.demo.ssda903 import SyntheticConfig, generate, render_return
from stars.domain.sufficiency.codes import PLACEMENT_GROUPS
from stars.domain.sufficiency.figures import (
    days_in_year,
    in_child_order,
    looked_after_on,
    sufficiency_year,
    sufficiency_years,
    with_periods,
    without_short_breaks,
)
from stars.domain.sufficiency.ssda903 import merge_returns, parse_episodes, parse_header

EP_HEAD = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,"
    "HOME_POST,PL_POST,URN\n"
)
EPISODES_2020 = EP_HEAD + (
    "A,01/06/2018,S,C2,N1,U4,PR1,10/05/2019,X1,,,,\n"  # in-house fostering 39 nights in year
    "A,10/05/2019,P,C2,N1,K2,PR4,,,CARPL,,,\n"  # external residential 327 nights
    "B,15/04/2019,S,C1,N1,U1,PR1,20/02/2020,E4A,,,,\n"  # kinship 311 nights; starts and ends
    "C,01/09/2019,S,V3,N2,U4,PR4,03/09/2019,E8,,,,\n"  # short break: left out everywhere
    "D,01/01/2020,S,V2,N4,U6,PR4,,,,,,\n"  # agency fostering 91 nights (2020 is a leap year)
)
HEADERS = (
    "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
    "A,1,01/01/2005,WBRI,,,\nB,2,01/01/2010,WBRI,,,\n"
    "C,1,01/01/2012,WBRI,,,\nD,2,02/04/2019,WBRI,,,\n"
)
COSTS = {
    "in-house fostering": Decimal("350"),
    "external residential": Decimal("4200"),
    "kinship fostering": Decimal("210"),
    "agency fostering": Decimal("840"),
}


def _merged():
    e = parse_episodes("episodes2020.csv", EPISODES_2020, 2020)
    h = parse_header("header2020.csv", HEADERS, 2020)
    assert e.errors == () and h.errors == ()
    return merge_returns([e], [h])


def test_worked_year():
    m = _merged()
    f = sufficiency_year(m.episodes, m.headers, 2020, population=200, weekly_costs=COSTS)
    assert f.looked_after == 2  # A (external residential) and D (agency fostering)
    assert f.starters == 2  # B and D; C is a short break
    assert f.ceasers == 1  # B
    assert f.net_change == 1
    assert f.rate_per_10k == Decimal("100.0")  # 2 / 200 * 10,000
    assert f.placement_mix["external residential"] == 1
    assert f.placement_mix["agency fostering"] == 1
    assert sum(f.placement_mix.values()) == 2
    assert f.legal_status_mix == {"C2": 1, "V2": 1}
    assert f.ceased_reasons == {"E4A": 1}
    assert f.age_profile == {"0-1": 1, "1-5": 0, "5-10": 0, "10-16": 1, "16+": 0}
    assert f.three_plus_placements == 0
    assert f.days_by_group["in-house fostering"] == 39
    assert f.days_by_group["external residential"] == 327
    assert f.days_by_group["kinship fostering"] == 311
    assert f.days_by_group["agency fostering"] == 91
    assert f.spend_by_group["in-house fostering"] == Decimal("1950")
    assert f.spend_by_group["external residential"] == Decimal("196200")
    assert f.spend_by_group["kinship fostering"] == Decimal("9330")
    assert f.spend_by_group["agency fostering"] == Decimal("10920")
    assert f.spend_total == Decimal("218400")


def test_short_break_child_is_never_counted():
    m = _merged()
    assert "C" not in looked_after_on(m.episodes, date(2019, 9, 2)).get_column("CHILD").to_list()


def test_three_placements_in_the_year():
    text = EP_HEAD + (
        "A,01/06/2018,S,C2,N1,U4,PR1,10/05/2019,X1,,,,\n"
        "A,10/05/2019,P,C2,N1,K2,PR4,01/08/2019,X1,,,,\n"
        "A,01/08/2019,L,C2,N1,K2,PR4,01/09/2019,X1,,,,\n"  # legal status only: same placement
        "A,01/09/2019,P,C2,N1,U6,PR4,,,CARPL,,,\n"
    )
    e = parse_episodes("e.csv", text, 2020)
    h = parse_header("h.csv", HEADERS, 2020)
    m = merge_returns([e], [h])
    f = sufficiency_year(m.episodes, m.headers, 2020)
    assert f.three_plus_placements == 1
    assert f.three_plus_share == Decimal("1.0000")


def _synthetic(seed: int, scale: float):
    data = generate(SyntheticConfig(seed=seed, scale=scale, first_year=2018, burn_in_years=6))
    eps, hds = [], []
    for y in (2018, 2019, 2020):
        h, e = render_return(data, y)
        eps.append(parse_episodes(f"e{y}.csv", e, y))
        hds.append(parse_header(f"h{y}.csv", h, y))
    assert all(not p.errors for p in eps + hds)
    return merge_returns(eps, hds)


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000), day=st.integers(0, 700))
def test_every_child_looked_after_is_in_exactly_one_group(seed, day):
    m = _synthetic(seed, 0.2)
    on = date(2018, 4, 1).fromordinal(date(2018, 4, 1).toordinal() + day)
    cla = looked_after_on(m.episodes, on)
    assert cla.get_column("CHILD").n_unique() == cla.height  # one episode per child
    assert set(cla.get_column("GROUP").to_list()) <= set(PLACEMENT_GROUPS)


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_figures_add_up(seed):
    m = _synthetic(seed, 0.2)
    for f in sufficiency_years(m.episodes, m.headers, [2019, 2020]):
        assert sum(f.placement_mix.values()) == f.looked_after
        assert sum(f.age_profile.values()) == f.looked_after
        assert sum(f.legal_status_mix.values()) == f.looked_after
        assert "V3" not in f.legal_status_mix and "V4" not in f.legal_status_mix
        assert 0 <= f.three_plus_placements <= f.looked_after


def test_stock_flow_identity_on_synthetic_data():
    """CLA(T) - CLA(T-1) equals starts - ends of periods in the year (children who start and
    leave twice in a year aside, which the synthetic data does not produce)."""
    m = _synthetic(3, 1.0)
    f19, f20 = sufficiency_years(m.episodes, m.headers, [2019, 2020])
    assert f20.looked_after - f19.looked_after == f20.net_change
    assert isinstance(m.episodes, pl.DataFrame)


_IDS = st.sampled_from(["A", "B", "B1", "C", None])
_DAYS = st.sampled_from([date(2020, 1, 1), date(2020, 6, 1), date(2021, 3, 31), None])


@st.composite
def _episode_rows(draw: st.DrawFn) -> pl.DataFrame:
    rows = draw(st.lists(st.tuples(_IDS, _DAYS, _DAYS, st.sampled_from(["C2", "V3", None]))))
    frame = pl.DataFrame(
        rows,
        schema={"CHILD": pl.String, "DECOM": pl.Date, "DEC": pl.Date, "LS": pl.String},
        orient="row",
    )
    if draw(st.booleans()):  # the merged history's own order
        frame = frame.sort("CHILD", "DECOM")
    if draw(st.booleans()):  # ids numbered, as the forecast and dashboard read them
        frame = frame.with_columns(pl.col("CHILD").rank("dense").cast(pl.UInt32))
    return frame


@settings(max_examples=200, deadline=None)
@given(_episode_rows())
def test_rows_already_in_order_are_not_sorted_again(frame: pl.DataFrame):
    if in_child_order(frame):
        assert frame.equals(frame.sort("CHILD", "DECOM"))
        assert frame.select(pl.struct("CHILD", "DECOM").is_unique().all()).item()
    unique = frame.unique(["CHILD", "DECOM"], keep="first", maintain_order=True)
    assert with_periods(unique.drop_nulls(["CHILD", "DECOM"])).equals(
        with_periods(unique.drop_nulls(["CHILD", "DECOM"]).reverse())
    )
    if frame.height and frame.select(pl.col("CHILD", "DECOM").is_not_null().all()).row(0) == (
        True,
        True,
    ):
        assert in_child_order(unique) == unique.equals(unique.sort("CHILD", "DECOM"))
    shorts = frame.filter(~pl.col("LS").is_in(["V3", "V4"]).fill_null(True))
    assert without_short_breaks(frame).equals(shorts)


@settings(max_examples=200, deadline=None)
@given(_episode_rows(), st.lists(st.sampled_from([*PLACEMENT_GROUPS, "other code", None])))
def test_nights_in_the_year_counted_from_the_episodes_in_it(
    frame: pl.DataFrame, groups: list[str | None]
):
    frame = frame.with_columns(
        pl.Series("GROUP", (groups * frame.height)[: frame.height] or [None] * frame.height)
    )
    for year in (2020, 2021):
        start, stop = date(year - 1, 4, 1), date(year, 4, 1)
        every_row = without_short_breaks(frame).select(
            "GROUP",
            (
                pl.min_horizontal(pl.col("DEC").fill_null(stop), pl.lit(stop))
                - pl.max_horizontal(pl.col("DECOM"), pl.lit(start))
            )
            .dt.total_days()
            .clip(lower_bound=0)
            .alias("DAYS"),
        )
        expected = {g: 0 for g in PLACEMENT_GROUPS}
        for group, days in every_row.group_by("GROUP").agg(pl.col("DAYS").sum()).iter_rows():
            expected[str(group)] = expected.get(str(group), 0) + int(days)
        assert days_in_year(frame, year) == expected
