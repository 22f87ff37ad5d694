"""Rows of the outcome frames (``stars.domain.outcomes.frames``) built for domain tests: one
builder of a referral row, so a test names only what its cohort needs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from stars.domain.outcomes.frames import empty_frames


def referral_row(
    referral_id: str,
    *,
    local_authority: str,
    cohort: str,
    referral_date: dt.date,
    end_date: dt.date | None = None,
    funding: str = "sib",
    date_of_birth: dt.date = dt.date(2010, 1, 1),
    status: str | None = None,
    enquiry_id: str | None = None,
    child_ref: str | None = None,
    closure_reason: str | None = None,
) -> dict[str, Any]:
    """A referral as the referrals frame holds it. Unless given: the child's reference is
    ``CH`` and the referral's id, no enquiry, and the status ``graduated`` if it has ended,
    else ``live``."""
    return {
        "referral_id": referral_id,
        "enquiry_id": enquiry_id,
        "child_ref": f"CH{referral_id}" if child_ref is None else child_ref,
        "local_authority": local_authority,
        "cohort": cohort,
        "date_of_birth": date_of_birth,
        "funding": funding,
        "referral_date": referral_date,
        "status": status or ("graduated" if end_date else "live"),
        "end_date": end_date,
        "closure_reason": closure_reason,
    }


def period_row(referral_id: str, start_date: dt.date, end_date: dt.date | None) -> dict[str, Any]:
    """A period of a referral (end None: continuing)."""
    return {"referral_id": referral_id, "start_date": start_date, "end_date": end_date}


def programme_frames(
    referrals: list[dict[str, Any]], periods: list[dict[str, Any]]
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The frames of a programme of these referrals and periods, with no enquiries."""
    e, r, p = empty_frames()
    return e, pl.DataFrame(referrals, schema=r.schema), pl.DataFrame(periods, schema=p.schema)
