"""The outcomes engine: sustained weeks, payments and savings (tracker-format.md rules).

Inputs are Polars frames with the tracker's columns (``stars.domain.outcomes.frames``): codes
canonical (cohort and council as the contract spells them, other
codes lower-case), dates as ``pl.Date``, blank as null.

How it stays exact and fast: whole weeks per referral are integers computed column-wise
(dates as day numbers); they are summed per (council, cohort, funding) group; only then are
the few group totals multiplied by the contract's ``Decimal`` rates. Integer weeks × Decimal
rate is exact, so every sum is exact to the penny and beyond; rounding happens only for
display (``stars.domain.money``).

Rules, for an as-of date D:

- a record dated after D does not exist yet; a decision dated after D is pending; a referral
  whose end date is after D is live, its status and closure reason not yet known;
- a referral's window is ``[referral_date, min(referral_date + programme_weeks weeks,
  end_date, D))``, the end exclusive;
- sustained weeks = the sum over its periods of floor(days of the period inside the
  window / 7);
- payable weeks = sustained weeks − the cohort's proving weeks (a guaranteed referral:
  − ``guaranteed_funding.minimum_weeks``), never below 0, paid at the cohort's weekly rate;
- a guaranteed referral also earns ``guaranteed_funding.fee`` once it has started;
- every sustained week is worth the cohort's weekly saving, cashable or avoided.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from stars.domain.contract.terms import Contract
from stars.domain.money import Money, fund_contribution
from stars.domain.outcomes.frames import referrals_as_of

_FAR = 2**30  # a day number beyond any date: "no end"


def _days(column: str) -> pl.Expr:
    """A date column as whole days since 1970-01-01 (Int64)."""
    return pl.col(column).cast(pl.Int32).cast(pl.Int64)


def _day_number(on: dt.date) -> int:
    return (on - dt.date(1970, 1, 1)).days


# -- integer weeks per referral -------------------------------------------------------------


def referral_figures(
    contract: Contract, referrals: pl.DataFrame, periods: pl.DataFrame, as_of: dt.date
) -> pl.DataFrame:
    """One row per referral existing on ``as_of``, with its integer weeks.

    Columns: every referral column, then ``status_as_of``, ``closure_reason_as_of``,
    ``window_end`` (exclusive), ``sustained_weeks``, ``proving_weeks`` (the weeks deducted:
    the cohort's proving weeks, or ``minimum_weeks`` for a guaranteed referral) and
    ``payable_weeks``. A cohort the contract does not know earns nothing.
    """
    d = _day_number(as_of)
    horizon = 7 * contract.programme_weeks
    refs = referrals_as_of(referrals, as_of).with_columns(
        pl.min_horizontal(
            _days("referral_date") + horizon,
            _days("end_date").fill_null(_FAR),
            pl.lit(d, pl.Int64),
        ).alias("_window_end")
    )
    # whole weeks of each period clipped to its referral's window, summed per referral by
    # row position (an integer key: cheaper than grouping and joining back on the id)
    per_referral = (
        periods.lazy()
        .select(
            "referral_id",
            _days("start_date").alias("_start"),
            _days("end_date").fill_null(_FAR).alias("_end"),
        )
        .join(
            refs.lazy().select(
                "referral_id",
                pl.int_range(pl.len(), dtype=pl.Int64).alias("_row"),
                _days("referral_date").alias("_from"),
                "_window_end",
            ),
            on="referral_id",
            how="inner",
        )
        .select(
            "_row",
            (
                (
                    pl.min_horizontal("_end", "_window_end") - pl.max_horizontal("_start", "_from")
                ).clip(lower_bound=0)
                // 7
            ).alias("_weeks"),
        )
        .group_by("_row")
        .agg(pl.col("_weeks").sum())
        .collect()
    )
    sustained = pl.zeros(refs.height, pl.Int64, eager=True).alias("sustained_weeks")
    if per_referral.height:
        sustained = sustained.scatter(per_referral["_row"], per_referral["_weeks"])
    proving = {c.code: c.proving_weeks for c in contract.cohorts}
    gf_minimum = contract.guaranteed_funding.minimum_weeks
    return (
        refs.with_columns(
            pl.from_epoch(pl.col("_window_end"), time_unit="d").alias("window_end"),
            sustained,
            pl.when(pl.col("funding") == "guaranteed")
            .then(pl.lit(gf_minimum, pl.Int64))
            .otherwise(pl.col("cohort").replace_strict(proving, default=0, return_dtype=pl.Int64))
            .alias("proving_weeks"),
        )
        .with_columns(
            (pl.col("sustained_weeks") - pl.col("proving_weeks"))
            .clip(lower_bound=0)
            .alias("payable_weeks")
        )
        .drop("_window_end")
    )


# -- exact money ----------------------------------------------------------------------------


def group_weeks(figures: pl.DataFrame) -> pl.DataFrame:
    """Integer totals per (local_authority, cohort, funding) of ``referral_figures``."""
    return figures.group_by("local_authority", "cohort", "funding").agg(
        pl.len().alias("referrals"),
        pl.col("sustained_weeks").sum().alias("sustained_weeks"),
        pl.col("payable_weeks").sum().alias("payable_weeks"),
    )


def money_of_group(
    contract: Contract, cohort_code: str, funding: str, referrals: int, sustained: int, payable: int
) -> Money:
    """The exact money of ``referrals`` referrals of one cohort and funding, from their weeks."""
    fee = contract.guaranteed_funding.fee
    gf = fee * referrals if funding == "guaranteed" else Decimal(0)
    try:
        cohort = contract.cohort(cohort_code)
    except KeyError:
        return Money(referrals, sustained, payable, guaranteed_funding_payments=gf)
    saving = cohort.weekly_saving * sustained
    cashable = cohort.saving_kind == "cashable"
    outcome = cohort.weekly_outcome_payment * payable
    return Money(
        referrals=referrals,
        sustained_weeks=sustained,
        payable_weeks=payable,
        cashable_savings=saving if cashable else Decimal(0),
        cost_avoidance=Decimal(0) if cashable else saving,
        outcome_payments=outcome,
        guaranteed_funding_payments=gf,
        fund_contributions=fund_contribution(outcome, contract.lcf_share),
    )


def money_by_group(contract: Contract, figures: pl.DataFrame) -> dict[tuple[str, str], Money]:
    """Exact money per (council, cohort) from ``referral_figures``."""
    out: dict[tuple[str, str], Money] = {}
    for la, cohort, funding, n, sustained, payable in group_weeks(figures).iter_rows():
        m = money_of_group(contract, cohort, funding, int(n), int(sustained), int(payable))
        key = (la, cohort)
        out[key] = out[key] + m if key in out else m
    return out


@dataclass(frozen=True)
class ReferralPayment:
    """What one referral has earned by a date: outcome payment and guaranteed fee."""

    referral_id: str
    sustained_weeks: int
    payable_weeks: int
    weekly_rate: Decimal
    outcome_payment: Decimal
    guaranteed_fee: Decimal

    @property
    def total(self) -> Decimal:
        return self.outcome_payment + self.guaranteed_fee


def outcome_payments_as_of(
    contract: Contract, referrals: pl.DataFrame, periods: pl.DataFrame, as_of: dt.date
) -> dict[str, ReferralPayment]:
    """Per referral existing on ``as_of``: what it has earned by then, exactly.

    What is owed for a referral for a month is this figure at the month's end minus the
    figure at its start (``claim_between``), so monthly claims add up to the total exactly.
    """
    figures = referral_figures(contract, referrals, periods, as_of)
    fee = contract.guaranteed_funding.fee
    out: dict[str, ReferralPayment] = {}
    rates = {c.code: c.weekly_outcome_payment for c in contract.cohorts}
    for rid, cohort, funding, sustained, payable in figures.select(
        "referral_id", "cohort", "funding", "sustained_weeks", "payable_weeks"
    ).iter_rows():
        rate = rates.get(cohort, Decimal(0))
        out[rid] = ReferralPayment(
            referral_id=rid,
            sustained_weeks=int(sustained),
            payable_weeks=int(payable),
            weekly_rate=rate,
            outcome_payment=rate * payable,
            guaranteed_fee=fee if funding == "guaranteed" else Decimal(0),
        )
    return out


def claim_between(
    contract: Contract,
    referrals: pl.DataFrame,
    periods: pl.DataFrame,
    start: dt.date,
    end: dt.date,
) -> dict[str, Decimal]:
    """Per referral, what was earned after ``start`` up to ``end`` (figure at end − at start).

    Only referrals with a non-zero amount are listed.
    """
    before = outcome_payments_as_of(contract, referrals, periods, start)
    after = outcome_payments_as_of(contract, referrals, periods, end)
    out: dict[str, Decimal] = {}
    for rid, p in after.items():
        earlier = before[rid].total if rid in before else Decimal(0)
        if p.total != earlier:
            out[rid] = p.total - earlier
    return out
