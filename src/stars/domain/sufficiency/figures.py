"""Placement sufficiency figures from merged SSDA903 episodes and headers.

Years are collection years: ``2020`` is 1 April 2019 to 31 March 2020 and its snapshot date
is 31 March 2020. Conventions (DfE's where it publishes one):

* looked after at 31 March: an episode with DECOM on or before the date and DEC blank or
  after it; short-break legal statuses V3/V4 are excluded throughout (counts, starts, ends,
  stability, spend);
* a period of care starts with a child's first episode or one whose DECOM is not its
  previous episode's DEC; it ends with an episode that has a DEC and no episode starting that
  day. Starters and ceasers are distinct children with a start / end in the year;
* rate per 10,000 = looked after at 31 March / child population under 18 x 10,000 (one place);
* placements in the year: episodes overlapping the year that began a new placement (RNE
  other than "L"), plus the placement the child was in on 1 April; stability counts children
  looked after at 31 March with three or more;
* days in a group are nights in care: DECOM inclusive, DEC exclusive, clipped to the year;
  spend = days x weekly cost / 7, exact ``Decimal`` (round only for display).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import polars as pl

from stars.domain.sufficiency.codes import NEW_PLACEMENT_RNE, PLACEMENT_GROUPS, SHORT_BREAK_LS
from stars.domain.sufficiency.ssda903 import year_end, year_start

AGE_BANDS: tuple[str, ...] = ("0-1", "1-5", "5-10", "10-16", "16+")
AGE_BAND_LOWER: tuple[int, ...] = (0, 1, 5, 10, 16)
ZERO = Decimal(0)


@dataclass(frozen=True)
class SufficiencyYear:
    """The dashboard figures of one collection year (snapshot at its 31 March)."""

    year: int
    on: date
    looked_after: int
    rate_per_10k: Decimal | None
    starters: int
    ceasers: int
    net_change: int
    placement_mix: dict[str, int]
    legal_status_mix: dict[str, int]
    ceased_reasons: dict[str, int]
    age_profile: dict[str, int]
    three_plus_placements: int
    three_plus_share: Decimal | None
    days_by_group: dict[str, int]
    spend_by_group: dict[str, Decimal] = field(default_factory=dict)
    spend_total: Decimal = ZERO


# --- building blocks --------------------------------------------------------------------------


def without_short_breaks(episodes: pl.DataFrame) -> pl.DataFrame:
    """Episodes other than short breaks (legal status V3/V4; a blank LS is left out too):
    the frame itself when there is nothing to leave out, as in the figures' working frames
    once short breaks are left out (filtering would copy a national history each time)."""
    short = pl.col("LS").is_in(sorted(SHORT_BREAK_LS)).fill_null(True)
    if not episodes.select(short.any()).item():
        return episodes
    return episodes.filter(~short)


def in_child_order(episodes: pl.DataFrame) -> bool:
    """Whether the rows are in order of CHILD then DECOM already, none blank and no two with
    both alike: sorting them would give them back as they are. The merged returns come so
    (``merge_returns``), and sorting a national history again costs a copy of every row.
    Only for ids as strings or numbers (the order compared is the order sorted)."""
    if episodes.schema["DECOM"] != pl.Date or not (
        episodes.schema["CHILD"] == pl.String or episodes.schema["CHILD"].is_integer()
    ):
        return False
    child, decom = pl.col("CHILD"), pl.col("DECOM")
    later = (child > child.shift(1)) | ((child == child.shift(1)) & (decom > decom.shift(1)))
    return bool(
        episodes.select(
            later.slice(1).all() & child.is_not_null().all() & decom.is_not_null().all()
        ).item()
    )


def with_date_of_birth(episodes: pl.DataFrame, headers: pl.DataFrame) -> pl.DataFrame:
    """``episodes`` with each child's DOB from ``headers`` (null if none), as a left join
    gives it. Merged headers come one row per child in order of CHILD: each child's row is
    then found by a binary search, without the join's copy of every episode row."""
    ids = headers.get_column("CHILD")
    dtype = ids.dtype
    if not (
        episodes.schema["CHILD"] == dtype
        and (dtype == pl.String or dtype.is_integer())
        and headers.height
        and headers.select(
            pl.col("CHILD").is_not_null().all()
            & (pl.col("CHILD") > pl.col("CHILD").shift(1)).slice(1).all()
        ).item()
    ):
        return episodes.join(headers.select("CHILD", "DOB"), on="CHILD", how="left")
    at = ids.search_sorted(episodes.get_column("CHILD")).clip(upper_bound=headers.height - 1)
    found = ids.gather(at) == episodes.get_column("CHILD")
    dob = headers.get_column("DOB").gather(at)
    return episodes.with_columns(pl.when(found).then(dob).alias("DOB"))


