"""Money and rates: exact ``Decimal`` sums, rounded only for display and JSON.

Money is pounds as ``decimal.Decimal`` everywhere; it is rounded to pence, half up, only
when shown (``pence``) or written as JSON (``money_number``). Rates are fractions to four
decimal places, half up (``rate4``), or ``None`` when there is no denominator.

Money that is paid (a claim's lines and each outcome fund's part of a claim) is whole
pence where it is worked out, by ``payable_part``: the rounded running total, differenced,
so nothing is lost or gained over a programme's claims. Reports of exact figures round
each figure on its own and say so (``ROUNDING_NOTE``);
docs/decisions/0017-money-to-the-penny.md.

``Money`` is the money of a group of referrals (or of a claim): what was paid, what the
outcome fund contributes and what the councils pay are worked out here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

PENNY = Decimal("0.01")
RATE_STEP = Decimal("0.0001")
ZERO = Decimal(0)


def pence(amount: Decimal) -> Decimal:
    """``amount`` rounded to the penny, half up (2.345 -> 2.35, -2.345 -> -2.35)."""
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


def payable_part(before: Decimal, now: Decimal) -> Decimal:
    """The whole pence paid for what a running total added between ``before`` and ``now``
    (exact figures): ``pence(now) - pence(before)``. Parts worked out this way add up, over
    any run of them, to the last running total to the penny (half up), never a penny more
    or less: 5% of £41,581.50 (£2,079.075) is £2,079.08 paid, and £39,502.42 left."""
    return pence(now) - pence(before)


ROUNDING_NOTE = (
    "Each amount is rounded to the nearest penny on its own, so figures may not add up "
    "exactly to the totals shown."
)
"""What a report of exact figures says beside them (its parts are not forced to add up)."""


def price_text(amount: Decimal) -> str:
    """A price as a rule states it: pounds with a thousands separator and at least two
    decimals, never rounded (``£180.00`` for 180.0, ``£2,100.00``, ``£369.875``)."""
    exponent = amount.as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return f"£{amount:,.{places}f}"


def rate4(numerator: int, denominator: int) -> Decimal | None:
    """``numerator / denominator`` to four decimal places (half up); None if it is 0."""
    if denominator == 0:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATE_STEP, rounding=ROUND_HALF_UP)


def money_number(amount: Decimal) -> float:
    """A JSON number for an amount of money: pence, half up, at most two decimals.

    Whole pounds stay floats (``2866500.0``) as the published report shows them. The float
    of a two-decimal value below 10**13 prints back as exactly that value.
    """
    return float(pence(amount)) + 0.0  # + 0.0 turns -0.0 into 0.0


def rate_number(rate: Decimal | None) -> float | None:
    """A JSON number for a rate: four decimal places (half up), or null."""
    if rate is None:
        return None
    return float(rate.quantize(RATE_STEP, rounding=ROUND_HALF_UP))


def to_json_ready(value: Any, rate_keys: Collection[str] = (), _in_rate: bool = False) -> Any:
    """A copy of nested dicts/lists with ``Decimal`` turned into JSON numbers.

    A ``Decimal`` under a key of ``rate_keys`` (at any depth) is a rate: four places.
    Every other ``Decimal`` is money: pence, half up.
    """
    if isinstance(value, Mapping):
        return {
            k: to_json_ready(v, rate_keys, _in_rate or k in rate_keys) for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [to_json_ready(v, rate_keys, _in_rate) for v in value]
    if isinstance(value, Decimal):
        return rate_number(value) if _in_rate else money_number(value)
    return value


# -- money of a group of referrals --------------------------------------------------------------


def funds_named(names: Sequence[str]) -> str:
    """A contract's outcome funds as a label names them ("Council cost after the ..."): the
    one fund's name (the Life Chances Fund for ``lcf_share``), else "outcome funds"."""
    return names[0] if len(names) == 1 else "outcome funds"


def fund_contribution(outcome_payments: Decimal, fund_share: Decimal) -> Decimal:
    """What the outcome fund (the Life Chances Fund) pays of outcome payments: its share.

    Guaranteed-funding fees are not outcome payments: the fund pays nothing of them.
    """
    return outcome_payments * fund_share


