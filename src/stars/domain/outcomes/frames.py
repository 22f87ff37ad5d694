"""The tracker's records as Polars frames, and what exists of them as of a date.

Frames have the tracker's columns (docs/tracker-format.md): codes canonical (cohort and
council as the contract spells them, other codes lower-case), dates as ``pl.Date``, blank as
null.

As of a date D, a record dated after D does not exist yet; a referral whose end date is
after D is live, its status and closure reason not yet known; one whose end date is D has
ended.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

ENQUIRY_SCHEMA: dict[str, Any] = {
    "enquiry_id": pl.Utf8,
    "child_ref": pl.Utf8,
    "local_authority": pl.Utf8,
    "cohort": pl.Utf8,
    "enquiry_date": pl.Date,
    "date_of_birth": pl.Date,
    "decision": pl.Utf8,
    "decision_date": pl.Date,
}
REFERRAL_SCHEMA: dict[str, Any] = {
    "referral_id": pl.Utf8,
    "enquiry_id": pl.Utf8,
    "child_ref": pl.Utf8,
    "local_authority": pl.Utf8,
    "cohort": pl.Utf8,
    "date_of_birth": pl.Date,
    "funding": pl.Utf8,
    "referral_date": pl.Date,
    "status": pl.Utf8,
    "end_date": pl.Date,
    "closure_reason": pl.Utf8,
}
PERIOD_SCHEMA: dict[str, Any] = {
    "referral_id": pl.Utf8,
    "start_date": pl.Date,
    "end_date": pl.Date,
}

# The tracker's date columns, of every file: what a read from the database types as dates.
DATE_COLUMNS = frozenset(
    name
    for schema in (ENQUIRY_SCHEMA, REFERRAL_SCHEMA, PERIOD_SCHEMA)
    for name, dtype in schema.items()
    if dtype == pl.Date
)


def empty_frames() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Empty (enquiries, referrals, periods) frames with the tracker's schemas."""
    return (
        pl.DataFrame(schema=ENQUIRY_SCHEMA),
        pl.DataFrame(schema=REFERRAL_SCHEMA),
        pl.DataFrame(schema=PERIOD_SCHEMA),
    )


def referrals_as_of(referrals: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Referrals that exist on ``as_of``, with ``status_as_of`` and ``closure_reason_as_of``
    (column-wise ``status_on`` and ``closure_reason_on``)."""
    ended = pl.col("end_date").is_not_null() & (pl.col("end_date") <= as_of)
    status = pl.when(ended).then(pl.col("status")).otherwise(pl.lit("live"))
    return referrals.filter(pl.col("referral_date") <= as_of).with_columns(
        status.alias("status_as_of"),
        pl.when(ended & (pl.col("status") == "closed_early"))
        .then(pl.col("closure_reason"))
        .otherwise(pl.lit(None, pl.Utf8))
        .alias("closure_reason_as_of"),
    )


def status_on(status: str | None, end_date: dt.date | None, as_of: dt.date) -> str:
    """One referral's status as of a date: its recorded status once it has ended, else live."""
    ended = end_date is not None and end_date <= as_of
    return str(status or "live") if ended else "live"


def closure_reason_on(
    status: str | None, end_date: dt.date | None, reason: str | None, as_of: dt.date
) -> str | None:
    """One referral's closure reason as of a date: known once it has closed early."""
    if reason is None or status_on(status, end_date, as_of) != "closed_early":
        return None
    return str(reason)