def with_periods(episodes: pl.DataFrame) -> pl.DataFrame:
    """Add ``STARTS_PERIOD`` and ``ENDS_PERIOD`` (contiguity of a child's episodes)."""
    same_prev = (pl.col("CHILD").shift(1) == pl.col("CHILD")).fill_null(False)
    same_next = (pl.col("CHILD").shift(-1) == pl.col("CHILD")).fill_null(False)
    prev_dec = pl.when(same_prev).then(pl.col("DEC").shift(1))
    next_decom = pl.when(same_next).then(pl.col("DECOM").shift(-1))
    ordered = episodes if in_child_order(episodes) else episodes.sort("CHILD", "DECOM")
    return ordered.with_columns(
        (prev_dec.is_null() | (prev_dec != pl.col("DECOM"))).alias("STARTS_PERIOD"),
        (
            pl.col("DEC").is_not_null() & (next_decom.is_null() | (next_decom != pl.col("DEC")))
        ).alias("ENDS_PERIOD"),
    )


def age_on(dob: pl.Expr, on: date) -> pl.Expr:
    """Whole years of age on ``on`` (a birthday counts from the day itself)."""
    before_birthday = (dob.dt.month().cast(pl.Int32) * 100 + dob.dt.day().cast(pl.Int32)) > (
        on.month * 100 + on.day
    )
    return (pl.lit(on.year) - dob.dt.year().cast(pl.Int32) - before_birthday.cast(pl.Int32)).alias(
        "AGE"
    )


def age_band(age: pl.Expr) -> pl.Expr:
    """The age band label of whole-years ``age``."""
    expr: pl.Expr = pl.lit(AGE_BANDS[-1])
    pairs = list(zip(AGE_BAND_LOWER[1:], AGE_BANDS[:-1], strict=True))
    for lower, label in reversed(pairs):
        expr = pl.when(age < lower).then(pl.lit(label)).otherwise(expr)
    return expr


def looked_after_on(episodes: pl.DataFrame, on: date) -> pl.DataFrame:
    """The episode each child looked after on ``on`` is in (short breaks excluded)."""
    return without_short_breaks(episodes).filter(
        (pl.col("DECOM") <= on) & (pl.col("DEC").is_null() | (pl.col("DEC") > on))
    )


def _counts(frame: pl.DataFrame, column: str, keys: Iterable[str] = ()) -> dict[str, int]:
    out = {k: 0 for k in keys}
    for key, n in frame.group_by(column).len().sort(column, nulls_last=True).iter_rows():
        out[str(key) if key is not None else "(blank)"] = int(n)
    return out


def days_in_year(episodes: pl.DataFrame, collection_year: int) -> dict[str, int]:
    """Nights in care in each placement group during the year (short breaks excluded)."""
    start = year_start(collection_year)
    stop = year_end(collection_year) + timedelta(days=1)
    rows = without_short_breaks(episodes)
    # an episode that ends by the year's start or starts after its end has no night in it:
    # left out before the nights are worked out (the columns of every row of a national
    # history, for each year, took tens of MiB)
    outside = (pl.col("DECOM") >= stop).fill_null(False) | (pl.col("DEC") <= start).fill_null(False)
    clipped = (
        rows.select("GROUP", "DECOM", "DEC")
        .filter(~outside)
        .select(
            "GROUP",
            (
                pl.min_horizontal(pl.col("DEC").fill_null(stop), pl.lit(stop))
                - pl.max_horizontal(pl.col("DECOM"), pl.lit(start))
            )
            .dt.total_days()
            .clip(lower_bound=0)
            .alias("DAYS"),
        )
    )
    out = {g: 0 for g in PLACEMENT_GROUPS}
    for group, days in clipped.group_by("GROUP").agg(pl.col("DAYS").sum()).iter_rows():
        out[str(group)] = out.get(str(group), 0) + int(days)
    for group in rows.get_column("GROUP").unique().to_list():  # a group with no night: 0
        out.setdefault(str(group), 0)
    return out


