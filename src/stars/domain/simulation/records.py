"""The records as a report as of D sees them, and the day numbers the simulator counts in.

As of D, a record dated after D does not exist; a referral whose end date is after D is
live (no end, status or closure reason yet); an outcome period whose end is after D is
still going on (no end yet). This is what the simulator starts from: everything else is
drawn.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from stars.domain.outcomes.windows import day_number


@dataclass(frozen=True)
class Records:
    """The tracker frames cut at a date (docs/tracker-format.md columns)."""

    as_of: dt.date
    enquiries: pl.DataFrame
    referrals: pl.DataFrame
    periods: pl.DataFrame

    @property
    def day(self) -> int:
        """The as-of date as a day number (days since 1970-01-01)."""
        return day_number(self.as_of)


def records_as_of(
    enquiries: pl.DataFrame, referrals: pl.DataFrame, periods: pl.DataFrame, as_of: dt.date
) -> Records:
    """The records as they stood on ``as_of``: later records dropped, later ends unknown."""
    later = pl.col("end_date") > as_of
    enq = enquiries.filter(pl.col("enquiry_date") <= as_of).with_columns(
        pl.when(pl.col("decision_date") > as_of)
        .then(pl.lit("pending"))
        .otherwise(pl.col("decision"))
        .alias("decision"),
        pl.when(pl.col("decision_date") > as_of)
        .then(pl.lit(None, pl.Date))
        .otherwise(pl.col("decision_date"))
        .alias("decision_date"),
    )
    refs = referrals.filter(pl.col("referral_date") <= as_of).with_columns(
        pl.when(later).then(pl.lit("live")).otherwise(pl.col("status")).alias("status"),
        pl.when(later)
        .then(pl.lit(None, pl.Utf8))
        .otherwise(pl.col("closure_reason"))
        .alias("closure_reason"),
        pl.when(later).then(pl.lit(None, pl.Date)).otherwise(pl.col("end_date")).alias("end_date"),
    )
    pers = periods.filter(pl.col("start_date") <= as_of).with_columns(
        pl.when(later).then(pl.lit(None, pl.Date)).otherwise(pl.col("end_date")).alias("end_date")
    )
    # a fixed order, whatever order the records were read in: the same seed, the same draws
    return Records(
        as_of,
        enq.sort("enquiry_date", "enquiry_id"),
        refs.sort("referral_date", "referral_id"),
        pers.sort("referral_id", "start_date"),
    )
