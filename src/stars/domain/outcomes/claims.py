"""Monthly outcome claims as differences of the engine's running totals (pure Python).

The engine (``stars.domain.outcomes.engine.outcome_payments_as_of``) says what each referral has
earned by a date. A council's claim for month M is built from two of those figures:

- **this month**: the figure as of the first day after M minus the figure as of M's first
  day (payable weeks that fell in M at the cohort's rate; a guaranteed-funding fee that
  fell due);
- **adjustments**: the figure as of M's first day minus what earlier claims already hold
  for the referral. Approved claims are never rewritten; a late correction to the records
  shows up here instead, as a positive or negative line.

Every amount is whole pence: each line is what the referral's running total, taken to the
penny (half up), added (``payable_part``). So the sum of all claims up to M equals the
engine's figure at the end of M, to the penny, whatever was corrected in between, less
what a maximum outcome payment holds back (``within_maxima``: lines of their own, so the
bookkeeping per referral is unchanged).
Outcome payments and guaranteed-funding fees are kept apart ("component") because only
outcome payments attract the Life Chances Fund share.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_DOWN, Decimal
from typing import Protocol, TypeVar

from stars.domain.calendar import long_date, month_label, month_start, next_month
from stars.domain.contract.terms import Contract, OutcomeFund
from stars.domain.money import (
    PENNY,
    ZERO,
    Money,
    MoneyNames,
    capped_split,
    fund_contribution,
    payable_part,
    pence,
    price_text,
)
from stars.domain.outcomes.designs.base import Payment
from stars.domain.outcomes.engine import ReferralPayment

OUTCOME = "outcome"
GUARANTEED_FEE = "guaranteed_fee"
ADJUSTMENT = "adjustment"
MILESTONE = "milestone"  # a milestone's payment: a line of its own, with its day and amount
OVER_MAXIMUM = "over_maximum"


def _nothing(referral_id: str) -> ReferralPayment:
    return ReferralPayment(referral_id, 0, 0, ZERO, ZERO, ZERO)


@dataclass(frozen=True)
class Claimed:
    """What earlier claims hold for one referral, per component: the outcome payments earned
    (``outcome``), of which ``held_back`` were not payable over a maximum outcome payment
    (its ``OVER_MAXIMUM`` lines), and the fees."""

    outcome_weeks: int = 0
    outcome: Decimal = ZERO
    fee: Decimal = ZERO
    held_back: Decimal = ZERO

    def add(self, component: str, weeks: int, amount: Decimal, kind: str = "") -> Claimed:
        if kind == OVER_MAXIMUM:
            return replace(self, held_back=self.held_back - amount)
        if component == GUARANTEED_FEE:
            return replace(self, fee=self.fee + amount)
        return replace(
            self, outcome_weeks=self.outcome_weeks + weeks, outcome=self.outcome + amount
        )


@dataclass(frozen=True)
class LineSpec:
    """One line of a claim and the rule that produced it."""

    referral_id: str
    kind: str
    component: str
    payable_weeks: int
    rate: Decimal
    amount: Decimal
    rule: str


NOT_WEEKLY = "Not weekly"  # a line's payable weeks, when weeks do not apply to it


def paid_weekly(kind: str, component: str, rate: Decimal) -> bool:
    """Whether a claim line is paid by the week: an outcome payment (or its adjustment) at a
    weekly rate. A guaranteed-funding fee, a milestone payment (its cohort has no weekly
    rate) and what a maximum outcome payment holds back are not: their weeks are always 0."""
    return component == OUTCOME and kind != OVER_MAXIMUM and rate != 0


def weeks_shown(kind: str, component: str, rate: Decimal, weeks: int) -> int | str:
    """A claim line's payable weeks as pages and documents show them: the number for a line
    paid by the week (``paid_weekly``), else ``NOT_WEEKLY`` (never a "0" read as none)."""
    return weeks if paid_weekly(kind, component, rate) else NOT_WEEKLY


def _money(amount: Decimal) -> str:
    d = pence(amount)
    return f"-£{-d:,}" if d < 0 else f"£{d:,}"


def milestone_referrals(
    start: Mapping[str, ReferralPayment],
    end: Mapping[str, ReferralPayment],
    claimed: Mapping[str, Claimed],
) -> list[str]:
    """The referrals whose milestones a claim's lines name one by one (``claim_lines``'
    ``milestones``): those that earned milestones before the claim's month of whose outcome
    payments earlier claims hold none (a council's first claim), and those that earned a
    milestone in the month."""
    return sorted(
        rid
        for rid in set(start) | set(end)
        if (
            (start.get(rid) or _nothing(rid)).milestones
            and not _holds_outcome(claimed.get(rid) or Claimed())
        )
        or _new_milestones(start.get(rid) or _nothing(rid), end.get(rid) or _nothing(rid))
    )


def _new_milestones(s: ReferralPayment, e: ReferralPayment) -> list[str]:
    """The milestones a referral earned between two dates."""
    return [m for m in e.milestones if m not in s.milestones]


def _holds_outcome(c: Claimed) -> bool:
    """Whether earlier claims hold any of a referral's outcome payments (fees apart)."""
    return bool(c.outcome or c.outcome_weeks or c.held_back)


def _milestone_lines(
    rid: str, paid: Sequence[Payment], amount: Decimal, when: str
) -> list[LineSpec]:
    """One ``MILESTONE`` line for each milestone ``paid``, with the day it was reached and its
    amount in whole pence, when they add up to ``amount`` (the engine's figure for the same
    days, in whole pence) exactly; none otherwise (the caller's one line stands)."""
    if not paid or sum((pence(p.amount) for p in paid), ZERO) != amount:
        return []
    return [
        LineSpec(
            rid,
            MILESTONE,
            OUTCOME,
            0,
            ZERO,
            pence(p.amount),
            f"milestone {p.label} reached on {long_date(p.counted_from - dt.timedelta(days=1))}: "
            f"{_money(p.amount)}, {when}",
        )
        for p in paid
    ]


def _adjustment_rule(s: ReferralPayment, c: Claimed, before: dt.date) -> str:
    """Why an outcome payment adjustment is claimed: weeks, or milestones for a design that
    pays for them."""
    if s.milestones or (s.payable_weeks == 0 and c.outcome_weeks == 0 and not s.weekly_rate):
        earned = ", ".join(s.milestones) or "none"
        return (
            f"outcome payments earned by the end of {month_label(before)} by the records as "
            f"they stand: milestones {earned}, {_money(s.outcome_payment)}; earlier claims "
            f"hold {_money(c.outcome)}; the difference is claimed here"
        )
    return (
        f"outcome payments earned by the end of {month_label(before)} by the "
        f"records as they stand: {s.payable_weeks} payable weeks, "
        f"{_money(s.outcome_payment)}; earlier claims hold {c.outcome_weeks} "
        f"weeks, {_money(c.outcome)}; the difference is claimed here"
    )


def claim_lines(
    *,
    month: dt.date,
    start: Mapping[str, ReferralPayment],
    end: Mapping[str, ReferralPayment],
    claimed: Mapping[str, Claimed],
    milestones: Mapping[str, Sequence[Payment]] | None = None,
) -> list[LineSpec]:
    """The lines of the claim for ``month``.

    ``start`` and ``end`` are the engine's figures as of the month's first day and as of
    the first day after it; ``claimed`` is what earlier claims hold per referral. Amounts
    are whole pence (``payable_part`` of the running totals). Lines come per referral in id
    order: adjustments (and milestones reached before the month)
    first, then this month's outcome (or milestones) and fee.
    Zero lines are left out.

    ``milestones``: for the referrals ``milestone_referrals`` names, the dated outcome
    payments their design gave them by the first day after the month (the explanation's).
    Each milestone is then a ``MILESTONE`` line of its own, with its day and amount: one
    reached in the month, and one reached before it of a referral whose outcome payments no
    earlier claim holds (a council's first claim), rather than one difference of weeks that
    do not apply to it. They are not adjustments: no earlier claim held them.
    """
    first = month_start(month)
    before = first - dt.timedelta(days=1)
    after = next_month(first)
    out: list[LineSpec] = []
    for rid in sorted(set(start) | set(end) | set(claimed)):
        s = start.get(rid) or _nothing(rid)
        e = end.get(rid) or _nothing(rid)
        c = claimed.get(rid) or Claimed()
        dated = [p for p in (milestones or {}).get(rid, ()) if p.label]
        weeks = s.payable_weeks - c.outcome_weeks
        amount = payable_part(c.outcome, s.outcome_payment)
        if weeks or amount:
            own = (
                []
                if _holds_outcome(c)
                else _milestone_lines(
                    rid,
                    [p for p in dated if p.counted_from <= first],
                    amount,
                    f"earned before {month_label(first)} and held by no earlier claim",
                )
            )
            out += own or [
                LineSpec(
                    rid,
                    ADJUSTMENT,
                    OUTCOME,
                    weeks,
                    s.weekly_rate,
                    amount,
                    _adjustment_rule(s, c, before),
                )
            ]
        amount = payable_part(c.fee, s.guaranteed_fee)
        if amount:
            out.append(
                LineSpec(
                    rid,
                    ADJUSTMENT,
                    GUARANTEED_FEE,
                    0,
                    ZERO,
                    amount,
                    f"guaranteed-funding fee due by the end of {month_label(before)} by the "
                    f"records as they stand: {_money(s.guaranteed_fee)}; earlier claims hold "
                    f"{_money(c.fee)}; the difference is claimed here",
                )
            )
        weeks = e.payable_weeks - s.payable_weeks
        amount = payable_part(s.outcome_payment, e.outcome_payment)
        own = _milestone_lines(
            rid,
            [p for p in dated if first < p.counted_from <= after],
            amount,
            f"earned in {month_label(first)}",
        )
        if own:
            out += own
        elif weeks or amount:
            new = _new_milestones(s, e)
            if new or e.milestones:
                rule = (
                    f"milestones earned in {month_label(first)}: {', '.join(new) or 'none'} "
                    f"(outcome payments to date {_money(s.outcome_payment)} to "
                    f"{_money(e.outcome_payment)}, after any cap per referral)"
                )
            else:
                rule = (
                    f"payable weeks rose from {s.payable_weeks} to {e.payable_weeks} in "
                    f"{month_label(first)} (sustained weeks {s.sustained_weeks} to "
                    f"{e.sustained_weeks} by the end of the month) at "
                    f"{price_text(e.weekly_rate)} a week"
                )
                if abs(amount - e.weekly_rate * weeks) >= PENNY:
                    rule += ", each week at the rate in force on its last day, up to any cap"
                elif amount != e.weekly_rate * weeks:
                    rule += ", to the penny"
            out.append(LineSpec(rid, OUTCOME, OUTCOME, weeks, e.weekly_rate, amount, rule))
        amount = payable_part(s.guaranteed_fee, e.guaranteed_fee)
        if amount:
            out.append(
                LineSpec(
                    rid,
                    GUARANTEED_FEE,
                    GUARANTEED_FEE,
                    0,
                    ZERO,
                    amount,
                    "guaranteed-funding fee, due once the referral started (by the end of "
                    f"{month_label(first)})",
                )
            )
    return out


class LineLike(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def component(self) -> str: ...

    @property
    def amount(self) -> Decimal: ...


@dataclass(frozen=True)
class FundShare:
    """What one outcome fund meets of one claim: its share of the claim's outcome payments,
    never taking the fund past its cap over all claims."""

    name: str
    share: Decimal
    cap: Decimal | None
    amount: Decimal


def outcome_of(lines: Iterable[LineLike]) -> Decimal:
    """The outcome payments of claim lines (adjustments included; fees apart)."""
    return sum((x.amount for x in lines if x.component != GUARANTEED_FEE), ZERO)


def fund_shares(
    funds: Iterable[OutcomeFund],
    outcome: Decimal,
    paid_before: Mapping[str, Decimal],
    outcome_before: Decimal = ZERO,
) -> tuple[FundShare, ...]:
    """Each fund's part of a claim's outcome payments, claims taken in order, in whole pence.

    A fund meets ``share`` × the claim's outcome payments until, over all claims, it has met
    its ``cap``; ``paid_before`` is what earlier claims had each fund meet, and
    ``outcome_before`` their outcome payments. Each part is what the fund's running share
    adds, to the penny (``payable_part``): 5% of a first claim's £41,581.50 is £2,079.08. So
    the funds' parts of all claims up to any one add up to each fund's share of their outcome
    payments, capped (``Contract.fund_contributions``), to the penny (half up), as the
    evaluation report states it.
    """
    out = []
    for f in funds:
        amount = payable_part(outcome_before * f.share, (outcome_before + outcome) * f.share)
        if f.cap is not None:
            room = f.cap - paid_before.get(f.name, ZERO)
            amount = min(amount, room.quantize(PENNY, rounding=ROUND_DOWN))
        out.append(FundShare(f.name, f.share, f.cap, amount))
    return tuple(out)


@dataclass(frozen=True)
class Maximum:
    """A maximum outcome payment a claim comes under: ``amount``, and ``paid_before``, the
    outcome payments every other claim under it pays (after what they held back)."""

    amount: Decimal
    paid_before: Decimal
    what: str

    @property
    def headroom(self) -> Decimal:
        """What is left under it, in whole pence (a part of a penny is never paid)."""
        return max((self.amount - self.paid_before).quantize(PENNY, rounding=ROUND_DOWN), ZERO)


def _spread(
    amount: Decimal, room: Iterable[tuple[str, Decimal]], sign: int, text: Callable[[Decimal], str]
) -> list[LineSpec]:
    """``amount`` taken from (``sign`` -1) or given back to (+1) the referrals in the order
    given, each up to its own room: one ``OVER_MAXIMUM`` line a referral, ``text`` its part."""
    out: list[LineSpec] = []
    for rid, most in room:
        part = min(amount, max(most, ZERO))
        if part > 0:
            out.append(LineSpec(rid, OVER_MAXIMUM, OUTCOME, 0, ZERO, sign * part, text(part)))
            amount -= part
    return out


def within_maxima(
    lines: list[LineSpec], claimed: Mapping[str, Claimed], maxima: Iterable[Maximum]
) -> list[LineSpec]:
    """The claim's lines with what passes a maximum outcome payment held back.

    A claim pays its outcome payments (adjustments included) and what earlier claims of the
    council held back, up to the headroom of every maximum it comes under (never below 0):
    so the outcome payments paid up to any claim are the least of each maximum and what was
    earned. Guaranteed-funding fees do not count and are paid in full. What is held back is
    an ``OVER_MAXIMUM`` line per referral ("not payable"), taken from the referrals' outcome
    payments in this claim, the last referral first; what becomes payable again (a record
    corrected down, a maximum raised) is given back, the first referral first.
    """
    earned = outcome_of(lines)
    held = sum((c.held_back for c in claimed.values()), ZERO)
    paid = earned + held
    binding: Maximum | None = None
    for m in maxima:
        if m.headroom < paid:
            paid, binding = m.headroom, m
    change = paid - earned  # negative: held back; positive: given back
    if not change:
        return lines
    why = (
        ""
        if binding is None
        else f" ({binding.what} of {_money(binding.amount)}: other claims pay "
        f"{_money(binding.paid_before)}, so the headroom was {_money(binding.headroom)})"
    )
    if change < 0:
        mine: dict[str, Decimal] = {}
        for x in lines:
            if x.component != GUARANTEED_FEE:
                mine[x.referral_id] = mine.get(x.referral_id, ZERO) + x.amount
        out = _spread(
            -change,
            sorted(mine.items(), reverse=True),
            -1,
            lambda cut: (
                f"over the maximum outcome payment: {_money(cut)} of this referral's "
                f"outcome payments in this claim not payable{why}"
            ),
        )
    else:
        out = _spread(
            change,
            sorted((rid, c.held_back) for rid, c in claimed.items()),
            1,
            lambda back: (
                f"under the maximum outcome payment again: {_money(back)} of this "
                f"referral's outcome payments held back by earlier claims now payable{why}"
            ),
        )
    out.sort(key=lambda x: x.referral_id)
    return [*lines, *out]


# -- what reports state: outcome payments earned, within the maxima ---------------------------

Group = TypeVar("Group", bound=tuple[str, ...])

ABOVE_MAXIMUM_LABEL = "Outcome payments earned above the maximum outcome payment, not payable"


def payable_by_group(contract: Contract, earned: Mapping[Group, Decimal]) -> dict[Group, Decimal]:
    """What the contract pays of the outcome payments ``earned`` by groups of referrals
    (keys whose first item is a council's code, e.g. (council, cohort)), to the penny.

    The reports' counterpart of ``within_maxima``, for figures as of a date rather than
    claims: each council's outcome payments are paid up to its own maximum, if the contract
    gives it one, then everyone's up to the contract's maximum outcome payment. Where a
    maximum is passed, what it pays is apportioned between the groups under it in proportion
    to what they earned (``capped_split``, the groups taken in the order of their keys), so
    each group's payable part is at most what it earned, the parts add up to the maximum
    exactly, and earned = payable + above the maximum.
    Guaranteed-funding fees are not outcome payments and are never in ``earned``.
    """
    keys = sorted(earned)  # the order a penny left over goes in (ties): never a hash's
    payable = {k: earned[k] for k in keys}
    for la in contract.local_authorities:
        cap = la.maximum_outcome_payment
        mine = [k for k in keys if str(k[0]).lower() == la.code.lower()]
        if cap is None or sum((payable[k] for k in mine), ZERO) <= cap:
            continue
        parts = capped_split(max(cap, ZERO), [payable[k] for k in mine])
        payable.update(zip(mine, parts, strict=True))
    cap = contract.maximum_outcome_payment
    if cap is not None and sum(payable.values(), ZERO) > cap:
        parts = capped_split(max(cap, ZERO), [payable[k] for k in keys])
        payable = dict(zip(keys, parts, strict=True))
    return payable


def payable_money(
    contract: Contract,
    groups: Mapping[Group, Money],
    programme: Mapping[Group, Money] | None = None,
) -> dict[Group, Money]:
    """``groups`` (the engine's money per (council, cohort)) with their outcome payments
    what the contract pays (``payable_by_group``) and what was earned above a maximum in
    ``above_maximum``; the outcome funds' shares are of what is payable.

    ``programme``: the whole programme's groups, when ``groups`` are part of it (a council's
    scope), since the contract's maximum counts every council's outcome payments.
    """
    whole = groups if programme is None else programme
    payable = payable_by_group(contract, {k: m.earned_outcome_payments for k, m in whole.items()})
    out: dict[Group, Money] = {}
    for k, m in groups.items():
        earned = m.earned_outcome_payments
        pay = min(earned, payable.get(k, earned))
        out[k] = (
            m
            if pay == m.outcome_payments
            else replace(
                m,
                outcome_payments=pay,
                above_maximum=earned - pay,
                fund_contributions=fund_contribution(pay, contract.lcf_share),
            )
        )
    return out


@dataclass(frozen=True)
class ClaimTotals(MoneyNames):
    """A claim's totals, exact: its money (the outcome funds meet their parts of outcome
    payments only) and how much of it adjusts earlier months."""

    money: Money
    adjustments: Decimal
    funds: tuple[FundShare, ...] = ()
    held_back: Decimal = ZERO  # outcome payments over a maximum, not payable (net)

    @property
    def total(self) -> Decimal:
        return self.money.paid


def claim_totals(lines: Iterable[LineLike], funds: Iterable[FundShare]) -> ClaimTotals:
    """Totals of claim lines and the funds' parts of them (``fund_shares``); adjustments
    count in their component and are shown apart, and so is what a maximum outcome payment
    held back (its lines count in the outcome payments, which are what is paid)."""
    outcome = fees = adjustments = held_back = ZERO
    for line in lines:
        if line.kind == OVER_MAXIMUM:
            held_back -= line.amount
        if line.component == GUARANTEED_FEE:
            fees += line.amount
        else:
            outcome += line.amount
        if line.kind == ADJUSTMENT:
            adjustments += line.amount
    shares = tuple(funds)
    money = Money(
        outcome_payments=outcome,
        guaranteed_funding_payments=fees,
        fund_contributions=sum((f.amount for f in shares), ZERO),
    )
    return ClaimTotals(money, adjustments, shares, held_back)


# -- the next step of a council's claims --------------------------------------------------------

PREPARE, SUBMIT, APPROVE = "prepare", "submit", "approve"


@dataclass(frozen=True)
class ClaimStep:
    """What must happen next to a council's claims: which month, what, and who owes it."""

    month: dt.date
    action: str  # PREPARE, SUBMIT or APPROVE
    owner: str  # "provider" or "council"

    @property
    def description(self) -> str:
        what = {
            PREPARE: "prepare the claim",
            SUBMIT: "submit the claim to the council",
            APPROVE: "approve or dispute the claim",
        }[self.action]
        return f"{month_label(self.month)}: {what}"


def next_claim_step(
    claims: Mapping[dt.date, str], first_month: dt.date, today: dt.date
) -> ClaimStep | None:
    """The next step of a council's claims, given each claimed month's status.

    Claims go month by month, each approved before a later month is claimed. So the earliest
    claim not yet approved is what waits: a draft for the provider to submit, a submitted one
    for the council to approve, a disputed one for the provider to prepare again. With every
    claim approved, the month after the latest claim (from ``first_month``, the programme's
    first) waits to be prepared once it has ended; None when nothing waits."""
    for month in sorted(claims):
        status = claims[month]
        if status == "draft":
            return ClaimStep(month, SUBMIT, "provider")
        if status == "submitted":
            return ClaimStep(month, APPROVE, "council")
        if status == "disputed":
            return ClaimStep(month, PREPARE, "provider")
    after = next_month(max(claims)) if claims else month_start(first_month)
    if next_month(after) <= today:
        return ClaimStep(after, PREPARE, "provider")
    return None
