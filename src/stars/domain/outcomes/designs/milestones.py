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

from stars.domain.contract.terms import Cohort, Contract
from stars.domain.money import pence
from stars.domain.outcomes.designs.base import (
    OUTCOME,
    Payment,
    ReferralFacts,
    ReferralOutcome,
    capped,
    guaranteed_fee,
)
from stars.domain.outcomes.windows import CountedPeriod, Week, runs, week_blocks

NAME = "continuous_milestones"
REACHED = "milestones_reached_{}"


def _weeks(days: int) -> str:
    whole, rest = divmod(days, 7)
    return f"{whole} weeks" + (f" {rest} days" if rest else "")


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

    def units(self, contract: Contract) -> tuple[str, ...]:
        most = max((len(c.milestones) for c in self._cohorts(contract)), default=0)
        return tuple(REACHED.format(k) for k in range(1, most + 1))

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
        for k, unit in enumerate(self.units(contract), start=1):
            out[unit] = (pl.col("milestones_reached") == k).cast(pl.Int64)
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
        return sum(
            (
                price * units.get(REACHED.format(k), 0)
                for k, price in enumerate(self._priced(c), start=1)
            ),
            Decimal(0),
        )

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
                f"Run {r.start} to {r.end}",
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
            earned.append(Payment(OUTCOME, m.payment, on, Week(run.start, on), m.name))
            details.append(
                (
                    f"Milestone {m.name}",
                    f"£{pence(m.payment):,}",
                    f"earned on {on - dt.timedelta(days=1)}: the run from {run.start} reached "
                    f"{needs}",
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
        )
