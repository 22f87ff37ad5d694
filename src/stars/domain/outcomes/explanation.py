"""One referral's weeks, payments and savings explained line by line, in plain Python.

``explain_referral`` applies the same rules as the vectorised engine
(``stars.domain.outcomes.engine``) to one referral and says, for every figure, the rule that
produced it, so every pound on a claim can be traced to weeks, dates and contract terms.
Tests check that its figures equal the engine's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from stars.domain.contract.terms import Contract
from stars.domain.money import pence


@dataclass(frozen=True)
class PeriodLine:
    """One outcome period clipped to the referral's window."""

    start: dt.date
    end: dt.date | None
    counted_from: dt.date
    counted_until: dt.date
    days: int
    weeks: int
    rule: str


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
    periods: tuple[PeriodLine, ...]
    sustained_weeks: int
    proving_weeks: int
    proving_rule: str
    payable_weeks: int
    payable_rule: str
    weekly_rate: Decimal
    outcome_payment: Decimal
    payment_rule: str
    guaranteed_fee: Decimal
    fee_rule: str
    weekly_saving: Decimal
    saving_kind: str
    savings: Decimal
    savings_rule: str

    @property
    def weeks_to_proving_end(self) -> int:
        return max(self.proving_weeks - self.sustained_weeks, 0)

    @property
    def total_payment(self) -> Decimal:
        return self.outcome_payment + self.guaranteed_fee

    @property
    def lines(self) -> tuple[Line, ...]:
        """The figures in reading order, each with its rule (for pages and print)."""
        out = [Line("Window", f"{self.window_start} to {self.window_end}", self.window_rule)]
        for p in self.periods:
            end = p.end.isoformat() if p.end else "continuing"
            out.append(Line(f"Period {p.start} to {end}", f"{p.weeks} weeks", p.rule))
        out += [
            Line("Sustained weeks", str(self.sustained_weeks), "sum of the periods' whole weeks"),
            Line("Weeks not paid", str(self.proving_weeks), self.proving_rule),
            Line("Payable weeks", str(self.payable_weeks), self.payable_rule),
            Line("Outcome payment", f"£{pence(self.outcome_payment):,}", self.payment_rule),
            Line("Guaranteed-funding fee", f"£{pence(self.guaranteed_fee):,}", self.fee_rule),
            Line(f"Savings ({self.saving_kind})", f"£{pence(self.savings):,}", self.savings_rule),
        ]
        return tuple(out)


def _window(
    contract: Contract, start: dt.date, end: dt.date | None, as_of: dt.date
) -> tuple[dt.date, str]:
    horizon = start + dt.timedelta(weeks=contract.programme_weeks)
    candidates = [(horizon, f"the end of the {contract.programme_weeks} programme weeks")]
    if end is not None:
        candidates.append((end, "the end of support"))
    candidates.append((as_of, "the as-of date (the day itself is not counted)"))
    # min() keeps the first of equal dates: the programme end, then support, then as-of
    return min(candidates, key=lambda c: c[0])


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
    cohort_code = str(referral["cohort"])
    try:
        cohort = contract.cohort(cohort_code)
        proving_cohort, rate, saving, kind = (
            cohort.proving_weeks,
            cohort.weekly_outcome_payment,
            cohort.weekly_saving,
            cohort.saving_kind,
        )
    except KeyError:
        proving_cohort, rate, saving, kind = 0, Decimal(0), Decimal(0), "cashable"
    start: dt.date = referral["referral_date"]
    end: dt.date | None = referral.get("end_date")
    exists = start <= as_of
    ended = end is not None and end <= as_of
    status = str(referral.get("status") or "live") if ended else "live"
    reason = referral.get("closure_reason") if ended and status == "closed_early" else None
    window_end, why = _window(contract, start, end, as_of)

    lines: list[PeriodLine] = []
    for p in sorted(periods, key=lambda p: p["start_date"]):
        p_start: dt.date = p["start_date"]
        p_end: dt.date | None = p.get("end_date")
        frm = max(p_start, start)
        until = min(p_end, window_end) if p_end is not None else window_end
        days = max((until - frm).days, 0)
        weeks = days // 7
        if not exists:
            rule = "the referral does not exist yet on the as-of date"
        elif p_start > as_of:
            rule = "starts after the as-of date: not counted yet"
        elif days == 0:
            rule = "no days inside the window"
        else:
            rule = f"{days} days inside the window [{frm}, {until}) = {weeks} whole weeks"
            if days % 7:
                rule += f" (the last {days % 7} days are not a whole week)"
        lines.append(PeriodLine(p_start, p_end, frm, until, days, weeks, rule))
    sustained = sum(line.weeks for line in lines)

    gf = contract.guaranteed_funding
    guaranteed = referral.get("funding") == "guaranteed"
    if guaranteed:
        proving = gf.minimum_weeks
        proving_rule = (
            f"guaranteed funding: the first {proving} sustained weeks are covered by the "
            "guaranteed fee (they stand in for the proving period)"
        )
    else:
        proving = proving_cohort
        proving_rule = f"cohort {cohort_code}: the first {proving} sustained weeks are proving"
    payable = max(sustained - proving, 0)
    payable_rule = f"max(0, {sustained} sustained − {proving}) = {payable}"
    fee = gf.fee if guaranteed and exists else Decimal(0)
    if guaranteed:
        fee_rule = f"{gf.minimum_weeks} weeks × £{gf.weekly_fee} once started, whatever happens"
        if not exists:
            fee_rule = "not started by the as-of date"
    else:
        fee_rule = "not a guaranteed-funding referral"
    payment = rate * payable
    savings = saving * sustained
    return Explanation(
        referral_id=str(referral["referral_id"]),
        as_of=as_of,
        exists=exists,
        status_as_of=status,
        closure_reason_as_of=None if reason is None else str(reason),
        funding=str(referral.get("funding") or ""),
        cohort=cohort_code,
        window_start=start,
        window_end=window_end,
        window_rule=f"from the referral date until {why}, exclusive",
        periods=tuple(lines),
        sustained_weeks=sustained,
        proving_weeks=proving,
        proving_rule=proving_rule,
        payable_weeks=payable,
        payable_rule=payable_rule,
        weekly_rate=rate,
        outcome_payment=payment,
        payment_rule=f"{payable} payable weeks × £{rate} (cohort {cohort_code} weekly rate)",
        guaranteed_fee=fee,
        fee_rule=fee_rule,
        weekly_saving=saving,
        saving_kind=kind,
        savings=savings,
        savings_rule=f"{sustained} sustained weeks × £{saving} ({kind}, cohort {cohort_code})",
    )
