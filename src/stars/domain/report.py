"""The evaluation report of tracker-format.md, as a dict with exact Decimal money.

``evaluation_report`` returns every key of the published JSON; ``report_to_json`` rounds
money to pence (half up) and rates to four places only when printing.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import polars as pl

from stars.domain.contract import Contract
from stars.domain.engine import (
    CLOSED,
    DECISIONS,
    STATUSES,
    Money,
    money_by_group,
    referral_weeks,
)

PENNY = Decimal("0.01")
RATE = Decimal("0.0001")


def rate(numerator: int, denominator: int) -> Decimal | None:
    """A fraction to four places (half up), or None when there is no denominator."""
    if denominator == 0:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATE, rounding=ROUND_HALF_UP)


def _counts(frame: pl.DataFrame, by: str) -> dict[Any, int]:
    if frame.is_empty():
        return {}
    return {k: int(v) for k, v in frame.group_by(by).len().iter_rows()}


def _counts2(frame: pl.DataFrame, a: str, b: str) -> dict[tuple[str, str], int]:
    if frame.is_empty():
        return {}
    return {(x, y): int(n) for x, y, n in frame.group_by(a, b).len().iter_rows()}


def contract_year_expr(contract: Contract, column: str) -> pl.Expr:
    """Contract year of a date column (vectorised ``Contract.contract_year``)."""
    d, s = pl.col(column), contract.start
    months = (
        (d.dt.year().cast(pl.Int64) - s.year) * 12
        + (d.dt.month().cast(pl.Int64) - s.month)
        - (d.dt.day().cast(pl.Int64) < s.day).cast(pl.Int64)
    )
    return (months // 12 + 1).alias("year")


def evaluation_report(
    contract: Contract,
    enquiries: pl.DataFrame,
    referrals: pl.DataFrame,
    periods: pl.DataFrame,
    as_of: dt.date,
) -> dict[str, Any]:
    cohorts = contract.cohort_codes
    councils = contract.council_codes

    # -- enquiries: counted under the enquiry's cohort --------------------------------------
    enq = enquiries.filter(pl.col("enquiry_date") <= as_of).with_columns(
        pl.when(pl.col("decision_date").is_null() | (pl.col("decision_date") > as_of))
        .then(pl.lit("pending"))
        .otherwise(pl.col("decision"))
        .alias("decision_as_of")
    )
    by_cohort_decision = _counts2(enq, "cohort", "decision_as_of")
    by_la_decision = _counts2(enq, "local_authority", "decision_as_of")

    def decisions(counts: dict[tuple[str, str], int], key: str) -> dict[str, int]:
        row = {d: counts.get((key, d), 0) for d in DECISIONS}
        return {"total": sum(row.values()), **row}

    # -- referrals, cases and money: under the referral's cohort ----------------------------
    weeks = referral_weeks(contract, referrals, periods, as_of)
    years = contract.years_started(as_of)
    ref_years = _counts(weeks.with_columns(contract_year_expr(contract, "referral_date")), "year")
    by_ref_cohort = _counts(weeks, "cohort")
    by_ref_la = _counts(weeks, "local_authority")
    status = _counts(weeks, "status_as_of")
    reasons = _counts(weeks.filter(pl.col("status_as_of") == "closed_early"), "reason_as_of")
    status_cohort = _counts2(weeks, "cohort", "status_as_of")
    status_la = _counts2(weeks, "local_authority", "status_as_of")

    def closed_early_rate(counts: dict[tuple[str, str], int], key: str) -> Decimal | None:
        closed = sum(counts.get((key, s), 0) for s in CLOSED)
        return rate(counts.get((key, "closed_early"), 0), closed)

    money = money_by_group(contract, weeks)
    zero = Money()

    def total(keys: list[tuple[str, str]]) -> Money:
        m = zero
        for k in keys:
            m = m + money.get(k, zero)
        return m

    fin_cohort = {c: total([(la, c) for la in councils]) for c in cohorts}
    fin_la = {la: total([(la, c) for c in cohorts]) for la in councils}
    grand = total([(la, c) for la in councils for c in cohorts])
    lcf = grand.outcome_payments * contract.lcf_share
    closed_total = sum(status.get(s, 0) for s in CLOSED)

    return {
        "as_of": as_of.isoformat(),
        "enquiries": {
            "total": enq.height,
            "by_cohort": {c: decisions(by_cohort_decision, c) for c in cohorts},
            "by_local_authority": {la: decisions(by_la_decision, la) for la in councils},
        },
        "referrals": {
            "total": weeks.height,
            "re_referrals": int(weeks["enquiry_id"].is_null().sum()),
            "guaranteed_funding": int((weeks["funding"] == "guaranteed").sum()),
            "by_cohort": {c: by_ref_cohort.get(c, 0) for c in cohorts},
            "by_local_authority": {la: by_ref_la.get(la, 0) for la in councils},
            "by_contract_year": {str(y): ref_years.get(y, 0) for y in years},
        },
        "cases": {
            "status": {s: status.get(s, 0) for s in STATUSES},
            "closure_reasons": {r: reasons.get(r, 0) for r in contract.closure_reasons},
            "closed_early_rate": rate(status.get("closed_early", 0), closed_total),
            "closed_early_rate_by_cohort": {
                c: closed_early_rate(status_cohort, c) for c in cohorts
            },
            "closed_early_rate_by_local_authority": {
                la: closed_early_rate(status_la, la) for la in councils
            },
        },
        "finance": {
            "by_cohort": {
                c: {
                    "sustained_weeks": m.sustained_weeks,
                    "payable_weeks": m.payable_weeks,
                    "savings": m.savings,
                    "outcome_payments": m.outcome_payments,
                }
                for c, m in fin_cohort.items()
            },
            "by_local_authority": {
                la: {
                    "sustained_weeks": m.sustained_weeks,
                    "cashable_savings": m.cashable_savings,
                    "cost_avoidance": m.cost_avoidance,
                    "outcome_payments": m.outcome_payments,
                    "guaranteed_funding_payments": m.guaranteed_funding_payments,
                    "net_cash_saving": m.net_cash_saving,
                }
                for la, m in fin_la.items()
            },
            "sustained_weeks": grand.sustained_weeks,
            "cashable_savings": grand.cashable_savings,
            "cost_avoidance": grand.cost_avoidance,
            "outcome_payments": grand.outcome_payments,
            "guaranteed_funding_payments": grand.guaranteed_funding_payments,
            "net_cash_saving": grand.net_cash_saving,
            "lcf_contribution": lcf,
            "council_cost": grand.outcome_payments - lcf + grand.guaranteed_funding_payments,
        },
    }


RATE_KEYS = {
    "closed_early_rate",
    "closed_early_rate_by_cohort",
    "closed_early_rate_by_local_authority",
}


def _plain(value: Any, in_rates: bool = False) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v, in_rates or k in RATE_KEYS) for k, v in value.items()}
    if isinstance(value, Decimal):
        step = RATE if in_rates else PENNY
        return float(value.quantize(step, rounding=ROUND_HALF_UP))
    return value


def report_to_plain(report: dict[str, Any]) -> dict[str, Any]:
    """The report with money rounded to pence and rates to 4 places, as JSON numbers."""
    plain: dict[str, Any] = _plain(report)
    return plain


def report_to_json(report: dict[str, Any]) -> str:
    return json.dumps(report_to_plain(report), indent=2)


def empty_report(as_of: dt.date) -> dict[str, Any]:
    """The report of a database with no contract and nothing imported: zeros, empty maps."""
    zero = Decimal(0)
    return {
        "as_of": as_of.isoformat(),
        "enquiries": {"total": 0, "by_cohort": {}, "by_local_authority": {}},
        "referrals": {
            "total": 0,
            "re_referrals": 0,
            "guaranteed_funding": 0,
            "by_cohort": {},
            "by_local_authority": {},
            "by_contract_year": {},
        },
        "cases": {
            "status": {s: 0 for s in STATUSES},
            "closure_reasons": {},
            "closed_early_rate": None,
            "closed_early_rate_by_cohort": {},
            "closed_early_rate_by_local_authority": {},
        },
        "finance": {
            "by_cohort": {},
            "by_local_authority": {},
            "sustained_weeks": 0,
            "cashable_savings": zero,
            "cost_avoidance": zero,
            "outcome_payments": zero,
            "guaranteed_funding_payments": zero,
            "net_cash_saving": zero,
            "lcf_contribution": zero,
            "council_cost": zero,
        },
    }
