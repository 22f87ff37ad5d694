"""The payment seam: what a payment design computes, for one referral and for every one.

A cohort of the contract names its payment design (``payment_design``, default
``weekly_after_proving``). A design says, for one referral as of a date, which of its
sustained weeks are payable and the dated payments it earned (``referral``), and, for the
column-wise engine, the same as integer columns per referral (``columns``) that are summed
per group and only then priced (``outcome_payments``), so that money stays exact and fast.
The explanation, claims and reconciliation all take their figures from a design, so they
cannot disagree with the engine (tests/domain/test_payment_seam.py checks, for every
registered design, that they agree to the penny).

Guaranteed funding is the same for every design: a ``guaranteed`` referral earns the
contract's guaranteed-funding fee once it has started, whatever happens after.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Protocol

import polars as pl

from stars.domain.contract.terms import Cohort, Contract
from stars.domain.money import pence, price_text
from stars.domain.outcomes.windows import CountedPeriod, Week

OUTCOME = "outcome"
GUARANTEED_FEE = "guaranteed_fee"

# Dated terms (``[[variation]]``). The terms change only on the contract's variation dates
# B1 < B2 < ... (``Contract.variation_dates``); version 0 of the terms runs until B1, version
# i from Bi. Column-wise, for each Bi the engine counts a referral's figures earned before
# it: ``sustained_by_i`` (sustained weeks whose last day is before Bi: the sustained weeks
# with the window ended at Bi) and ``longest_run_by_i`` (its longest run then: a milestone
# of N days is earned before Bi iff that run is at least N days). Figures earned on or after
# Bi, per version, are differences of these integers, each priced at its version's terms.
SUSTAINED_BY = "sustained_by_{}"
LONGEST_RUN_BY = "longest_run_by_{}"
REFERRALS_FROM = "referrals_from_{}"  # referrals dated on or after Bi (their fee's terms)


@dataclass(frozen=True)
class ReferralFacts:
    """What a design needs to know of one referral."""

    referral_id: str
    cohort: str
    funding: str
    referral_date: dt.date

    @property
    def guaranteed(self) -> bool:
        return self.funding == "guaranteed"


@dataclass(frozen=True)
class Payment:
    """One payment a referral earned, and the first as-of date whose figures include it.

    A weekly outcome payment counts once its week has ended (``counted_from`` is the day
    after the week's last day); a guaranteed-funding fee counts from the referral date.
    """

    kind: str  # OUTCOME or GUARANTEED_FEE
    amount: Decimal
    counted_from: dt.date
    # the days it pays for, ``[start, end)``: a sustained week, or the run that earned a
    # milestone; None for a guaranteed-funding fee
    week: Week | None = None
    label: str = ""  # what it pays for, if not a sustained week (a milestone's name)


@dataclass(frozen=True)
class ReferralOutcome:
    """One referral's payments as of a date, with the rule behind each figure."""

    design: str
    sustained_weeks: int
    proving_weeks: int  # sustained weeks not paid
    proving_rule: str
    payable_weeks: int
    payable_rule: str
    weekly_rate: Decimal
    payment_rule: str
    fee_rule: str
    weeks: tuple[Week, ...]  # every sustained week, in date order
    payments: tuple[Payment, ...]
    # the design's own figures, in reading order: (label, value, rule)
    details: tuple[tuple[str, str, str], ...] = ()
    # whether it pays for sustained weeks (after proving weeks); a design that pays for
    # something else (milestones) has no proving or payable weeks to show
    pays_for_weeks: bool = True

    @property
    def outcome_payment(self) -> Decimal:
        return sum((p.amount for p in self.payments if p.kind == OUTCOME), Decimal(0))

    @property
    def guaranteed_fee(self) -> Decimal:
        return sum((p.amount for p in self.payments if p.kind == GUARANTEED_FEE), Decimal(0))

    @property
    def total(self) -> Decimal:
        return self.outcome_payment + self.guaranteed_fee

    def paid_for(self) -> dict[Week, Decimal]:
        """What was paid for each stretch of days (a sustained week, a milestone's run)
        that earned an outcome payment."""
        out: dict[Week, Decimal] = {}
        for p in self.payments:
            if p.kind == OUTCOME and p.week is not None:
                out[p.week] = out.get(p.week, Decimal(0)) + p.amount
        return out

    def labels(self) -> dict[Week, str]:
        """What each paid stretch that is not a sustained week pays for (a milestone)."""
        return {p.week: p.label for p in self.payments if p.week is not None and p.label}


@dataclass(frozen=True)
class Price:
    """One thing a design pays for and its price, as the contract is written (open data:
    INDIGO's outcome pricings)."""

    unit: str  # what is paid for: "per sustained week after the proving period"
    amount: Decimal


@dataclass(frozen=True)
class OutcomeMetric:
    """What a cohort's referrals are paid for, as the contract is written (open data)."""

    definition: str  # in one sentence
    prices: tuple[Price, ...]  # the price of each unit of it
    achieved: str  # how many units were paid for: "{} sustained weeks paid for"


class PaymentDesign(Protocol):
    """How a cohort's referrals earn outcome payments (one module per design)."""

    @property
    def name(self) -> str:
        """The name a contract gives it (``payment_design``)."""
        ...

    @property
    def inputs(self) -> tuple[str, ...]:
        """Per-referral figures the design needs beyond ``sustained_weeks`` (of
        ``stars.domain.outcomes.engine.INPUTS``: ``longest_run_days``)."""
        ...

    def units(self, contract: Contract) -> tuple[str, ...]:
        """The integer columns per referral that price its outcome payments."""
        ...

    def columns(self, contract: Contract) -> dict[str, pl.Expr]:
        """Per referral, over the engine's columns (``cohort``, ``funding``,
        ``sustained_weeks`` and the design's ``inputs``): ``proving_weeks``,
        ``payable_weeks`` and each unit column, worked out in this order (each may use the
        ones before it)."""
        ...

    def figures(self, contract: Contract, cohort: str, units: Mapping[str, int]) -> dict[str, Any]:
        """Figures of the design the evaluation report adds for a cohort, from its summed
        units (``continuous_milestones``: ``milestones``); none for most designs."""
        ...

    def outcome_payments(
        self, contract: Contract, cohort: str, units: Mapping[str, int]
    ) -> Decimal:
        """The exact outcome payments of referrals of one cohort from their summed units."""
        ...

    def outcome_metric(self, contract: Contract, cohort: Cohort) -> OutcomeMetric:
        """What a cohort's referrals are paid for (INDIGO's outcome metric and pricings);
        ``achieved`` is formatted with the units a referral was paid for, summed
        (``ReferralPayment.payable_weeks`` plus its ``milestones``)."""
        ...

    def referral(
        self,
        contract: Contract,
        referral: ReferralFacts,
        periods: Sequence[CountedPeriod],
        as_of: dt.date,
    ) -> ReferralOutcome:
        """One referral as of ``as_of``, from its outcome periods clipped to its window, in
        date order (``stars.domain.outcomes.windows.counted_periods``)."""
        ...


def places(amount: Decimal) -> int:
    """The exponent of an amount's last decimal place (-2 for 5.25): amounts times
    10 ** -min(places) are whole numbers, to compare sums exactly column-wise."""
    exponent = amount.as_tuple().exponent
    return exponent if isinstance(exponent, int) else 0


def version_starts(contract: Contract) -> tuple[dt.date | None, ...]:
    """The day each version of the terms starts (version 0: None, the terms as written)."""
    return (None, *contract.variation_dates)


def cohort_versions(contract: Contract, cohort: str) -> list[Cohort] | None:
    """The cohort's terms in each version (None for a cohort the contract lacks)."""
    try:
        base = contract.cohort(cohort)
    except KeyError:
        return None
    return [base if d is None else contract.terms_on(cohort, d) for d in version_starts(contract)]


def per_version(total: int, from_counts: Sequence[int]) -> list[int]:
    """``total`` things split by the version of the terms they were earned under, from how
    many were earned on or after each variation date (``from_counts``, in date order)."""
    bounds = [total, *from_counts, 0]
    return [bounds[v] - bounds[v + 1] for v in range(len(bounds) - 1)]


def earned_from(contract: Contract, column: str, total: str, units: Mapping[str, int]) -> list[int]:
    """Per version, from summed units: ``total`` minus ``column``-by-Bi gives those earned
    on or after Bi (``column`` is ``SUSTAINED_BY``-like: the count earned before Bi)."""
    n = len(contract.variation_dates)
    return per_version(
        units[total], [units[total] - units[column.format(i)] for i in range(1, n + 1)]
    )


def guaranteed_fee(
    contract: Contract, referral: ReferralFacts, as_of: dt.date
) -> tuple[tuple[Payment, ...], str]:
    """The guaranteed-funding fee a referral earned by ``as_of`` (if any), and its rule:
    the fee in force on the referral date."""
    gf = contract.guaranteed_funding_on(referral.referral_date)
    if not referral.guaranteed:
        return (), "not a guaranteed-funding referral"
    if referral.referral_date > as_of:
        return (), "not started by the as-of date"
    rule = f"{gf.minimum_weeks} weeks × {price_text(gf.weekly_fee)} once started, whatever happens"
    return (Payment(GUARANTEED_FEE, gf.fee, referral.referral_date),), rule


def capped(payments: Sequence[Payment], cap: Decimal | None) -> tuple[tuple[Payment, ...], str]:
    """Outcome payments in date order, the one that reaches the cap cut to it and later ones
    left out (``max_payment_per_referral``), and the rule."""
    if cap is None:
        return tuple(payments), ""
    out: list[Payment] = []
    total = Decimal(0)
    for p in payments:
        if total >= cap:
            continue
        amount = min(p.amount, cap - total)
        out.append(replace(p, amount=amount))
        total += amount
    full = sum((p.amount for p in payments), Decimal(0))
    if full <= cap:
        return tuple(out), f"£{pence(full):,} earned, within the cap of £{pence(cap):,} a referral"
    return tuple(out), f"£{pence(full):,} earned, capped at £{pence(cap):,} a referral"