def spend(
    days_by_group: Mapping[str, int], weekly_costs: Mapping[str, Decimal]
) -> dict[str, Decimal]:
    """Spend per group = days x weekly cost / 7 (groups without a cost are left out)."""
    return {
        g: Decimal(days) * weekly_costs[g] / Decimal(7)
        for g, days in days_by_group.items()
        if g in weekly_costs
    }


def placements_in_year(episodes: pl.DataFrame, collection_year: int) -> pl.DataFrame:
    """Per child, the number of placements during the year (columns CHILD, PLACEMENTS)."""
    start = year_start(collection_year)
    end = year_end(collection_year)
    overlapping = without_short_breaks(episodes).filter(
        (pl.col("DECOM") <= end) & (pl.col("DEC").is_null() | (pl.col("DEC") > start))
    )
    if not in_child_order(overlapping):
        overlapping = overlapping.sort("CHILD", "DECOM")
    first = pl.col("DECOM") == pl.col("DECOM").min().over("CHILD")
    counted = first | pl.col("RNE").is_in(sorted(NEW_PLACEMENT_RNE)).fill_null(True)
    return overlapping.group_by("CHILD").agg(counted.sum().alias("PLACEMENTS"))


def _share(numerator: int, denominator: int) -> Decimal | None:
    if denominator == 0:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_UP
    )


# --- the figures ------------------------------------------------------------------------------


def sufficiency_year(
    episodes: pl.DataFrame,
    headers: pl.DataFrame,
    collection_year: int,
    *,
    population: int | None = None,
    weekly_costs: Mapping[str, Decimal] | None = None,
) -> SufficiencyYear:
    """All dashboard figures of one collection year from merged episodes and headers."""
    return _year_of(
        with_periods(without_short_breaks(episodes)),
        headers,
        collection_year,
        population=population,
        weekly_costs=weekly_costs,
    )


def _year_of(
    core: pl.DataFrame,
    headers: pl.DataFrame,
    collection_year: int,
    *,
    population: int | None,
    weekly_costs: Mapping[str, Decimal] | None,
) -> SufficiencyYear:
    """``sufficiency_year`` from ``core``: the episodes without short breaks, with periods."""
    start, on = year_start(collection_year), year_end(collection_year)
    cla = looked_after_on(core, on)
    starters = (
        core.filter(pl.col("STARTS_PERIOD") & pl.col("DECOM").is_between(start, on))
        .get_column("CHILD")
        .n_unique()
    )
    ending = core.filter(pl.col("ENDS_PERIOD") & pl.col("DEC").is_between(start, on))
    ceasers = ending.get_column("CHILD").n_unique()
    with_age = with_date_of_birth(cla, headers).with_columns(
        age_band(age_on(pl.col("DOB"), on)).alias("BAND")
    )
    placements = placements_in_year(core, collection_year)
    three_plus = (
        cla.select("CHILD")
        .join(placements, on="CHILD", how="left")
        .filter(pl.col("PLACEMENTS") >= 3)
        .height
    )
    days = days_in_year(core, collection_year)
    costs = spend(days, weekly_costs or {})
    rate = None
    if population:
        rate = (Decimal(cla.height) * Decimal(10_000) / Decimal(population)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )
    return SufficiencyYear(
        year=collection_year,
        on=on,
        looked_after=cla.height,
        rate_per_10k=rate,
        starters=starters,
        ceasers=ceasers,
        net_change=starters - ceasers,
        placement_mix=_counts(cla, "GROUP", PLACEMENT_GROUPS),
        legal_status_mix=_counts(cla, "LS"),
        ceased_reasons=_counts(ending, "REC"),
        age_profile=_counts(with_age, "BAND", AGE_BANDS),
        three_plus_placements=three_plus,
        three_plus_share=_share(three_plus, cla.height),
        days_by_group=days,
        spend_by_group=costs,
        spend_total=sum(costs.values(), ZERO),
    )


def sufficiency_years(
    episodes: pl.DataFrame,
    headers: pl.DataFrame,
    years: Iterable[int],
    *,
    population: Mapping[int, int] | None = None,
    weekly_costs: Mapping[str, Decimal] | None = None,
) -> tuple[SufficiencyYear, ...]:
    """``sufficiency_year`` for each year (population: child population under 18 by year).
    The episodes' periods are worked out once for all the years (the same for each)."""
    population = population or {}
    core = with_periods(without_short_breaks(episodes))
    return tuple(
        _year_of(core, headers, y, population=population.get(y), weekly_costs=weekly_costs)
        for y in sorted(years)
    )
