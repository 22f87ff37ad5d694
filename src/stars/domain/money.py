"""Money and rates: exact ``Decimal`` sums, rounded only for display and JSON.

Money is pounds as ``decimal.Decimal`` everywhere; it is rounded to pence, half up, only
when shown (``pence``) or written as JSON (``money_number``). Rates are fractions to four
decimal places, half up (``rate4``), or ``None`` when there is no denominator.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

PENNY = Decimal("0.01")
RATE_STEP = Decimal("0.0001")
ZERO = Decimal(0)


def pence(amount: Decimal) -> Decimal:
    """``amount`` rounded to the penny, half up (2.345 -> 2.35, -2.345 -> -2.35)."""
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


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
