"""One referral's weeks, payments and savings explained line by line, in plain Python.

``explain_referral`` applies the window rule (``stars.domain.outcomes.windows``) and the
cohort's payment design (``stars.domain.outcomes.designs``) to one referral and says, for
every figure, the rule that produced it, so every pound on a claim can be traced to weeks,
dates and contract terms. The engine computes the same figures column-wise from the same
rules; tests hold the two to the penny.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from stars.domain.calendar import days_counted
from stars.domain.contract.terms import Contract
from stars.domain.money import pence, price_text
from stars.domain.outcomes.designs.base import ReferralFacts, ReferralOutcome
from stars.domain.outcomes.designs.registry import design_for
from stars.domain.outcomes.frames import closure_reason_on, status_on
from stars.domain.outcomes.windows import CountedPeriod, Week, counted_periods, window


@dataclass(frozen=True)
class Line:
    """One figure of the explanation and the rule that produced it."""

    label: str
    value: str
    rule: str


@dataclass(frozen=True)
class Explanation:
    """Every figure of one referral as of a date, with the rule that produced it."""

    referral_id: str
    as_of: dt.date
    exists: bool
    status_as_of: str
    closure_reason_as_of: str | None
    funding: str
    cohort: str
    window_start: dt.date
    window_end: dt.date
    window_rule: str
    periods: tuple[CountedPeriod, ...]
    outcome: ReferralOutcome  # the payment design's figures: weeks paid, dated payments
    weekly_saving: Decimal
    saving_kind: str
    savings: Decimal
    savings_rule: str
    # what the cohort's weeks are a record of (``Cohort.outcome``), for reconciliation
    checked_against: str | None = None

    @property
    def sustained_weeks(self) -> int:
        return self.outcome.sustained_weeks

    @property
    def proving_weeks(self) -> int:
        return self.outcome.proving_weeks

    @property
    def proving_rule(self) -> str:
        return self.outcome.proving_rule

    @property
    def payable_weeks(self) -> int:
        return self.outcome.payable_weeks

    @property
    def payable_rule(self) -> str:
        return self.outcome.payable_rule

    @property
    def weekly_rate(self) -> Decimal:
        return self.outcome.weekly_rate

    @property
    def outcome_payment(self) -> Decimal:
        return self.outcome.outcome_payment

    @property
    def payment_rule(self) -> str:
        return self.outcome.payment_rule

    @property
    def guaranteed_fee(self) -> Decimal:
        return self.outcome.guaranteed_fee

    @property
    def fee_rule(self) -> str:
        return self.outcome.fee_rule

    @property
    def pays_for_weeks(self) -> bool:
        """Whether the cohort's design pays for sustained weeks after proving weeks; if
        not (milestones), proving and payable weeks do not apply and are not shown."""
        return self.outcome.pays_for_weeks

    @property
    def priced_by_the_week(self) -> bool:
        """Whether the outcome payment is just payable weeks × the weekly rate (no cap
        reached, no milestones)."""
        return (
            self.pays_for_weeks
            and not self.outcome.details
            and (self.payable_weeks * self.weekly_rate == self.outcome_payment)
        )

    @property
    def saving_by_the_week(self) -> bool:
        """Whether the savings are just sustained weeks × one weekly saving (no contract
        variation changed it during the referral's weeks)."""
        return self.sustained_weeks * self.weekly_saving == self.savings

    @property
    def counted_days(self) -> list[tuple[dt.date, dt.date]]:
        """The days counted, as half-open stretches ``[first, stop)``: one per period with
        days inside the window (what reconciliation checks against the council's records)."""
        return [(p.counted_from, p.counted_until) for p in self.periods if p.days > 0]

    @property
    def window_counted(self) -> str:
        """The window's days in plain words (its end is not counted)."""
        return days_counted(self.window_start, self.window_end)

    @property
    def weeks_to_proving_end(self) -> int:
        if not self.pays_for_weeks:
            return 0
        return max(self.proving_weeks - self.sustained_weeks, 0)

    @property
    def total_payment(self) -> Decimal:
        return self.outcome.total

    @property
    def lines(self) -> tuple[Line, ...]:
        """The figures in reading order, each with its rule (for pages and print)."""
        out = [Line("Window", self.window_counted, self.window_rule)]
        for p in self.periods:
            out.append(Line(f"Period {p.recorded}", f"{p.weeks} weeks", p.rule))
        out += [
            Line("Sustained weeks", str(self.sustained_weeks), "sum of the periods' whole weeks"),
            *(
                (
                    Line("Weeks not paid", str(self.proving_weeks), self.proving_rule),
                    Line("Payable weeks", str(self.payable_weeks), self.payable_rule),
                )
                if self.pays_for_weeks
                else ()
            ),
            *(Line(*d) for d in self.outcome.details),
            Line("Outcome payment", f"£{pence(self.outcome_payment):,}", self.payment_rule),
            Line("Guaranteed-funding fee", f"£{pence(self.guaranteed_fee):,}", self.fee_rule),
            Line(f"Savings ({self.saving_kind})", f"£{pence(self.savings):,}", self.savings_rule),
        ]
        return tuple(out)


def explain_referral(
    contract: Contract,
    referral: Mapping[str, Any],
    periods: Sequence[Mapping[str, Any]],
    as_of: dt.date,
) -> Explanation:
    """Explain one referral's weeks, payments and savings as of a date.

    ``referral`` is a mapping with the tracker's referral columns (at least ``referral_id``,
    ``cohort``, ``funding``, ``referral_date``, ``status``, ``end_date``; ``closure_reason``
    if any); ``periods`` are mappings with ``start_date`` and ``end_date``.
    """
    code = str(referral["cohort"])
    try:
        cohort = contract.cohort(code)
        saving, kind, checked = cohort.weekly_saving, cohort.saving_kind, cohort.outcome
    except KeyError:
        saving, kind, checked = Decimal(0), "cashable", None
    facts = ReferralFacts(
        referral_id=str(referral["referral_id"]),
        cohort=code,
        funding=str(referral.get("funding") or ""),
        referral_date=referral["referral_date"],
    )
    end: dt.date | None = referral.get("end_date")
    w = window(contract.programme_weeks, facts.referral_date, end, as_of)
    counted = counted_periods(w, periods, as_of)
    outcome = design_for(contract, code).referral(contract, facts, counted, as_of)
    sustained = outcome.sustained_weeks
    savings = saving * sustained
    savings_rule = f"{sustained} sustained weeks × {price_text(saving)} ({kind}, cohort {code})"
    if contract.variation_dates:
        savings, savings_rule = _dated_savings(contract, code, outcome.weeks, kind, savings)
    reason = closure_reason_on(referral.get("status"), end, referral.get("closure_reason"), as_of)
    return Explanation(
        referral_id=facts.referral_id,
        as_of=as_of,
        exists=facts.referral_date <= as_of,
        status_as_of=status_on(referral.get("status"), end, as_of),
        closure_reason_as_of=reason,
        funding=facts.funding,
        cohort=code,
        window_start=w.start,
        window_end=w.end,
        window_rule=w.rule,
        periods=counted,
        outcome=outcome,
        weekly_saving=saving,
        saving_kind=kind,
        savings=savings,
        savings_rule=savings_rule,
        checked_against=checked,
    )


def _dated_savings(
    contract: Contract, code: str, weeks: Sequence[Week], kind: str, fallback: Decimal
) -> tuple[Decimal, str]:
    """Savings with contract variations: each sustained week at the weekly saving in force
    on its last day."""
    by_saving: dict[Decimal, int] = {}
    for w in weeks:
        try:
            s = contract.terms_on(code, w.end - dt.timedelta(days=1)).weekly_saving
        except KeyError:
            return fallback, f"cohort {code} is not in the contract"
        by_saving[s] = by_saving.get(s, 0) + 1
    total = sum((s * n for s, n in by_saving.items()), Decimal(0))
    parts = " + ".join(f"{n} weeks × {price_text(s)}" for s, n in by_saving.items()) or "0 weeks"
    return total, (
        f"{parts} ({kind}, cohort {code}: each week at the saving in force on its last day)"
    )
