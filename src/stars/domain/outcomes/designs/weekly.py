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

With ``max_payment_per_referral``, a referral's outcome payments stop at the cap: the week
that reaches it is paid what is left, later weeks nothing. Column-wise that is exact and
linear: a referral whose payable weeks reach ``threshold`` (the fewest weeks whose payment
reaches the cap) is one ``capped_referrals`` priced at the cap; any other's payable weeks
are ``priced_weeks`` at the weekly rate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl

from stars.domain.calendar import long_date
from stars.domain.contract.terms import Cohort, Contract
from stars.domain.money import price_text
from stars.domain.outcomes.designs.base import (
    OUTCOME,
    SUSTAINED_BY,
    OutcomeMetric,
    Payment,
    Price,
    ReferralFacts,
    ReferralOutcome,
    capped,
    cohort_versions,
    guaranteed_fee,
    per_version,
    places,
)
from stars.domain.outcomes.windows import CountedPeriod, week_blocks

PAYABLE_FROM = "payable_from_{}"  # payable weeks earned on or after variation date Bi
PRICED_FROM = "priced_from_{}"  # the same, of referrals whose payments have not reached the cap
NEVER = 2**40  # payable weeks no referral reaches: "no cap"
CAP_UNITS = ("priced_weeks", "capped_referrals")


def _variation_lines(contract: Contract, cohort: str) -> list[tuple[str, str, str]]:
    """One line per variation of the cohort's weekly rate: from when, the rate, and why."""
    return [
        (f"Rate from {long_date(v.start)}", price_text(v.weekly_outcome_payment), v.reason)
        for v in contract.variations_for(cohort)
        if v.weekly_outcome_payment is not None
    ]


