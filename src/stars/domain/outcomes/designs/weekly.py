"""Weekly payments after a proving period (the DN2 STARS design; docs/tracker-format.md).

A ``sib`` referral earns the cohort's ``weekly_outcome_payment`` for every sustained week
after its cohort's first ``proving_weeks`` sustained weeks. A ``guaranteed`` referral's
first ``guaranteed_funding.minimum_weeks`` sustained weeks stand in for the proving weeks
(the guaranteed-funding fee pays for them); every later sustained week is paid at the
cohort's weekly rate. ``payable_weeks`` = sustained weeks − those weeks, never below 0. A
cohort the contract does not know earns nothing.

Sustained weeks are paid in date order: the first weeks (by the day they end) are the
proving weeks, so each payable week has a date, the day after its last day, from which it
counts, and a claim month, that of its last day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from stars.domain.contract.terms import Contract
from stars.domain.outcomes.designs.base import (
    OUTCOME,
    Payment,
    ReferralFacts,
    ReferralOutcome,
    guaranteed_fee,
)
from stars.domain.outcomes.windows import Week


@dataclass(frozen=True)
class WeeklyAfterProving:
    name: str = "weekly_after_proving"
    units: tuple[str, ...] = ("payable_weeks",)

    def _rate(self, contract: Contract, cohort: str) -> Decimal:
        try:
            return contract.cohort(cohort).weekly_outcome_payment
        except KeyError:
            return Decimal(0)

    def columns(self, contract: Contract) -> dict[str, pl.Expr]:
        proving_by_cohort = {c.code: c.proving_weeks for c in contract.cohorts}
        proving = (
            pl.when(pl.col("funding") == "guaranteed")
            .then(pl.lit(contract.guaranteed_funding.minimum_weeks, pl.Int64))
            .otherwise(
                pl.col("cohort").replace_strict(proving_by_cohort, default=0, return_dtype=pl.Int64)
            )
        )
        return {
            "proving_weeks": proving,
            "payable_weeks": (pl.col("sustained_weeks") - pl.col("proving_weeks")).clip(0),
        }

    def outcome_payments(
        self, contract: Contract, cohort: str, units: Mapping[str, int]
    ) -> Decimal:
        return self._rate(contract, cohort) * units["payable_weeks"]

    def referral(
        self, contract: Contract, referral: ReferralFacts, weeks: Sequence[Week], as_of: dt.date
    ) -> ReferralOutcome:
        code = referral.cohort
        try:
            cohort_proving = contract.cohort(code).proving_weeks
        except KeyError:
            cohort_proving = 0
        rate = self._rate(contract, code)
        if referral.guaranteed:
            proving = contract.guaranteed_funding.minimum_weeks
            proving_rule = (
                f"guaranteed funding: the first {proving} sustained weeks are covered by the "
                "guaranteed fee (they stand in for the proving period)"
            )
        else:
            proving = cohort_proving
            proving_rule = f"cohort {code}: the first {proving} sustained weeks are proving"
        sustained = len(weeks)
        payable = max(sustained - proving, 0)
        fees, fee_rule = guaranteed_fee(contract, referral, as_of)
        paid = tuple(Payment(OUTCOME, rate, w.end, w) for w in list(weeks)[proving:])
        return ReferralOutcome(
            design=self.name,
            sustained_weeks=sustained,
            proving_weeks=proving,
            proving_rule=proving_rule,
            payable_weeks=payable,
            payable_rule=f"max(0, {sustained} sustained − {proving}) = {payable}",
            weekly_rate=rate,
            payment_rule=f"{payable} payable weeks × £{rate} (cohort {code} weekly rate)",
            fee_rule=fee_rule,
            weeks=tuple(weeks),
            payments=fees + paid,
        )
