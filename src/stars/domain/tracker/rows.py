"""The tracker's rows as frozen dataclasses, their Polars frames, and the CSV writer.

``write_tracker`` turns rows or frames back into the three CSV files of docs/tracker-format.md
(header in the documented column order, ISO dates, blank for none), so that
import → export → import gives the same rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Any

import polars as pl

from stars.domain.outcomes.frames import ENQUIRY_SCHEMA, PERIOD_SCHEMA, REFERRAL_SCHEMA
from stars.domain.spreadsheet_text import csv_text

ENQUIRIES_FILE = "enquiries.csv"
REFERRALS_FILE = "referrals.csv"
PERIODS_FILE = "outcome_periods.csv"
ENQUIRY_COLUMNS = tuple(ENQUIRY_SCHEMA)
REFERRAL_COLUMNS = tuple(REFERRAL_SCHEMA)
PERIOD_COLUMNS = tuple(PERIOD_SCHEMA)


@dataclass(frozen=True)
class EnquiryRow:
    enquiry_id: str
    child_ref: str
    local_authority: str
    cohort: str
    enquiry_date: dt.date
    date_of_birth: dt.date
    decision: str
    decision_date: dt.date | None


@dataclass(frozen=True)
class ReferralRow:
    referral_id: str
    enquiry_id: str | None
    child_ref: str
    local_authority: str
    cohort: str
    date_of_birth: dt.date
    funding: str
    referral_date: dt.date
    status: str
    end_date: dt.date | None
    closure_reason: str | None


@dataclass(frozen=True)
class PeriodRow:
    referral_id: str
    start_date: dt.date
    end_date: dt.date | None


Row = EnquiryRow | ReferralRow | PeriodRow

assert tuple(f.name for f in fields(EnquiryRow)) == ENQUIRY_COLUMNS
assert tuple(f.name for f in fields(ReferralRow)) == REFERRAL_COLUMNS
assert tuple(f.name for f in fields(PeriodRow)) == PERIOD_COLUMNS


def rows_to_frame(rows: Sequence[Row], schema: dict[str, Any]) -> pl.DataFrame:
    """A frame with ``schema``'s columns from rows of the matching dataclass."""
    names = list(schema)
    columns: list[list[Any]] = [[getattr(r, n) for r in rows] for n in names]
    return pl.DataFrame(
        {n: pl.Series(n, c, dtype=schema[n]) for n, c in zip(names, columns, strict=True)}
    )


def enquiries_frame(rows: Sequence[EnquiryRow]) -> pl.DataFrame:
    return rows_to_frame(rows, ENQUIRY_SCHEMA)


def referrals_frame(rows: Sequence[ReferralRow]) -> pl.DataFrame:
    return rows_to_frame(rows, REFERRAL_SCHEMA)


def periods_frame(rows: Sequence[PeriodRow]) -> pl.DataFrame:
    return rows_to_frame(rows, PERIOD_SCHEMA)


def _cell(v: Any) -> Any:
    """ISO dates; the rest as ``csv_text`` writes any cell (blank for none, text a
    spreadsheet would run quoted: no valid id, code or date starts that way, so a valid
    tracker is written unchanged)."""
    return v.isoformat() if isinstance(v, dt.date) else v


def _csv(columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> str:
    return csv_text(columns, ([_cell(v) for v in row] for row in rows))


def _tuples(
    data: pl.DataFrame | Sequence[Row], columns: tuple[str, ...]
) -> Iterable[tuple[Any, ...]]:
    if isinstance(data, pl.DataFrame):
        return data.select(columns).iter_rows()
    get = attrgetter(*columns)
    return (get(r) for r in data)


def write_tracker(
    enquiries: pl.DataFrame | Sequence[EnquiryRow],
    referrals: pl.DataFrame | Sequence[ReferralRow],
    periods: pl.DataFrame | Sequence[PeriodRow],
) -> dict[str, str]:
    """The three CSV files' text keyed by file name, rows in the order given.

    Frames must have the tracker's columns with canonical codes (as the engine takes them);
    the caller orders the rows (for example by id) if it wants a stable export.
    """
    return {
        ENQUIRIES_FILE: _csv(ENQUIRY_COLUMNS, _tuples(enquiries, ENQUIRY_COLUMNS)),
        REFERRALS_FILE: _csv(REFERRAL_COLUMNS, _tuples(referrals, REFERRAL_COLUMNS)),
        PERIODS_FILE: _csv(PERIOD_COLUMNS, _tuples(periods, PERIOD_COLUMNS)),
    }
