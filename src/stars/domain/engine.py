"""The outcomes engine: sustained weeks, payments and savings, as tracker-format.md rules.

Inputs are Polars frames in the tracker's columns (see ``SCHEMAS``; codes canonical, dates as
``pl.Date``). Weeks are integers computed column-wise; money is computed afterwards, in
``Decimal``, from integer weeks per (council, cohort, funding) group, so every sum is exact
and the work per referral is vectorised.

Rules (tracker-format.md, "Rules the computation follows"), for an as-of date D:
- a record dated after D does not exist yet; a decision dated after D is pending; a referral
  whose end date is after D is live, its status and closure reason not yet known;
- a referral's window is [referral_date, min(referral_date + programme_weeks weeks,
  end_date, D)) — the end is exclusive;
- sustained weeks = sum over its periods of floor(days of the period inside the window / 7);
- payable weeks = sustained weeks − the cohort's proving weeks (a guaranteed referral:
  − guaranteed_funding.minimum_weeks), never below 0, paid at the cohort's weekly rate;
- a guaranteed referral also earns the guaranteed-funding fee once it has started;
- every sustained week is worth the cohort's weekly saving, cashable or avoided.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl

from stars.domain.contract import Contract

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
SCHEMAS = {"enquiries": ENQUIRY_SCHEMA, "referrals": REFERRAL_SCHEMA, "periods": PERIOD_SCHEMA}
DECISIONS = (
    "progressed",
    "pending",
    "withdrawn",
    "criteria_not_met",
    "waiting_list",
    "not_progressed_other",
)
STATUSES = ("graduated", "closed_early", "gf_complete", "live")
FUNDINGS = ("sib", "guaranteed")
CLOSED = ("closed_early", "graduated", "gf_complete")


def empty_frames() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    return (
        pl.DataFrame(schema=ENQUIRY_SCHEMA),
        pl.DataFrame(schema=REFERRAL_SCHEMA),
        pl.DataFrame(schema=PERIOD_SCHEMA),
    )


def referrals_as_of(referrals: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Referrals that exist on ``as_of``, with ``status_as_of`` and ``reason_as_of``."""
    ended = pl.col("end_date").is_not_null() & (pl.col("end_date") <= as_of)
    return referrals.filter(pl.col("referral_date") <= as_of).with_columns(
        pl.when(ended).then(pl.col("status")).otherwise(pl.lit("live")).alias("status_as_of"),
        pl.when(ended & (pl.col("status") == "closed_early"))
        .then(pl.col("closure_reason"))
        .otherwise(pl.lit(None, pl.Utf8))
        .alias("reason_as_of"),
    )


