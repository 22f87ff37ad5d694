"""Payments for milestones of continuous placement (a step-down design; docs/tracker-format.md,
"Payment designs, outcome funds, caps and programmes").

A cohort paid ``continuous_milestones`` lists milestones (``[[cohort.milestone]]``: a name,
``continuous_weeks`` N and a ``payment``). As of D, inside the referral's window:

- an unbroken **run** is one outcome period, or several that touch (one ends the day the
  next starts); a gap of a day or more ends it, and the continuous count starts again;
- a milestone is earned once per referral, by the first run that lasts at least N × 7 days
  (N = 0: at least one day), on the day the run reaches that length; it is never paid
  twice, and one not reached yet can still be earned by a later run;
- a ``guaranteed`` referral pays the guaranteed-funding fee and earns milestones too;
- no sustained week is paid as such: ``payable_weeks`` is 0 and every sustained week is
  "not paid" (``proving_weeks``); savings are unchanged (every sustained week);
- ``max_payment_per_referral`` caps one referral's milestone payments.

Column-wise, a referral's longest run (``longest_run_days``) says which milestones it has
earned: milestones in the order of their lengths, those a run of that length reaches are
the first k of them. The unit ``milestones_reached_k`` counts referrals that earned exactly
k, priced at the first k payments' sum (capped): exact and linear.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl

from stars.domain.calendar import days_counted, long_date
from stars.domain.contract.terms import Cohort, Contract, Milestone
from stars.domain.money import pence
from stars.domain.outcomes.designs.base import (
    LONGEST_RUN_BY,
    OUTCOME,
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
from stars.domain.outcomes.windows import CountedPeriod, Week, runs, week_blocks

NAME = "continuous_milestones"
REACHED = "milestones_reached_{}"
# with contract variations (designs.base): whether a referral earned milestone k, and earned
# it on or after variation date Bi; PAID*: the same of referrals whose payments are not capped
EARNED = "_earned_milestone_{}"
EARNED_FROM = "_earned_milestone_{}_from_{}"
PAID = "paid_milestone_{}"
PAID_FROM = "paid_milestone_{}_from_{}"


def _weeks(days: int) -> str:
    """A run's length: "15 weeks 1 day", "1 week", "0 weeks 3 days"."""
    whole, rest = divmod(days, 7)
    weeks = f"{whole} week" + ("" if whole == 1 else "s")
    return weeks + (f" {rest} day" + ("" if rest == 1 else "s") if rest else "")


def _reached(m: Milestone) -> str:
    return "its first day" if m.continuous_weeks == 0 else f"{m.continuous_weeks} continuous weeks"


