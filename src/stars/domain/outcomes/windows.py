"""The window rule: which days of a referral count, and the whole weeks sustained in them.

As of a date D, a referral's weeks count only inside its window ``[referral_date,
min(referral_date + programme_weeks weeks, end_date, D))``, the end exclusive, so the as-of
day itself is not counted. Each outcome period is clipped to the window; its whole weeks
are 7-day blocks from its first counted day (the last days short of a week are not
counted), so a week counts as of D once its last day is before D. Sustained weeks are the
number of those blocks over all of a referral's periods.

The rule is here twice over, in the same words: for one referral in plain Python
(``window``, ``counted_periods``, ``week_blocks``), for the explanation and the payment
designs, and for every referral at once with Polars (``window_end_days``,
``sustained_weeks``), for the engine. A property test holds the two to the same figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from stars.domain.calendar import days_counted, long_date

FAR = 2**30  # a day number beyond any date: "no end"
EPOCH = dt.date(1970, 1, 1)
WEEK = dt.timedelta(days=7)


@dataclass(frozen=True)
class Window:
    """The days of a referral that count as of a date: ``[start, end)``, and why it ends."""

    start: dt.date
    end: dt.date
    rule: str

    @property
    def counted(self) -> str:
        """The window's days in plain words (``end`` is not counted)."""
        return days_counted(self.start, self.end)


@dataclass(frozen=True)
class CountedPeriod:
    """One outcome period clipped to the referral's window."""

    start: dt.date
    end: dt.date | None
    counted_from: dt.date
    counted_until: dt.date
    days: int
    weeks: int
    rule: str

    @property
    def counted(self) -> str:
        """The days counted in plain words (``counted_until`` is not counted)."""
        return days_counted(self.counted_from, self.counted_until)

    @property
    def recorded(self) -> str:
        """The period as recorded, in plain words: its end day is the day it ended."""
        ended = f"ended on {long_date(self.end)}" if self.end else "continuing"
        return f"from {long_date(self.start)}, {ended}"


@dataclass(frozen=True, order=True)
class Week:
    """One whole sustained week: 7 days ``[start, end)``; it counts as of D once end <= D."""

    start: dt.date
    end: dt.date


def window(programme_weeks: int, start: dt.date, end: dt.date | None, as_of: dt.date) -> Window:
    """The window of a referral that started on ``start`` and ended on ``end`` (or not)."""
    horizon = start + dt.timedelta(weeks=programme_weeks)
    candidates = [(horizon, f"the end of the {programme_weeks} programme weeks")]
    if end is not None:
        candidates.append((end, "the end of support"))
    candidates.append((as_of, "the as-of date"))
    # min() keeps the first of equal dates: the programme end, then support, then as-of
    stop, why = min(candidates, key=lambda c: c[0])
    return Window(
        start, stop, f"the window stops at {why} on {long_date(stop)}; that day is not counted"
    )


def counted_periods(
    w: Window, periods: Sequence[Mapping[str, Any]], as_of: dt.date
) -> tuple[CountedPeriod, ...]:
    """Each period (mappings with ``start_date`` and ``end_date``) clipped to the window, in
    date order, with its whole weeks and the reason for them."""
    exists = w.start <= as_of
    out: list[CountedPeriod] = []
    for p in sorted(periods, key=lambda p: p["start_date"]):
        p_start: dt.date = p["start_date"]
        p_end: dt.date | None = p.get("end_date")
        frm = max(p_start, w.start)
        until = min(p_end, w.end) if p_end is not None else w.end
        days = max((until - frm).days, 0)
        weeks = days // 7
        if not exists:
            rule = "the referral does not exist yet on the as-of date"
        elif p_start > as_of:
            rule = "starts after the as-of date: not counted yet"
        elif days == 0:
            rule = "no days inside the window"
        else:
            rule = f"{days} days inside the window, {days_counted(frm, until)}: {weeks} whole weeks"
            if days % 7 == 1:
                rule += " (the last day is not a whole week)"
            elif days % 7:
                rule += f" (the last {days % 7} days are not a whole week)"
        out.append(CountedPeriod(p_start, p_end, frm, until, days, weeks, rule))
    return tuple(out)


def week_blocks(periods: Sequence[CountedPeriod]) -> tuple[Week, ...]:
    """Every whole sustained week of the counted periods, in date order."""
    blocks: list[Week] = []
    for p in periods:
        start = p.counted_from
        for _ in range(p.weeks):
            blocks.append(Week(start, start + WEEK))
            start += WEEK
    return tuple(sorted(blocks, key=lambda w: w.end))