def referral_weeks(
    contract: Contract, referrals: pl.DataFrame, periods: pl.DataFrame, as_of: dt.date
) -> pl.DataFrame:
    """One row per referral existing on ``as_of``: its window and integer weeks.

    Columns: the referral's own, ``status_as_of``, ``reason_as_of``, ``window_end``,
    ``sustained_weeks``, ``proving_weeks`` (the guaranteed minimum for guaranteed referrals)
    and ``payable_weeks``.
    """
    refs = referrals_as_of(referrals, as_of)
    horizon = pl.col("referral_date") + pl.duration(weeks=contract.programme_weeks)
    refs = refs.with_columns(
        pl.min_horizontal(horizon, pl.col("end_date").fill_null(pl.lit(as_of)), pl.lit(as_of))
        .cast(pl.Date)
        .alias("window_end")
    )
    clipped = (
        periods.select("referral_id", "start_date", pl.col("end_date").alias("period_end"))
        .join(refs.select("referral_id", "referral_date", "window_end"), on="referral_id")
        .with_columns(
            pl.max_horizontal("start_date", "referral_date").alias("from"),
            pl.min_horizontal(pl.col("period_end").fill_null(pl.col("window_end")), "window_end")
            .cast(pl.Date)
            .alias("until"),
        )
        .with_columns(
            ((pl.col("until") - pl.col("from")).dt.total_days().clip(lower_bound=0) // 7)
            .cast(pl.Int64)
            .alias("weeks")
        )
        .group_by("referral_id")
        .agg(pl.col("weeks").sum().alias("sustained_weeks"))
    )
    proving = pl.DataFrame(
        {
            "cohort": [c.code for c in contract.cohorts],
            "cohort_proving": [c.proving_weeks for c in contract.cohorts],
        },
        schema={"cohort": pl.Utf8, "cohort_proving": pl.Int64},
    )
    gf_minimum = contract.guaranteed_funding.minimum_weeks
    return (
        refs.join(clipped, on="referral_id", how="left")
        .join(proving, on="cohort", how="left")
        .with_columns(pl.col("sustained_weeks").fill_null(0).cast(pl.Int64))
        .with_columns(
            pl.when(pl.col("funding") == "guaranteed")
            .then(pl.lit(gf_minimum, pl.Int64))
            .otherwise(pl.col("cohort_proving").fill_null(0))
            .alias("proving_weeks")
        )
        .with_columns(
            (pl.col("sustained_weeks") - pl.col("proving_weeks"))
            .clip(lower_bound=0)
            .alias("payable_weeks")
        )
        .drop("cohort_proving")
    )


@dataclass(frozen=True)
class Money:
    """Exact money of a group of referrals."""

    sustained_weeks: int = 0
    payable_weeks: int = 0
    cashable_savings: Decimal = Decimal(0)
    cost_avoidance: Decimal = Decimal(0)
    outcome_payments: Decimal = Decimal(0)
    guaranteed_funding_payments: Decimal = Decimal(0)

    @property
    def savings(self) -> Decimal:
        return self.cashable_savings + self.cost_avoidance

    @property
    def net_cash_saving(self) -> Decimal:
        return self.cashable_savings - self.outcome_payments - self.guaranteed_funding_payments

    def __add__(self, other: Money) -> Money:
        return Money(
            self.sustained_weeks + other.sustained_weeks,
            self.payable_weeks + other.payable_weeks,
            self.cashable_savings + other.cashable_savings,
            self.cost_avoidance + other.cost_avoidance,
            self.outcome_payments + other.outcome_payments,
            self.guaranteed_funding_payments + other.guaranteed_funding_payments,
        )


def money_by_group(contract: Contract, weeks: pl.DataFrame) -> dict[tuple[str, str], Money]:
    """Exact money per (council, cohort), from integer weeks grouped with their funding."""
    grouped = weeks.group_by("local_authority", "cohort", "funding").agg(
        pl.col("sustained_weeks").sum().alias("sustained"),
        pl.col("payable_weeks").sum().alias("payable"),
        pl.len().alias("referrals"),
    )
    out: dict[tuple[str, str], Money] = {}
    fee = contract.guaranteed_funding.fee
    for la, cohort_code, funding, sustained, payable, count in grouped.iter_rows():
        cohort = contract.cohort(cohort_code)
        saving = cohort.weekly_saving * sustained
        m = Money(
            sustained_weeks=int(sustained),
            payable_weeks=int(payable),
            cashable_savings=saving if cohort.saving_kind == "cashable" else Decimal(0),
            cost_avoidance=saving if cohort.saving_kind == "avoided" else Decimal(0),
            outcome_payments=cohort.weekly_outcome_payment * payable,
            guaranteed_funding_payments=fee * count if funding == "guaranteed" else Decimal(0),
        )
        key = (la, cohort_code)
        out[key] = out[key] + m if key in out else m
    return out


def referral_payments(
    contract: Contract, referrals: pl.DataFrame, periods: pl.DataFrame, as_of: dt.date
) -> dict[str, tuple[int, Decimal, Decimal]]:
    """Per referral existing on ``as_of``: (payable weeks, outcome payment, guaranteed fee).

    What is owed for a referral between two dates is the difference of this figure at the
    two dates, so claims made month by month add up to the engine's total to the penny.
    """
    weeks = referral_weeks(contract, referrals, periods, as_of)
    fee = contract.guaranteed_funding.fee
    out: dict[str, tuple[int, Decimal, Decimal]] = {}
    for rid, cohort, funding, payable in weeks.select(
        "referral_id", "cohort", "funding", "payable_weeks"
    ).iter_rows():
        rate = contract.cohort(cohort).weekly_outcome_payment
        out[rid] = (int(payable), rate * payable, fee if funding == "guaranteed" else Decimal(0))
    return out


# -- explanation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodLine:
    start: dt.date
    end: dt.date | None
    counted_from: dt.date
    counted_until: dt.date
    days: int
    weeks: int
    rule: str


@dataclass(frozen=True)
class Explanation:
    """Every figure of one referral as of a date, with the rule that produced it."""

    referral_id: str
    as_of: dt.date
    exists: bool
    status_as_of: str
    window_start: dt.date
    window_end: dt.date
    window_rule: str
    periods: tuple[PeriodLine, ...]
    sustained_weeks: int
    proving_weeks: int
    proving_rule: str
    payable_weeks: int
    weekly_rate: Decimal
    outcome_payment: Decimal
    guaranteed_fee: Decimal
    fee_rule: str
    weekly_saving: Decimal
    saving_kind: str
    savings: Decimal

    @property
    def weeks_to_proving_end(self) -> int:
        return max(self.proving_weeks - self.sustained_weeks, 0)


def explain_referral(
    contract: Contract,
    referral: Mapping[str, Any],
    periods: Sequence[Mapping[str, Any]],
    as_of: dt.date,
) -> Explanation:
    """Explain one referral's weeks, payments and savings line by line (pure Python).

    ``referral`` and ``periods`` are mappings with the tracker's column names. The figures
    are identical to the vectorised engine's (a test checks it).
    """
    cohort = contract.cohort(referral["cohort"])
    start: dt.date = referral["referral_date"]
    end: dt.date | None = referral.get("end_date")
    exists = start <= as_of
    ended = end is not None and end <= as_of
    horizon = start + dt.timedelta(weeks=contract.programme_weeks)
    candidates = [(horizon, f"{contract.programme_weeks} programme weeks end")]
    if end is not None:
        candidates.append((end, "support ended"))
    candidates.append((as_of, "the as-of date (not itself counted)"))
    window_end, why = min(candidates, key=lambda c: c[0])
    lines = []
    for p in sorted(periods, key=lambda p: p["start_date"]):
        p_start: dt.date = p["start_date"]
        p_end: dt.date | None = p.get("end_date")
        frm = max(p_start, start)
        until = min(p_end or window_end, window_end)
        days = max((until - frm).days, 0)
        weeks = days // 7 if exists else 0
        rule = f"{days} days inside the window = {weeks} whole weeks"
        if p_start > as_of:
            rule = "starts after the as-of date: not counted yet"
        lines.append(PeriodLine(p_start, p_end, frm, until, days, weeks, rule))
    sustained = sum(line.weeks for line in lines)
    guaranteed = referral["funding"] == "guaranteed"
    if guaranteed:
        proving = contract.guaranteed_funding.minimum_weeks
        proving_rule = (
            f"guaranteed funding: the first {proving} weeks are covered by the guaranteed fee"
        )
    else:
        proving = cohort.proving_weeks
        proving_rule = f"cohort {cohort.code}: the first {proving} sustained weeks prove it"
    payable = max(sustained - proving, 0)
    fee = contract.guaranteed_funding.fee if guaranteed and exists else Decimal(0)
    fee_rule = (
        f"{contract.guaranteed_funding.minimum_weeks} weeks × "
        f"£{contract.guaranteed_funding.weekly_fee} once started"
        if guaranteed
        else "not a guaranteed-funding referral"
    )
    return Explanation(
        referral_id=str(referral["referral_id"]),
        as_of=as_of,
        exists=exists,
        status_as_of=str(referral["status"]) if ended else "live",
        window_start=start,
        window_end=window_end,
        window_rule=f"from the referral date until {why}",
        periods=tuple(lines),
        sustained_weeks=sustained,
        proving_weeks=proving,
        proving_rule=proving_rule,
        payable_weeks=payable,
        weekly_rate=cohort.weekly_outcome_payment,
        outcome_payment=cohort.weekly_outcome_payment * payable,
        guaranteed_fee=fee,
        fee_rule=fee_rule,
        weekly_saving=cohort.weekly_saving,
        saving_kind=cohort.saving_kind,
        savings=cohort.weekly_saving * sustained,
    )