def threshold(rate: Decimal, cap: Decimal | None) -> int:
    """The fewest payable weeks whose payment at ``rate`` reaches ``cap`` (NEVER if none)."""
    if cap is None or rate <= 0:
        return NEVER
    weeks = int(cap // rate)
    return weeks if rate * weeks >= cap else weeks + 1


@dataclass(frozen=True)
class WeeklyAfterProving:
    name: str = "weekly_after_proving"
    inputs: tuple[str, ...] = ()

    def _cohorts(self, contract: Contract) -> list[Any]:
        return [c for c in contract.cohorts if c.payment_design == self.name]

    def _capped(self, contract: Contract) -> bool:
        return any(c.max_payment_per_referral is not None for c in self._cohorts(contract))

    def units(self, contract: Contract) -> tuple[str, ...]:
        if contract.variation_dates:
            return ("payable_weeks", *CAP_UNITS, *self._priced_from(contract))
        return ("payable_weeks", *(CAP_UNITS if self._capped(contract) else ()))

    def _priced_from(self, contract: Contract) -> list[str]:
        return [PRICED_FROM.format(i) for i in range(1, len(contract.variation_dates) + 1)]

    def figures(self, contract: Contract, cohort: str, units: Mapping[str, int]) -> dict[str, Any]:
        return {}

    def outcome_metric(self, contract: Contract, cohort: Cohort) -> OutcomeMetric:
        c = cohort
        definition = (
            f"A week in which a cohort {c.code} ({c.name}) child's placement or home is "
            f"sustained, counted after a proving period of {c.proving_weeks} weeks, "
            f"within {contract.programme_weeks} weeks of support"
        )
        unit = "per sustained week after the proving period"
        prices = (Price(unit, c.weekly_outcome_payment),)
        return OutcomeMetric(definition, prices, "{} sustained weeks paid for")

    def _rate(self, contract: Contract, cohort: str) -> Decimal:
        try:
            return contract.cohort(cohort).weekly_outcome_payment
        except KeyError:
            return Decimal(0)

    def _rate_on(self, contract: Contract, cohort: str, on: dt.date) -> Decimal:
        try:
            return contract.terms_on(cohort, on).weekly_outcome_payment
        except KeyError:
            return Decimal(0)

    def _cap(self, contract: Contract, cohort: str) -> Decimal | None:
        try:
            return contract.cohort(cohort).max_payment_per_referral
        except KeyError:
            return None

    def columns(self, contract: Contract) -> dict[str, pl.Expr]:
        proving_by_cohort = {c.code: c.proving_weeks for c in contract.cohorts}
        proving = (
            pl.when(pl.col("funding") == "guaranteed")
            .then(pl.lit(contract.guaranteed_funding.minimum_weeks, pl.Int64))
            .otherwise(
                pl.col("cohort").replace_strict(proving_by_cohort, default=0, return_dtype=pl.Int64)
            )
        )
        out = {
            "proving_weeks": proving,
            "payable_weeks": (pl.col("sustained_weeks") - pl.col("proving_weeks")).clip(0),
        }
        if contract.variation_dates:
            return out | self._dated_columns(contract)
        if self._capped(contract):
            limits = {
                c.code: threshold(c.weekly_outcome_payment, c.max_payment_per_referral)
                for c in self._cohorts(contract)
            }
            limit = pl.col("cohort").replace_strict(limits, default=NEVER, return_dtype=pl.Int64)
            reached = pl.col("payable_weeks") >= limit
            out["capped_referrals"] = reached.cast(pl.Int64)
            out["priced_weeks"] = (
                pl.when(reached).then(pl.lit(0, pl.Int64)).otherwise(pl.col("payable_weeks"))
            )
        return out

    def _dated_columns(self, contract: Contract) -> dict[str, pl.Expr]:
        """With variations: per Bi, the payable weeks earned on or after it (payable weeks
        are a referral's latest sustained weeks, so they are the fewer of its payable weeks
        and its sustained weeks from Bi); a capped referral is one whose weeks, each at the
        rate of its version, reach the cap (worked out in whole units of the smallest
        decimal place of its rates and cap, so exactly)."""
        n = len(contract.variation_dates)
        out: dict[str, pl.Expr] = {}
        for i in range(1, n + 1):
            out[PAYABLE_FROM.format(i)] = pl.min_horizontal(
                pl.col("payable_weeks"),
                pl.col("sustained_weeks") - pl.col(SUSTAINED_BY.format(i)),
            )
        froms = [pl.col(PAYABLE_FROM.format(i)) for i in range(1, n + 1)]
        bounds = [pl.col("payable_weeks"), *froms, pl.lit(0, pl.Int64)]
        reached: pl.Expr = pl.lit(False)
        for c in self._cohorts(contract):
            cap = c.max_payment_per_referral
            terms = cohort_versions(contract, c.code)
            if cap is None or terms is None:
                continue
            rates = [t.weekly_outcome_payment for t in terms]
            scale = Decimal(10) ** max(0, *(-places(x) for x in (*rates, cap)))
            earned = pl.sum_horizontal(
                pl.lit(0, pl.Int64),
                *[(bounds[v] - bounds[v + 1]) * int(rate * scale) for v, rate in enumerate(rates)],
            )
            reached = (
                pl.when(pl.col("cohort") == c.code)
                .then(earned >= int(cap * scale))
                .otherwise(reached)
            )
        out["capped_referrals"] = reached.cast(pl.Int64)
        zero = pl.lit(0, pl.Int64)
        out["priced_weeks"] = pl.when(reached).then(zero).otherwise(pl.col("payable_weeks"))
        for i in range(1, n + 1):
            out[PRICED_FROM.format(i)] = (
                pl.when(reached).then(zero).otherwise(pl.col(PAYABLE_FROM.format(i)))
            )
        return out

    def outcome_payments(
        self, contract: Contract, cohort: str, units: Mapping[str, int]
    ) -> Decimal:
        if contract.variation_dates:
            terms = cohort_versions(contract, cohort)
            if terms is None:
                return Decimal(0)
            weeks = per_version(
                units["priced_weeks"], [units[u] for u in self._priced_from(contract)]
            )
            paid = sum(
                (t.weekly_outcome_payment * w for t, w in zip(terms, weeks, strict=True)),
                Decimal(0),
            )
            cap = terms[0].max_payment_per_referral
            return paid + (cap * units["capped_referrals"] if cap is not None else Decimal(0))
        rate, cap = self._rate(contract, cohort), self._cap(contract, cohort)
        if cap is None or "capped_referrals" not in units:
            return rate * units["payable_weeks"]
        return rate * units["priced_weeks"] + cap * units["capped_referrals"]

    def referral(
        self,
        contract: Contract,
        referral: ReferralFacts,
        periods: Sequence[CountedPeriod],
        as_of: dt.date,
    ) -> ReferralOutcome:
        weeks = week_blocks(periods)
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
        cap = self._cap(contract, code)
        payable_weeks = list(weeks)[proving:]
        rates = [self._rate_on(contract, code, w.end - dt.timedelta(days=1)) for w in payable_weeks]
        paid, cap_rule = capped(
            [Payment(OUTCOME, r, w.end, w) for w, r in zip(payable_weeks, rates, strict=True)], cap
        )
        details: list[tuple[str, str, str]] = []
        if contract.variation_dates:
            rate = self._rate_on(contract, code, as_of - dt.timedelta(days=1))
            by_rate = dict.fromkeys(rates, 0)
            for r in rates:
                by_rate[r] += 1
            payment_rule = (
                " + ".join(f"{n} weeks × {price_text(r)}" for r, n in by_rate.items()) or "0 weeks"
            )
            payment_rule += (
                f" (cohort {code}: each week at the rate in force on its last day; "
                f"{price_text(rate)} a week now)"
            )
            details = _variation_lines(contract, code)
        else:
            payment_rule = (
                f"{payable} payable weeks × {price_text(rate)} (cohort {code} weekly rate)"
            )
        if cap_rule:
            payment_rule += f"; {cap_rule}"
        return ReferralOutcome(
            design=self.name,
            sustained_weeks=sustained,
            proving_weeks=proving,
            proving_rule=proving_rule,
            payable_weeks=payable,
            payable_rule=f"max(0, {sustained} sustained − {proving}) = {payable}",
            weekly_rate=rate,
            payment_rule=payment_rule,
            fee_rule=fee_rule,
            weeks=tuple(weeks),
            payments=fees + paid,
            details=tuple(details),
        )