@dataclass(frozen=True)
class Money:
    """The exact weeks and money of a group of referrals (or of a claim's lines).

    Built by the engine (``stars.domain.outcomes.engine.money_of_group``) or a claim's
    totals (``stars.domain.outcomes.claims.claim_totals``), each computing
    ``fund_contributions`` with ``fund_contribution``; every other figure is derived here.
    """

    referrals: int = 0
    sustained_weeks: int = 0
    payable_weeks: int = 0
    cashable_savings: Decimal = ZERO
    cost_avoidance: Decimal = ZERO
    outcome_payments: Decimal = ZERO
    guaranteed_funding_payments: Decimal = ZERO
    fund_contributions: Decimal = ZERO
    # outcome payments earned above a maximum outcome payment, not payable (not in
    # ``outcome_payments``, which are what the contract pays: ``payable_money``)
    above_maximum: Decimal = ZERO

    @property
    def earned_outcome_payments(self) -> Decimal:
        """The outcome payments earned: those payable and those above a maximum."""
        return self.outcome_payments + self.above_maximum

    @property
    def paid(self) -> Decimal:
        """Outcome payments and guaranteed-funding fees."""
        return self.outcome_payments + self.guaranteed_funding_payments

    @property
    def council_cost(self) -> Decimal:
        """What the councils pay: everything paid less the outcome fund's contributions."""
        return self.paid - self.fund_contributions

    @property
    def savings(self) -> Decimal:
        return self.cashable_savings + self.cost_avoidance

    @property
    def net_cash_saving(self) -> Decimal:
        """Cashable savings − outcome payments − guaranteed-funding payments."""
        return self.cashable_savings - self.outcome_payments - self.guaranteed_funding_payments

    def __add__(self, other: Money) -> Money:
        return Money(
            self.referrals + other.referrals,
            self.sustained_weeks + other.sustained_weeks,
            self.payable_weeks + other.payable_weeks,
            self.cashable_savings + other.cashable_savings,
            self.cost_avoidance + other.cost_avoidance,
            self.outcome_payments + other.outcome_payments,
            self.guaranteed_funding_payments + other.guaranteed_funding_payments,
            self.fund_contributions + other.fund_contributions,
            self.above_maximum + other.above_maximum,
        )


class MoneyNames:
    """The names a table's row or a claim's totals give the figures of their ``money``:
    guaranteed fees for guaranteed-funding payments, the LCF contribution for what the
    outcome funds meet, together."""

    money: Money

    @property
    def outcome_payments(self) -> Decimal:
        return self.money.outcome_payments

    @property
    def guaranteed_fees(self) -> Decimal:
        return self.money.guaranteed_funding_payments

    @property
    def lcf_contribution(self) -> Decimal:
        """What the outcome funds meet, together."""
        return self.money.fund_contributions

    @property
    def council_cost(self) -> Decimal:
        """What the council pays after the outcome funds' parts."""
        return self.money.council_cost


def allocate(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """``amount`` split in proportion to ``weights``, each part in pence (half up) but the
    last, which takes what is left, so the parts add up to ``amount`` exactly. All zero
    weights: everything to the last (nothing when there is none)."""
    if not weights:
        return []
    total = sum(weights, ZERO)
    if total == 0:
        return [ZERO] * (len(weights) - 1) + [amount]
    parts = [pence(amount * w / total) for w in weights[:-1]]
    return [*parts, amount - sum(parts, ZERO)]


def capped_split(capped_total: Decimal, uncapped: list[Decimal]) -> list[Decimal]:
    """A capped total (an outcome fund's contribution, after its cap) apportioned to parts
    (councils, cohorts) whose uncapped shares are ``uncapped``.

    The cap not reached (``capped_total`` at least their sum): each part is its uncapped
    share, unchanged. Reached: each part is the total × its share of the uncapped sum,
    rounded down to the penny; what that leaves is given out a penny at a time to the
    parts with the largest fractions cut off (ties: the earlier part), never taking a part
    past its uncapped share, and then any sub-penny rest likewise. The parts add up to
    ``capped_total`` exactly, and none exceeds its uncapped share.
    """
    whole = sum(uncapped, ZERO)
    if capped_total >= whole or not uncapped:
        return list(uncapped)
    exact = [capped_total * u / whole for u in uncapped]
    parts = [e.quantize(PENNY, rounding=ROUND_DOWN) for e in exact]
    left = capped_total - sum(parts, ZERO)
    order = sorted(range(len(parts)), key=lambda i: (-(exact[i] - parts[i]), i))
    for step in (PENNY, None):  # a penny each first, then whatever room is left
        for i in order:
            if left <= 0:
                break
            room = uncapped[i] - parts[i]
            give = min(room, left) if step is None else min(step, room, left)
            if give > 0:
                parts[i] += give
                left -= give
    return parts
