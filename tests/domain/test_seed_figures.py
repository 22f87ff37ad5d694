"""The published DN2 figures, recomputed by the engine from weeks (Feb 2025 evaluation)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import polars as pl

from stars.domain.contract.parsing import parse_contract
from stars.domain.evaluation.report import evaluation_report
from stars.domain.outcomes.frames import PERIOD_SCHEMA, REFERRAL_SCHEMA, empty_frames
from tests.domain.rows import period_row, referral_row

CONTRACT = parse_contract(
    (Path(__file__).resolve().parents[2] / "contracts" / "dn2-stars.toml").read_text()
)
PUBLISHED_WEEKS = {"A": 1365, "B": 6973, "C": 1130, "D": 4280}


def _programme_with_weeks(weeks: dict[str, int]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Referrals of at most 104 sustained weeks each, adding up to ``weeks`` per cohort."""
    start = dt.date(2021, 1, 4)
    refs, periods = [], []
    for cohort, total in weeks.items():
        n = 0
        while total > 0:
            w = min(total, 104)
            rid = f"R-{cohort}-{n}"
            refs.append(
                referral_row(
                    rid, child_ref=rid, local_authority="derby", cohort=cohort, referral_date=start
                )
            )
            periods.append(period_row(rid, start, start + dt.timedelta(weeks=w)))
            total, n = total - w, n + 1
    return (pl.DataFrame(refs, schema=REFERRAL_SCHEMA), pl.DataFrame(periods, schema=PERIOD_SCHEMA))


def test_the_engine_reproduces_the_published_savings_and_finds_the_slips():
    refs, periods = _programme_with_weeks(PUBLISHED_WEEKS)
    fin = evaluation_report(CONTRACT, empty_frames()[0], refs, periods, dt.date(2024, 11, 30))[
        "finance"
    ]
    assert fin["sustained_weeks"] == 13748
    assert fin["cashable_savings"] == Decimal("3657500")  # as published
    assert fin["by_cohort"]["A"]["savings"] == Decimal("2866500")
    assert fin["by_cohort"]["C"]["savings"] == Decimal("791000")
    # Row D: 4,280 x £700 is £2,996,000 (the table says £2,995,000), so cost avoidance is
    # £14,643,300 + £2,996,000 = £17,639,300, not the published £17,638,300.
    assert fin["by_cohort"]["D"]["savings"] == Decimal("2996000")
    assert fin["cost_avoidance"] == Decimal("17639300")
    # net cash saving as published: cashable savings less outcomes paid
    assert fin["cashable_savings"] - Decimal("4511092") == Decimal("-853592")