@dataclass(frozen=True)
class Run:
    """An unbroken run of sustained days ``[start, end)``: counted periods that touch."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days


def runs(periods: Sequence[CountedPeriod]) -> tuple[Run, ...]:
    """The unbroken runs of the counted periods, in date order: periods with days inside
    the window, one joined to the next when it ends on the day the next starts (a gap of a
    day or more starts a new run)."""
    out: list[Run] = []
    for p in sorted(periods, key=lambda p: p.counted_from):
        if p.days <= 0:
            continue
        if out and out[-1].end == p.counted_from:
            out[-1] = Run(out[-1].start, p.counted_until)
        else:
            out.append(Run(p.counted_from, p.counted_until))
    return tuple(out)


# -- every referral at once (Polars) -----------------------------------------------------------


def days(column: str) -> pl.Expr:
    """A date column as whole days since 1970-01-01 (Int64)."""
    return pl.col(column).cast(pl.Int32).cast(pl.Int64)


def day_number(on: dt.date) -> int:
    return (on - EPOCH).days


def window_end_days(programme_weeks: int, as_of: dt.date | pl.Expr) -> pl.Expr:
    """The end of each referral's window (exclusive) as a day number, over the referral
    columns ``referral_date`` and ``end_date``; ``as_of`` is one date or, for rows of
    several as-of dates, an expression giving each row's as-of day number."""
    as_of_day = as_of if isinstance(as_of, pl.Expr) else pl.lit(day_number(as_of), pl.Int64)
    return pl.min_horizontal(
        days("referral_date") + 7 * programme_weeks,
        days("end_date").fill_null(FAR),
        as_of_day,
    )


def _clipped_spans(refs: pl.DataFrame, window_end: str, periods: pl.DataFrame) -> pl.LazyFrame:
    """Each period clipped to its referral's window, as day numbers ``[_s, _e)`` (possibly
    empty or negative), keyed by the referral's row position ``_row`` in ``refs`` (an
    integer key: cheaper than grouping and joining back on the id)."""
    return (
        periods.lazy()
        .select(
            "referral_id",
            days("start_date").alias("_start"),
            days("end_date").fill_null(FAR).alias("_end"),
        )
        .join(
            refs.lazy().select(
                "referral_id",
                pl.int_range(pl.len(), dtype=pl.Int64).alias("_row"),
                days("referral_date").alias("_from"),
                pl.col(window_end).alias("_window_end"),
            ),
            on="referral_id",
            how="inner",
        )
        .select(
            "_row",
            pl.max_horizontal("_start", "_from").alias("_s"),
            pl.min_horizontal("_end", "_window_end").alias("_e"),
        )
    )


def _by_row(refs: pl.DataFrame, per_referral: pl.DataFrame, value: str, name: str) -> pl.Series:
    """A value per referral (``_row`` -> ``value``) as a column in ``refs``' row order, 0 for
    referrals without periods."""
    out = pl.zeros(refs.height, pl.Int64, eager=True).alias(name)
    if per_referral.height:
        out = out.scatter(per_referral["_row"], per_referral[value])
    return out


def sustained_weeks(refs: pl.DataFrame, window_end: str, periods: pl.DataFrame) -> pl.Series:
    """Sustained weeks of each row of ``refs`` (which has ``referral_id``, ``referral_date``
    and the window's end as a day number in column ``window_end``), in row order."""
    # whole weeks of each clipped period, summed per referral
    per_referral = (
        _clipped_spans(refs, window_end, periods)
        .select("_row", ((pl.col("_e") - pl.col("_s")).clip(lower_bound=0) // 7).alias("_weeks"))
        .group_by("_row")
        .agg(pl.col("_weeks").sum())
        .collect()
    )
    return _by_row(refs, per_referral, "_weeks", "sustained_weeks")


def longest_run_days(refs: pl.DataFrame, window_end: str, periods: pl.DataFrame) -> pl.Series:
    """The days of each row's longest unbroken run (``runs``) inside its window, in row
    order (columns of ``refs`` as for ``sustained_weeks``)."""
    per_referral = (
        _clipped_spans(refs, window_end, periods)
        .filter(pl.col("_e") > pl.col("_s"))
        .sort("_row", "_s")
        .with_columns(pl.col("_e").shift(1).over("_row").alias("_prev"))
        # a new run where a referral's spans begin or a span does not touch the last one
        # (the running count of those starts numbers every run, across referrals)
        .with_columns(
            (pl.col("_prev").is_null() | (pl.col("_s") != pl.col("_prev")))
            .cast(pl.Int64)
            .cum_sum()
            .alias("_run")
        )
        .group_by("_row", "_run")
        .agg((pl.col("_e") - pl.col("_s")).sum().alias("_days"))
        .group_by("_row")
        .agg(pl.col("_days").max())
        .collect()
    )
    return _by_row(refs, per_referral, "_days", "longest_run_days")
