"""Breakdowns the report pages chart beside the evaluation report's tables.

Pure functions over the tracker frames (tracker-format columns), using the same as-of rules
as the evaluation report: records dated after the as-of date do not exist yet, and a
referral whose end date is after it is live.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from stars.domain.contract.terms import Contract
from stars.domain.outcomes.frames import referrals_as_of

BY_WEEKS_STATUSES = ("live", "graduated", "closed_early", "gf_complete")  # in this order
BAND_STARTS = (0, 13, 26, 52, 78)  # a quarter, a half, a year, a year and a half


def week_bands(programme_weeks: int) -> tuple[tuple[int, int, str], ...]:
    """The bands of weeks on the programme, (from, to exclusive, label): quarters and years
    up to the programme's length, then that length and more ("104+" for a two-year
    programme, "78+" for one of 78 weeks), so no band runs past the programme's end."""
    starts = [s for s in BAND_STARTS if s < programme_weeks]
    ends = [*starts[1:], programme_weeks]
    return (
        *((lo, hi, f"{lo}-{hi - 1}") for lo, hi in zip(starts, ends, strict=True)),
        (programme_weeks, 10**6, f"{programme_weeks}+"),
    )


def _existing(referrals: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """``referrals_as_of`` with ``until``: the end date if ended by ``as_of``, else ``as_of``."""
    ended = pl.col("end_date").is_not_null() & (pl.col("end_date") <= as_of)
    return referrals_as_of(referrals, as_of).with_columns(
        pl.when(ended).then(pl.col("end_date")).otherwise(pl.lit(as_of)).alias("until"),
    )


def referrals_by_year_and_council(
    contract: Contract, referrals: pl.DataFrame, as_of: dt.date
) -> list[dict[str, object]]:
    """Referrals accepted per contract year and council: every started year × council."""
    rows = _existing(referrals, as_of).select("referral_date", "local_authority").rows()
    counts: dict[tuple[int, str], int] = {}
    for day, la in rows:
        key = (contract.contract_year(day), la)
        counts[key] = counts.get(key, 0) + 1
    return [
        {"year": f"Year {y}", "council": la.name, "referrals": counts.get((y, la.code), 0)}
        for y in contract.years_started(as_of)
        for la in contract.local_authorities
    ]


def status_by_weeks_on_programme(
    referrals: pl.DataFrame, as_of: dt.date, programme_weeks: int
) -> list[dict[str, object]]:
    """Referrals by status (as of the date) and whole weeks from referral to end or as-of,
    in the bands of ``week_bands`` for the programme's length."""
    frame = _existing(referrals, as_of).with_columns(
        ((pl.col("until") - pl.col("referral_date")).dt.total_days() // 7).alias("weeks")
    )
    out: list[dict[str, object]] = []
    for lo, hi, label in week_bands(programme_weeks):
        band = frame.filter((pl.col("weeks") >= lo) & (pl.col("weeks") < hi))
        counts = dict(band.group_by("status_as_of").len().rows())
        for status in BY_WEEKS_STATUSES:
            out.append({"weeks": label, "status": status, "referrals": int(counts.get(status, 0))})
    return out