@dataclass(frozen=True)
class ContinuousMilestones:
    name: str = NAME
    inputs: tuple[str, ...] = ("longest_run_days",)

    def _cohorts(self, contract: Contract) -> list[Cohort]:
        return [c for c in contract.cohorts if c.payment_design == self.name]

    def _cohort(self, contract: Contract, code: str) -> Cohort | None:
        try:
            return contract.cohort(code)
        except KeyError:
            return None

    def _most(self, contract: Contract) -> int:
        return max((len(c.milestones) for c in self._cohorts(contract)), default=0)

    def units(self, contract: Contract) -> tuple[str, ...]:
        most = self._most(contract)
        reached = tuple(REACHED.format(k) for k in range(1, most + 1))
        if not contract.variation_dates:
            return reached
        n = len(contract.variation_dates)
        paid = [
            name
            for k in range(1, most + 1)
            for name in (PAID.format(k), *(PAID_FROM.format(k, i) for i in range(1, n + 1)))
        ]
        return (*reached, *paid, "capped_referrals")

    def _dated_columns(self, contract: Contract) -> dict[str, pl.Expr]:
        """With variations: per milestone k (in order of length), whether the referral
        earned it and earned it on or after each variation date Bi (not
        before Bi: its longest run before Bi was shorter); a capped referral is one whose
        milestones, each at the payment of the version it was earned in, reach the cap
        (in whole units of the smallest decimal place, so exactly). ``PAID`` and
        ``PAID_FROM`` count the milestones of referrals not capped."""
        n = len(contract.variation_dates)
        most = self._most(contract)
        zero = pl.lit(0, pl.Int64)
        earned: dict[str, pl.Expr] = {}
        for k in range(1, most + 1):
            col: pl.Expr = zero
            froms: list[pl.Expr] = [zero] * n
            for c in self._cohorts(contract):
                if k > len(c.milestones):
                    continue
                days = c.milestones[k - 1].days
                here = pl.col("cohort") == c.code
                got = pl.col("longest_run_days") >= days
                col = pl.when(here).then(got.cast(pl.Int64)).otherwise(col)
                for i in range(1, n + 1):
                    later = got & (pl.col(LONGEST_RUN_BY.format(i)) < days)
                    froms[i - 1] = pl.when(here).then(later.cast(pl.Int64)).otherwise(froms[i - 1])
            earned[EARNED.format(k)] = col
            for i in range(1, n + 1):
                earned[EARNED_FROM.format(k, i)] = froms[i - 1]
        reached: pl.Expr = pl.lit(False)
        for c in self._cohorts(contract):
            terms = cohort_versions(contract, c.code)
            cap = c.max_payment_per_referral
            if cap is None or terms is None:
                continue
            pays = [m.payment for t in terms for m in t.milestones]
            scale = Decimal(10) ** max(0, *(-places(x) for x in (*pays, cap)))
            parts: list[pl.Expr] = []
            for k in range(1, len(c.milestones) + 1):
                bounds = [
                    earned[EARNED.format(k)],
                    *(earned[EARNED_FROM.format(k, i)] for i in range(1, n + 1)),
                    zero,
                ]
                parts += [
                    (bounds[v] - bounds[v + 1]) * int(t.milestones[k - 1].payment * scale)
                    for v, t in enumerate(terms)
                ]
            total = pl.sum_horizontal(zero, *parts)
            reached = (
                pl.when(pl.col("cohort") == c.code)
                .then(total >= int(cap * scale))
                .otherwise(reached)
            )
        # expressions, not columns: merged with other designs' columns (engine), a column
        # of the same name as another design's may come before these
        out = {"capped_referrals": reached.cast(pl.Int64)}
        for name, expr in earned.items():
            out[name.replace("_earned", "paid", 1)] = pl.when(reached).then(zero).otherwise(expr)
        return out

    def columns(self, contract: Contract) -> dict[str, pl.Expr]:
        reached: pl.Expr = pl.lit(0, pl.Int64)
        for c in self._cohorts(contract):
            earned = pl.sum_horizontal(
                pl.lit(0, pl.Int64),
                *[(pl.col("longest_run_days") >= m.days).cast(pl.Int64) for m in c.milestones],
            )
            reached = pl.when(pl.col("cohort") == c.code).then(earned).otherwise(reached)
        out = {
            "proving_weeks": pl.col("sustained_weeks"),
            "payable_weeks": pl.lit(0, pl.Int64),
            "milestones_reached": reached,
        }
        for k in range(1, self._most(contract) + 1):
            out[REACHED.format(k)] = (pl.col("milestones_reached") == k).cast(pl.Int64)
        if contract.variation_dates:
            out |= self._dated_columns(contract)
        return out

    def _priced(self, cohort: Cohort) -> list[Decimal]:
        """What a referral that earned the first k milestones is paid, for k = 1, 2, ..."""
        out, total = [], Decimal(0)
        for m in cohort.milestones:
            total += m.payment
            cap = cohort.max_payment_per_referral
            out.append(total if cap is None else min(total, cap))
        return out

    def outcome_payments(
        self, contract: Contract, cohort: str, units: Mapping[str, int]
    ) -> Decimal:
        c = self._cohort(contract, cohort)
        if c is None:
            return Decimal(0)
        if contract.variation_dates:
            return self._dated_payments(contract, c, units)
        return sum(
            (
                price * units.get(REACHED.format(k), 0)
                for k, price in enumerate(self._priced(c), start=1)
            ),
            Decimal(0),
        )

    def _dated_payments(self, contract: Contract, c: Cohort, units: Mapping[str, int]) -> Decimal:
        """With variations: each milestone paid at the payment of the version it was
        earned in, a capped referral at the cap."""
        terms = cohort_versions(contract, c.code)
        assert terms is not None
        n = len(contract.variation_dates)
        total = Decimal(0)
        for k in range(1, len(c.milestones) + 1):
            counts = per_version(
                units.get(PAID.format(k), 0),
                [units.get(PAID_FROM.format(k, i), 0) for i in range(1, n + 1)],
            )
            total += sum(
                (t.milestones[k - 1].payment * m for t, m in zip(terms, counts, strict=True)),
                Decimal(0),
            )
        cap = c.max_payment_per_referral
        return total + (cap * units.get("capped_referrals", 0) if cap is not None else 0)

    def figures(self, contract: Contract, cohort: str, units: Mapping[str, int]) -> dict[str, Any]:
        """``milestones``: the number of referrals that earned each milestone."""
        c = self._cohort(contract, cohort)
        if c is None:
            return {}
        n = len(c.milestones)
        return {
            "milestones": {
                m.name: sum(units.get(REACHED.format(k), 0) for k in range(i, n + 1))
                for i, m in enumerate(c.milestones, start=1)
            }
        }

    def outcome_metric(self, contract: Contract, cohort: Cohort) -> OutcomeMetric:
        c = cohort
        cap = c.max_payment_per_referral
        definition = (
            f"A milestone of a cohort {c.code} ({c.name}) child's placement or home sustained "
            f"without a break ({', '.join(f'{m.name}: {_reached(m)}' for m in c.milestones)}), "
            f"each earned once, within {contract.programme_weeks} weeks of support"
            + (f"; at most £{pence(cap):,} a child" if cap is not None else "")
        )
        prices = tuple(Price(f"for the milestone {m.name}", m.payment) for m in c.milestones)
        return OutcomeMetric(definition, prices, "{} milestones earned")

    def _payment_on(self, contract: Contract, cohort: str, m: Milestone, on: dt.date) -> Decimal:
        """A milestone's payment in force on a day (contract variations)."""
        terms = contract.terms_on(cohort, on)
        return next((x.payment for x in terms.milestones if x.name == m.name), m.payment)

    def referral(
        self,
        contract: Contract,
        referral: ReferralFacts,
        periods: Sequence[CountedPeriod],
        as_of: dt.date,
    ) -> ReferralOutcome:
        weeks = week_blocks(periods)
        c = self._cohort(contract, referral.cohort)
        milestones = c.milestones if c is not None else ()
        cap = c.max_payment_per_referral if c is not None else None
        found = runs(periods)
        details = [
            (
                f"Run {days_counted(r.start, r.end)}",
                _weeks(r.days),
                f"{r.days} days unbroken (periods that touch are one run; a gap ends it)",
            )
            for r in found
        ]
        earned: list[Payment] = []
        for m in milestones:
            run = next((r for r in found if r.days >= m.days), None)
            needs = f"{m.continuous_weeks} continuous weeks" if m.continuous_weeks else "a day"
            if run is None:
                longest = max((r.days for r in found), default=0)
                details.append(
                    (
                        f"Milestone {m.name}",
                        "not earned",
                        f"needs a run of {needs}; the longest so far is {_weeks(longest)}",
                    )
                )
                continue
            on = run.start + dt.timedelta(days=m.days)
            day = on - dt.timedelta(days=1)
            payment = self._payment_on(contract, referral.cohort, m, day)
            earned.append(Payment(OUTCOME, payment, on, Week(run.start, on), m.name))
            terms = " (the payment in force that day)" if contract.variation_dates else ""
            details.append(
                (
                    f"Milestone {m.name}",
                    f"£{pence(payment):,}",
                    f"earned on {long_date(day)}: the run from {long_date(run.start)} reached "
                    f"{needs}{terms}",
                )
            )
        paid, cap_rule = capped(sorted(earned, key=lambda p: p.counted_from), cap)
        fees, fee_rule = guaranteed_fee(contract, referral, as_of)
        total = sum((p.amount for p in paid), Decimal(0))
        names = ", ".join(p.label for p in paid) or "none"
        payment_rule = f"milestones earned: {names}" + (f"; {cap_rule}" if cap_rule else "")
        return ReferralOutcome(
            design=self.name,
            sustained_weeks=len(weeks),
            proving_weeks=len(weeks),
            proving_rule=f"cohort {referral.cohort} pays for milestones, not for weeks",
            payable_weeks=0,
            payable_rule="milestones are paid, not weeks",
            weekly_rate=Decimal(0),
            payment_rule=payment_rule if total or earned else "no milestone earned yet",
            fee_rule=fee_rule,
            weeks=weeks,
            payments=fees + paid,
            details=tuple(details),
            pays_for_weeks=False,
        )
